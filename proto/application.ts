// The values that cross the Application seam (CometBFT's ABCI++ requests and responses). They
// live in proto/ because both sides use them and neither may import the other: consensus declares
// the port (consensus/application.ts), execution satisfies it.
import type { Event, TxResult, ValidatorUpdate } from "./index.js";

/**
 * The application's request that consensus stop before `height`: it must not be proposed, voted
 * on or executed by this software (a governance software upgrade this release does not
 * implement). `reason` is what the operator is told.
 */
export interface HaltRequest {
  height: number;
  reason: string;
}

export interface AppInfo {
  /** Last committed height (0 before the first block). */
  lastHeight: number;
  /** State root after `lastHeight`. */
  lastAppHash: Uint8Array;
  /** Set when the committed state schedules a halt (consensus refuses to start at or past it). */
  haltAt?: HaltRequest;
}

export interface CommitResult {
  /** Blocks below this height may be pruned (0: keep all). */
  retainHeight: number;
  /** Set when the committed state schedules a halt; consensus stops once the next height is it. */
  haltAt?: HaltRequest;
}

export type CheckTxMode = "new" | "recheck";

export interface CheckTxResult {
  /** 0 = accepted into the mempool; otherwise a stable result code. */
  code: number;
  /** Stable error code name (e.g. "TX_BAD_SIGNATURE"), empty on success. */
  codename: string;
  log: string;
  /** Sender address (hex) for per-sender ordering in the mempool. */
  sender: string;
  nonce: number;
  /** Fee per gas (priority), base units. */
  priority: bigint;
  gasWanted: number;
  hash: Uint8Array;
}

/** One validator's part in the commit of the previous block (CometBFT's VoteInfo). */
export interface CommitVoteInfo {
  /** 20-byte consensus address. */
  validatorAddress: Uint8Array;
  power: number;
  /** True when its precommit for the block is in the commit (false: absent or nil). */
  signed: boolean;
}

/**
 * Who signed the commit of block height-1, one entry per validator of that height's set, in set
 * order (empty for the first block). The staking module counts missed blocks from it.
 */
export interface CommitInfo {
  round: number;
  votes: CommitVoteInfo[];
}

/** Misbehaviour that consensus verified and included in the block (CometBFT's Misbehavior). */
export interface Misbehavior {
  type: "duplicate_vote";
  /** 20-byte consensus address of the offender. */
  validatorAddress: Uint8Array;
  /** Height of the offence. */
  height: number;
  /** Block time at `height`, unix ms. */
  timeMs: number;
  /** Total voting power of the validator set at `height`. */
  totalVotingPower: number;
  /** The offender's power at `height`. */
  validatorPower: number;
}

export interface BlockContext {
  height: number;
  /** Block time, unix ms. Execution's only notion of time. */
  timeMs: number;
  proposerAddress: Uint8Array;
  /** Hash of the previous block, the seed of any randomness. */
  lastBlockHash: Uint8Array;
  /** Votes in the commit of the previous block carried by this block. */
  lastCommit: CommitInfo;
  /** Evidence included in this block, already verified by consensus. */
  misbehavior: Misbehavior[];
}

export interface PrepareProposalRequest extends BlockContext {
  /** Candidate txs from the mempool in priority order. */
  txs: Uint8Array[];
  maxTxBytes: number;
  maxGas: number;
}

export interface ProcessProposalRequest extends BlockContext {
  txs: Uint8Array[];
  blockHash: Uint8Array;
}

export interface FinalizeBlockRequest extends BlockContext {
  txs: Uint8Array[];
  blockHash: Uint8Array;
}

export interface FinalizeBlockResult {
  txResults: TxResult[];
  events: Event[];
  /**
   * Changes to the validator set decided by this block (power 0 removes a validator). Consensus
   * applies the updates returned at height H from height H+2 on, as CometBFT does.
   */
  validatorUpdates: ValidatorUpdate[];
  /** State root after this block. */
  appHash: Uint8Array;
}

export interface QueryRequest {
  /** e.g. "account/<address>", "proof/<hex key>" */
  path: string;
  data?: Uint8Array;
  /** 0 = latest committed. */
  height?: number;
  prove?: boolean;
}

export interface QueryResult {
  code: number;
  codename: string;
  log: string;
  height: number;
  key?: Uint8Array;
  value?: Uint8Array;
  proof?: unknown;
}
