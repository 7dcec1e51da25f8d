// The one seam between consensus and the state machine (CometBFT's ABCI++). Consensus declares
// it and drives it; execution satisfies it structurally; node/ wires the two. Only plain data and
// proto types cross it.
import type { Event, TxResult, ValidatorUpdate } from "../proto/index.js";
import type { WriteBatch } from "../state/db.js";

export interface AppInfo {
  /** Last committed height (0 before the first block). */
  lastHeight: number;
  /** State root after `lastHeight`. */
  lastAppHash: Uint8Array;
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

export interface BlockContext {
  height: number;
  /** Block time, unix ms. Execution's only notion of time. */
  timeMs: number;
  proposerAddress: Uint8Array;
  /** Hash of the previous block, the seed of any randomness. */
  lastBlockHash: Uint8Array;
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

export interface Application {
  info(): Promise<AppInfo>;
  checkTx(tx: Uint8Array, mode: CheckTxMode): Promise<CheckTxResult>;
  /** Chooses the block's txs (drops invalid ones, respects limits). */
  prepareProposal(req: PrepareProposalRequest): Promise<Uint8Array[]>;
  /** Accepts or rejects a proposed block without changing state. */
  processProposal(req: ProcessProposalRequest): Promise<boolean>;
  /** Executes the decided block; nothing is written until `commit`. */
  finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResult>;
  /**
   * Adds the finalized block's state, results and index writes to `batch`, which the caller
   * writes atomically together with the block and its commit. After this the app serves the new
   * height; if the batch write fails the process must exit (the handshake repairs on restart).
   */
  commit(batch: WriteBatch): Promise<{ retainHeight: number }>;
  query(req: QueryRequest): Promise<QueryResult>;
}
