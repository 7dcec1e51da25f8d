// Large blocks travel as parts (gossip messages are capped at p2p.max_message_bytes). Each part
// carries a Merkle proof to the part-set root, so a forged part is recognised on its own, before it
// is relayed, and cannot spoil the set an honest proposer sent (CometBFT's PartSet does the same).
// The assembler joins parts per set, checks the joined bytes against block_sha256 and bounds its
// memory: a few sets at once, a cap on buffered bytes, the oldest set dropped first.
import { sha256, toHex } from "../../crypto/hash.js";
import { bytesEqual, encode } from "../../proto/canonical.js";
import { BlockPart } from "./wire.js";

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** Bytes of a BlockPart besides its data (hashes, counters, a proof of up to 17 levels). */
export const PART_OVERHEAD_BYTES = 768;
/** Most parts in one set (a proof then has at most 17 levels). */
export const MAX_PARTS = 1 << 17;

/** The largest `data` of one part for a message cap of `maxMessageBytes`. */
export function partSizeFor(maxMessageBytes: number): number {
  return Math.max(1, maxMessageBytes - PART_OVERHEAD_BYTES);
}

/** Splits an encoded block into encoded BlockParts of at most `partSize` data bytes each. */
export function splitBlock(block: Uint8Array, partSize: number, broadcastId: number): Uint8Array[] {
  const total = Math.max(1, Math.ceil(block.length / partSize));
  if (total > MAX_PARTS)
    throw new RangeError(`block of ${block.length} bytes needs more than ${MAX_PARTS} parts`);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < total; i++)
    chunks.push(block.subarray(i * partSize, Math.min(block.length, (i + 1) * partSize)));
  const levels = merkleLevels(chunks.map((c) => sha256(LEAF, c)));
  const root = levels[levels.length - 1]![0]!;
  const blockSha256 = sha256(block);
  return chunks.map((data, index) =>
    encode(
      BlockPart,
      BlockPart.create({
        blockSha256,
        partsRoot: root,
        total,
        index,
        data,
        proof: merkleProof(levels, index),
        broadcastId,
      }),
    ),
  );
}

/** Why a part is malformed on its own, or undefined when its fields and proof are sound. */
export function checkPart(part: BlockPart): string | undefined {
  if (part.blockSha256.length !== 32 || part.partsRoot.length !== 32) return "hash fields must be 32 bytes";
  if (part.total < 1 || part.total > MAX_PARTS) return `total ${part.total} out of range`;
  if (part.index >= part.total) return `index ${part.index} >= total ${part.total}`;
  if (part.data.length === 0) return "empty part";
  let hash = sha256(LEAF, part.data);
  let index = part.index;
  let width = part.total;
  let used = 0;
  while (width > 1) {
    const sibling = index ^ 1;
    if (sibling < width) {
      const h = part.proof[used++];
      if (h === undefined || h.length !== 32) return "proof too short";
      hash = index % 2 === 0 ? sha256(NODE, hash, h) : sha256(NODE, h, hash);
    }
    index >>= 1;
    width = Math.ceil(width / 2);
  }
  if (used !== part.proof.length) return "proof too long";
  return bytesEqual(hash, part.partsRoot) ? undefined : "proof does not lead to parts_root";
}

// levels[0] = leaves, last = [root]; an odd node at the end of a level is promoted unchanged.
function merkleLevels(leaves: Uint8Array[]): Uint8Array[][] {
  const levels = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const prev = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i < prev.length; i += 2)
      next.push(i + 1 < prev.length ? sha256(NODE, prev[i]!, prev[i + 1]!) : prev[i]!);
    levels.push(next);
  }
  return levels;
}

function merkleProof(levels: Uint8Array[][], leaf: number): Uint8Array[] {
  const proof: Uint8Array[] = [];
  let index = leaf;
  for (let l = 0; l < levels.length - 1; l++) {
    const sibling = index ^ 1;
    if (sibling < levels[l]!.length) proof.push(levels[l]![sibling]!);
    index >>= 1;
  }
  return proof;
}

