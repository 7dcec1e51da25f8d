// The error vocabulary of the RPC: every error a client can get has a JSON-RPC number (coarse,
// from the JSON-RPC 2.0 spec or the server range -32000..-32099) and a stable string code in
// `error.data.code` (fine, what clients switch on). rpc/ERRORS.md is the same table in prose.

/** JSON-RPC numbers by stable code. Never renumber: clients match on both. */
export const RPC_ERROR_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  BATCH_TOO_LARGE: -32600,
  REQUEST_TOO_LARGE: -32600,
  HTTP_METHOD_NOT_ALLOWED: -32600,
  UNSUPPORTED_MEDIA_TYPE: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  NOT_FOUND: -32000,
  HEIGHT_NOT_AVAILABLE: -32001,
  /** checkTx rejected the tx; data.code is the application's codename (e.g. TX_BAD_SIGNATURE). */
  TX_REJECTED: -32002,
  /** The mempool refused the tx; data.code is the mempool's code (e.g. MEMPOOL_FULL). */
  MEMPOOL_REJECTED: -32003,
  TX_COMMIT_TIMEOUT: -32004,
  UNAVAILABLE: -32005,
  /** A module query failed; data.code is the application's codename (e.g. LICENSE_NOT_FOUND). */
  QUERY_FAILED: -32006,
} as const;

export type RpcErrorKind = keyof typeof RPC_ERROR_CODES;

/** Why a parameter was refused (data.reason of INVALID_PARAMS). */
export type InvalidParamReason =
  | "NOT_AN_OBJECT"
  | "UNKNOWN_PARAM"
  | "MISSING"
  | "WRONG_TYPE"
  | "NOT_AN_INTEGER"
  | "OUT_OF_RANGE"
  | "BAD_HEX"
  | "BAD_LENGTH"
  | "BAD_ADDRESS"
  | "BAD_VALUE"
  | "CONFLICT";

/** What `error.data` always holds: the stable code, plus details that depend on it. */
export interface RpcErrorData {
  code: string;
  [detail: string]: unknown;
}

/**
 * An error the server reports to the client as is. `kind` picks the JSON-RPC number; `code` is the
 * stable string (usually the kind itself; for TX_REJECTED and MEMPOOL_REJECTED the rejecting
 * component's own code).
 */
export class RpcError extends Error {
  readonly kind: RpcErrorKind;
  readonly code: string;
  readonly rpcCode: number;
  readonly details: Record<string, unknown>;

  constructor(
    kind: RpcErrorKind,
    message: string,
    details: Record<string, unknown> = {},
    code: string = kind,
  ) {
    super(message);
    this.name = "RpcError";
    this.kind = kind;
    this.code = code;
    this.rpcCode = RPC_ERROR_CODES[kind];
    this.details = details;
  }

  get data(): RpcErrorData {
    return { code: this.code, ...this.details };
  }

  static invalidParam(param: string, reason: InvalidParamReason, message: string): RpcError {
    return new RpcError("INVALID_PARAMS", `invalid params: ${message}`, { param, reason });
  }
}
