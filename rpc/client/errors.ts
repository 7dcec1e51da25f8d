import type { RpcErrorData } from "../errors.js";

/** Stable codes of failures on the client's side of the wire (error.data.code). */
export type ClientSideCode =
  /** The node could not be reached (refused, reset, DNS). */
  | "CONNECTION_FAILED"
  /** No answer within the client's timeout. */
  | "TIMEOUT"
  /** The answer was not a JSON-RPC response. */
  | "BAD_RESPONSE"
  /** waitForTx: the tx was not in a committed block within the wait (TxWaitTimeoutError). */
  | "TX_WAIT_TIMEOUT";

/**
 * A failed call. For an error the server sent, `code` is the JSON-RPC number and `data.code` the
 * stable Kyochi code (see rpc/ERRORS.md); for a client-side failure `code` is 0 and `data.code`
 * one of ClientSideCode.
 */
export class RpcClientError extends Error {
  readonly code: number;
  readonly data: RpcErrorData;
  /** HTTP status of the answer, when there was one. */
  readonly httpStatus?: number;

  constructor(code: number, message: string, data: RpcErrorData, httpStatus?: number) {
    super(message);
    this.name = "RpcClientError";
    this.code = code;
    this.data = data;
    if (httpStatus !== undefined) this.httpStatus = httpStatus;
  }

  /** The stable string code (error.data.code). */
  get kyochiCode(): string {
    return this.data.code;
  }

  static clientSide(
    code: ClientSideCode,
    message: string,
    details: Record<string, unknown> = {},
  ): RpcClientError {
    return new RpcClientError(0, message, { code, ...details });
  }
}

/**
 * waitForTx gave up: no committed block held the tx within `timeoutMs`. The tx may still be
 * included later (or may have been dropped from the mempool): ask tx_get again, or resend it.
 */
export class TxWaitTimeoutError extends RpcClientError {
  /** The tx hash, 0x-hex. */
  readonly hash: string;
  readonly timeoutMs: number;

  constructor(hash: string, timeoutMs: number) {
    super(0, `tx ${hash} was not committed within ${timeoutMs} ms`, {
      code: "TX_WAIT_TIMEOUT",
      hash,
      timeoutMs,
    });
    this.name = "TxWaitTimeoutError";
    this.hash = hash;
    this.timeoutMs = timeoutMs;
  }
}