export interface AssemblerLimits {
  /** Largest block accepted (sum of a set's parts). */
  maxBlockBytes: number;
  /** Sets being joined at once; the oldest is dropped for a new one. */
  maxPartialSets: number;
  /** Bytes buffered across all partial sets; the oldest sets are dropped to stay under it. */
  maxBufferedBytes: number;
}

export type AddPartResult =
  | { kind: "pending" }
  | { kind: "duplicate" }
  /** `from` is the author of most of the parts (the proposer, for an honest set). */
  | { kind: "complete"; block: Uint8Array; from: string }
  /** The set cannot be a valid block: dropped; `peers` authored its parts. */
  | { kind: "bad"; reason: string; peers: string[] };

interface PartialSet {
  key: string;
  total: number;
  blockSha256: Uint8Array;
  parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  /** Parts per author. */
  senders: Map<string, number>;
}

/** Joins checked parts (see checkPart) into blocks. */
export class PartSetAssembler {
  // Insertion order = age: the first entry is the oldest set.
  private readonly sets = new Map<string, PartialSet>();
  private buffered = 0;

  constructor(private readonly limits: AssemblerLimits) {}

  /** Bytes held by partial sets (for tests and metrics). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  get partialSets(): number {
    return this.sets.size;
  }

  add(part: BlockPart, from: string): AddPartResult {
    // Parts of two broadcasts of one block are interchangeable: the key leaves broadcast_id out.
    const key = `${toHex(part.blockSha256)}/${toHex(part.partsRoot)}/${part.total}`;
    let set = this.sets.get(key);
    if (!set) {
      set = {
        key,
        total: part.total,
        blockSha256: part.blockSha256,
        parts: new Array<Uint8Array | undefined>(part.total),
        received: 0,
        bytes: 0,
        senders: new Map(),
      };
      this.sets.set(key, set);
      while (this.sets.size > this.limits.maxPartialSets) this.drop(this.sets.keys().next().value as string);
    }
    if (set.parts[part.index] !== undefined) return { kind: "duplicate" };
    set.senders.set(from, (set.senders.get(from) ?? 0) + 1);
    if (set.bytes + part.data.length > this.limits.maxBlockBytes) {
      this.drop(key);
      return {
        kind: "bad",
        reason: `block larger than ${this.limits.maxBlockBytes} bytes`,
        peers: [...set.senders.keys()],
      };
    }
    set.parts[part.index] = part.data;
    set.received++;
    set.bytes += part.data.length;
    this.buffered += part.data.length;
    if (set.received < set.total) {
      this.evictOldestBeyondCap(key);
      return { kind: "pending" };
    }
    this.drop(key);
    const block = joinParts(set.parts as Uint8Array[], set.bytes);
    if (!bytesEqual(sha256(block), set.blockSha256)) {
      return {
        kind: "bad",
        reason: "joined parts do not hash to block_sha256",
        peers: [...set.senders.keys()],
      };
    }
    return { kind: "complete", block, from: mostParts(set.senders) };
  }

  clear(): void {
    this.sets.clear();
    this.buffered = 0;
  }

  private evictOldestBeyondCap(keep: string): void {
    for (const key of this.sets.keys()) {
      if (this.buffered <= this.limits.maxBufferedBytes) return;
      if (key !== keep) this.drop(key);
    }
    if (this.buffered > this.limits.maxBufferedBytes) this.drop(keep);
  }

  private drop(key: string): void {
    const set = this.sets.get(key);
    if (!set) return;
    this.sets.delete(key);
    this.buffered -= set.bytes;
  }
}

function mostParts(senders: Map<string, number>): string {
  let best = "";
  let bestCount = -1;
  for (const [peer, count] of senders) {
    if (count > bestCount) {
      best = peer;
      bestCount = count;
    }
  }
  return best;
}

function joinParts(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
