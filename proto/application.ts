// The values that cross the Application seam (CometBFT's ABCI++ requests and responses). They
// live in proto/ because both sides use them and neither may import the other: consensus declares
// the port (consensus/application.ts), execution satisfies it.
import type { Event, TxResult, ValidatorUpdate } from "./index.js";

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
