import type { CheckTxMode, CheckTxResult } from "../../consensus/application.js";

/** The subset of a pino logger the mempool uses (pino's Logger satisfies it). */
export interface MempoolLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface MempoolOptions {
  /** The application's checkTx: "new" when a tx arrives, "recheck" after every block. */
  /** `hash` is sha256(tx), computed once on arrival (see Application.checkTx). */
  checkTx: (tx: Uint8Array, mode: CheckTxMode, hash: Uint8Array) => Promise<CheckTxResult>;
  /** Most txs held at once. */
  maxTxs: number;
  /** Most bytes (sum of raw tx sizes) held at once. */
  maxBytes: number;
  /** Largest single tx accepted. */
  maxTxBytes: number;
  /** Most txs one sender may have waiting. */
  maxPerSender: number;
  /**
   * The account's next nonce as of the last committed block. With it, a sender's txs are proposed
   * only as a run contiguous from that nonce (a gap holds the later ones back), and txs whose nonce
   * was used by a block are dropped without a recheck. Without it, the sender's lowest waiting
   * nonce is taken as the start (raised by the txs the mempool saw committed).
   */
  nextNonce?: (sender: string) => Promise<number>;
  /** Re-run checkTx("recheck") on every remaining tx after each block (default true). */
  recheck?: boolean;
  /**
   * Most txs being checked at once (waiting for checkTx or for a block's update); beyond it a tx is
   * refused with MEMPOOL_BUSY at once (default DEFAULT_MAX_PENDING_CHECKS): a flood of txs from
   * clients or peers cannot grow the queue of checks, and the memory it holds, without bound.
   */
  maxPendingChecks?: number;
  logger?: MempoolLogger;
}

/** A tx waiting in the mempool, with what checkTx said about it. */
export interface MempoolTx {
  readonly tx: Uint8Array;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly sender: string;
  readonly nonce: number;
  /** Fee per gas from the last check; higher is proposed first. */
  priority: bigint;
  gasWanted: number;
  /** Arrival order, unique; breaks priority ties so the order is deterministic. */
  readonly seq: number;
  /** Height of the last committed block when the tx arrived. */
  readonly arrivalHeight: number;
}

export interface MempoolAddResult {
  hash: Uint8Array;
  /** The application's checkTx answer (code 0). */
  check: CheckTxResult;
  /** Hash (hex) of the tx this one replaced (same sender and nonce, lower fee), if any. */
  replaced?: string;
  /** Hashes (hex) of the txs evicted to make room, lowest priority first. */
  evicted: string[];
}

/** One line of `Mempool.list()`, for RPC and metrics. */
export interface MempoolTxSummary {
  hash: string;
  sender: string;
  nonce: number;
  priority: bigint;
  gasWanted: number;
  bytes: number;
}
