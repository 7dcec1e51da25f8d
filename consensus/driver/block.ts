// Block production and checking. Header fields (all hashes 32 bytes; zeros where there is none):
//   time_ms            max(now, previous block time + 1): strictly increasing, chosen by the proposer
//   last_block_hash    hash of block height-1
//   last_commit_hash   commitHash(last_commit), the +2/3 precommits for block height-1 carried in the block
//   data_hash          hashListRoot([sha256(tx) for tx in txs])
//   validators_hash, next_validators_hash   validatorSetHash(set) (static set for now)
//   app_hash           state root after height-1 (as in CometBFT)
//   last_results_hash  hashListRoot([sha256(encode(TxResult)) for each tx of height-1, in block order])
//   evidence_hash      zeros (no evidence in blocks yet)
//   proposer_address   the proposing validator
import { sha256 } from "../../crypto/hash.js";
import { blockHeaderHash, commitHash, hashListRoot } from "../../crypto/ssz.js";
import { bytesEqual } from "../../proto/canonical.js";
import { Block, BlockHeader, Commit, Evidence, type kyochi, TxResult } from "../../proto/index.js";
import { encodeTxResult } from "../../proto/tx-result-encoding.js";
import { ConsensusError } from "../errors.js";
import { verifyCommit } from "./commit.js";
import { evidenceHash } from "./evidence.js";
import type { ConsensusValidatorSet } from "./validator-set.js";

export const ZERO_HASH: Uint8Array = new Uint8Array(32);

const b = (bytes: Uint8Array | null | undefined): Uint8Array => bytes ?? new Uint8Array(0);

/** Where the chain stands: the last committed block and what follows from it. */
export interface ChainTip {
  /** Last committed height, 0 before the first block. */
  height: number;
  /** Its block hash (zeros at genesis). */
  blockHash: Uint8Array;
  /** Its header time (the genesis time at genesis). */
  timeMs: number;
  /** App hash after executing it (the genesis app hash at genesis). */
  appHash: Uint8Array;
  /** App hash its header carried (after height-1), to tell whether the last block changed state. */
  headerAppHash: Uint8Array;
  /** Its commit, carried by the next block (null at genesis). */
  lastCommit: Commit | null;
  /** last_results_hash of the next block (zeros at genesis). */
  resultsHash: Uint8Array;
}

/** The header as the generated class (decoded blocks already hold one; hand-built ones may not). */
export function headerOf(block: Block): BlockHeader {
  const h = block.header;
  if (!h) throw new ConsensusError("INVALID_BLOCK", "block has no header");
  return h instanceof BlockHeader ? h : BlockHeader.create(h);
}

/** data_hash: the SSZ list root of the txs' sha256 hashes, in block order. */
export function txsHash(txs: readonly Uint8Array[]): Uint8Array {
  return hashListRoot(txs.map((tx) => sha256(tx)));
}

/**
 * last_results_hash: the SSZ list root of sha256(protobuf TxResult) of each tx, in block order.
 * Every node computes it for every tx of every block: results an application made (TxResult
 * instances) are written by the hand encoder, byte for byte the generated one's output and several
 * times faster; plain objects go through the generated encoder.
 */
export function resultsHash(results: readonly kyochi.types.v1.TxResult.$Properties[]): Uint8Array {
  return hashListRoot(
    results.map((r) => sha256(r instanceof TxResult ? encodeTxResult(r) : TxResult.encode(r).finish())),
  );
}

export function nextBlockTime(nowMs: number, tip: ChainTip): number {
  return Math.max(Math.floor(nowMs), tip.timeMs + 1);
}

export interface BuildBlockInput {
  chainId: string;
  tip: ChainTip;
  timeMs: number;
  txs: Uint8Array[];
  validators: ConsensusValidatorSet;
  /** The set of the next height (differs from `validators` when updates take effect then). */
  nextValidators: ConsensusValidatorSet;
  proposerAddress: Uint8Array;
  /** Verified evidence to include (header.evidence_hash commits to it). */
  evidence?: Evidence[];
}

