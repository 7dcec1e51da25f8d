// Puts a gossiped block back together from its CompactBlock: each tx from this node's own record
// (what it saw on the wire, its mempool), the rest fetched by sha256 from the block's author first,
// then from other peers. A peer whose answer does not hash to what was asked is reported; one that
// fails or lacks txs is passed over, except the author, which must hold its own block's txs and is
// blamed when it answers without them. Where the author is not a neighbour, the neighbours that
// relayed the parts may still be fetching the txs themselves, so the peers are asked again a few
// times, a little later each time. Whether the block is the one proposed is consensus's check:
// this only restores bytes the author's parts committed to.
import { ParsedCompactBlock } from "./compact-block.js";

export interface RebuildDeps {
  /** A tx this node holds, by sha256. */
  find(hash: Uint8Array): Uint8Array | undefined;
  /** Connected peers to ask for missing txs, the author (when connected) first. */
  peersToAsk(author: string): string[];
  /** Txs by hash from `peer`, in order, undefined where it had none; rejects on any failure. */
  fetchTxs(peer: string, hashes: Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** `peer` answered with txs that are not what was asked. */
  reportBadAnswer(peer: string, reason: string): void;
  maxBlockBytes: number;
  maxTxsPerRequest: number;
  /** Waits before asking the peers again for what is still missing; one entry per extra try. */
  retryDelaysMs: readonly number[];
}

export type RebuildResult =
  | { kind: "block"; bytes: Uint8Array; fetched: number }
  /** The compact block is unsound, or its author lacks its txs: the author's fault. */
  | { kind: "bad"; reason: string }
  /** Some txs were found nowhere: the block cannot be delivered (consensus times the round out). */
  | { kind: "incomplete"; missing: number };

export async function rebuildBlock(
  compact: Uint8Array,
  author: string,
  deps: RebuildDeps,
): Promise<RebuildResult> {
  let parsed: ParsedCompactBlock;
  try {
    parsed = ParsedCompactBlock.decode(compact);
  } catch (err) {
    return { kind: "bad", reason: `invalid compact block: ${(err as Error).message}` };
  }
  const txs: Uint8Array[] = new Array(parsed.txCount);
  let missing: number[] = [];
  for (let i = 0; i < parsed.txCount; i++) {
    const tx = deps.find(parsed.txHash(i));
    if (tx === undefined) missing.push(i);
    else txs[i] = tx;
  }
  const fetched = missing.length;
  // An author holds the txs of the blocks it sends: one that answers without them sent a block
  // nobody can rebuild (or one of hashes it made up), and makes every receiver ask around for it.
  let authorLacked = 0;
  for (let tries = 0; missing.length > 0; tries++) {
    for (const peer of deps.peersToAsk(author)) {
      const answered = await askPeer(peer, parsed, txs, missing, deps);
      missing = answered.missing;
      if (peer === author && answered.complete) authorLacked = missing.length;
      if (missing.length === 0) break;
    }
    const delay = deps.retryDelaysMs[tries];
    if (missing.length === 0 || delay === undefined) break;
    await new Promise((r) => setTimeout(r, delay));
    // Tx gossip may have brought some meanwhile.
    missing = missing.filter((i) => {
      const tx = deps.find(parsed.txHash(i));
      if (tx !== undefined) txs[i] = tx;
      return tx === undefined;
    });
  }
  if (missing.length > 0 && authorLacked > 0)
    return { kind: "bad", reason: `its author does not have ${authorLacked} of its txs` };
  if (missing.length > 0) return { kind: "incomplete", missing: missing.length };
  let size = parsed.skeleton.length;
  for (const tx of txs) size += tx.length;
  if (size > deps.maxBlockBytes)
    return { kind: "bad", reason: `block of ${size} bytes (limit ${deps.maxBlockBytes})` };
  return { kind: "block", bytes: parsed.rebuild(txs), fetched };
}

/**
 * Fills `txs` with what `peer` has of `missing`: the indexes still missing, and whether the peer
 * answered every request (what it lacks, it does not have).
 */
async function askPeer(
  peer: string,
  parsed: ParsedCompactBlock,
  txs: Uint8Array[],
  missing: number[],
  deps: RebuildDeps,
): Promise<{ missing: number[]; complete: boolean }> {
  const still: number[] = [];
  for (let at = 0; at < missing.length; at += deps.maxTxsPerRequest) {
    const chunk = missing.slice(at, at + deps.maxTxsPerRequest);
    let got: (Uint8Array | undefined)[];
    try {
      got = await deps.fetchTxs(
        peer,
        chunk.map((i) => parsed.txHash(i)),
      );
    } catch (err) {
      if (err instanceof BadTxsAnswer) deps.reportBadAnswer(peer, err.message);
      return { missing: [...still, ...missing.slice(at)], complete: false };
    }
    for (const [k, i] of chunk.entries()) {
      const tx = got[k];
      if (tx === undefined) still.push(i);
      else txs[i] = tx;
    }
  }
  return { missing: still, complete: true };
}

/** A peer's answer to a txs request that no honest peer would give (malformed, wrong txs). */
export class BadTxsAnswer extends Error {
  override readonly name = "BadTxsAnswer";
}
