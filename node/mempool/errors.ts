// Errors of the mempool. One class with a stable string `code` (Lodestar style). When the
// application rejects a tx, `code` is the application's own codename (e.g. "TX_BAD_SIGNATURE"),
// so a client sees the same code whether it asks the mempool or the chain.
import type { CheckTxResult } from "../../consensus/application.js";

export type MempoolErrorCode =
  /** The pool is at its count or byte limit and the tx does not pay enough to evict another. */
  | "MEMPOOL_FULL"
  /** A tx with the same hash is already waiting (or being checked). */
  | "MEMPOOL_DUPLICATE"
  /** The tx is larger than `maxTxBytes`. */
  | "MEMPOOL_TX_TOO_LARGE"
  /** The sender already has `maxPerSender` txs waiting. */
  | "MEMPOOL_SENDER_LIMIT"
  /** Same sender and nonce as a waiting tx, without a strictly higher fee per gas. */
  | "MEMPOOL_REPLACEMENT_UNDERPRICED"
  /** `maxPendingChecks` txs are being checked already: retry shortly (load is shed, not queued). */
  | "MEMPOOL_BUSY";

/** A mempool code, or the application's codename when `rejectedByApp`. */
export type MempoolRejectionCode = MempoolErrorCode | (string & {});

export class MempoolError extends Error {
  readonly code: MempoolRejectionCode;
  /** True when checkTx rejected the tx; `checkTx` then holds the application's answer. */
  readonly rejectedByApp: boolean;
  readonly checkTx?: CheckTxResult;
  /** Hash of the rejected tx. */
  readonly hash: Uint8Array;

  constructor(code: MempoolErrorCode, message: string, hash: Uint8Array);
  constructor(code: string, message: string, hash: Uint8Array, checkTx: CheckTxResult);
  constructor(code: string, message: string, hash: Uint8Array, checkTx?: CheckTxResult) {
    super(message);
    this.name = "MempoolError";
    this.code = code;
    this.hash = hash;
    this.rejectedByApp = checkTx !== undefined;
    if (checkTx !== undefined) this.checkTx = checkTx;
  }

  static fromCheckTx(result: CheckTxResult, hash: Uint8Array): MempoolError {
    // An app that forgets a codename still yields a stable, greppable code.
    const code = result.codename !== "" ? result.codename : `TX_REJECTED_${result.code}`;
    return new MempoolError(code, result.log !== "" ? result.log : `tx rejected (${code})`, hash, result);
  }
}