export function buildBlock(input: BuildBlockInput): { block: Block; hash: Uint8Array } {
  const { tip } = input;
  const header = BlockHeader.create({
    chainId: input.chainId,
    height: tip.height + 1,
    timeMs: input.timeMs,
    lastBlockHash: tip.height === 0 ? ZERO_HASH : tip.blockHash,
    lastCommitHash: tip.lastCommit ? commitHash(tip.lastCommit) : ZERO_HASH,
    dataHash: txsHash(input.txs),
    validatorsHash: input.validators.hash,
    nextValidatorsHash: input.nextValidators.hash,
    appHash: tip.appHash,
    lastResultsHash: tip.height === 0 ? ZERO_HASH : tip.resultsHash,
    evidenceHash: evidenceHash(input.evidence ?? []),
    proposerAddress: input.proposerAddress,
  });
  const block = Block.create({
    header,
    txs: input.txs,
    lastCommit: tip.lastCommit,
    evidence: input.evidence ?? [],
  });
  return { block, hash: blockHeaderHash(header) };
}

export interface CheckBlockContext {
  chainId: string;
  tip: ChainTip;
  /** The set that signed the tip's commit (null at genesis). */
  lastValidators: ConsensusValidatorSet | null;
  validators: ConsensusValidatorSet;
  nextValidators: ConsensusValidatorSet;
  maxBlockBytes: number;
}

/**
 * Checks a proposed block against this node's own state (everything except the application's
 * verdict). Returns why it is invalid, or null when it is consistent.
 */
export function checkBlock(block: Block, ctx: CheckBlockContext): string | null {
  const { tip } = ctx;
  const h = block.header;
  if (!h) return "missing header";
  const height = tip.height + 1;
  if (h.chainId !== ctx.chainId) return `chain id "${h.chainId}" is not "${ctx.chainId}"`;
  if (Number(h.height) !== height) return `height ${h.height} is not ${height}`;
  if (!(Number(h.timeMs) > tip.timeMs))
    return `time ${h.timeMs} is not after the previous block's ${tip.timeMs}`;
  if (!bytesEqual(b(h.lastBlockHash), tip.height === 0 ? ZERO_HASH : tip.blockHash))
    return "last_block_hash mismatch";
  if (tip.height === 0) {
    if (block.lastCommit) return "the first block carries a last commit";
    if (!bytesEqual(b(h.lastCommitHash), ZERO_HASH))
      return "last_commit_hash must be zeros in the first block";
  } else {
    if (!block.lastCommit) return "missing last commit";
    const lastCommit =
      block.lastCommit instanceof Commit ? block.lastCommit : Commit.create(block.lastCommit);
    if (!ctx.lastValidators) return "no validator set for the last commit";
    try {
      verifyCommit(ctx.chainId, ctx.lastValidators, lastCommit, tip.height, tip.blockHash);
    } catch (err) {
      return err instanceof ConsensusError ? err.message : `last commit: ${(err as Error).message}`;
    }
    if (!bytesEqual(b(h.lastCommitHash), commitHash(lastCommit))) return "last_commit_hash mismatch";
  }
  let bytes = 0;
  for (const tx of block.txs) bytes += tx.length;
  if (bytes > ctx.maxBlockBytes) return `txs take ${bytes} bytes, more than ${ctx.maxBlockBytes}`;
  if (!bytesEqual(b(h.dataHash), txsHash(block.txs))) return "data_hash mismatch";
  if (!bytesEqual(b(h.validatorsHash), ctx.validators.hash)) return "validators_hash mismatch";
  if (!bytesEqual(b(h.nextValidatorsHash), ctx.nextValidators.hash)) return "next_validators_hash mismatch";
  if (!bytesEqual(b(h.appHash), tip.appHash)) return "app_hash mismatch";
  if (!bytesEqual(b(h.lastResultsHash), tip.height === 0 ? ZERO_HASH : tip.resultsHash))
    return "last_results_hash mismatch";
  const evidence = (block.evidence ?? []).map((e) => (e instanceof Evidence ? e : Evidence.create(e)));
  if (!bytesEqual(b(h.evidenceHash), evidenceHash(evidence))) return "evidence_hash mismatch";
  if (ctx.validators.indexOf(b(h.proposerAddress)) < 0) return "proposer is not a validator";
  return null;
}
