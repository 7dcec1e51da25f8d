// The gRPC area's errors, and how every failure a handler can meet becomes a gRPC status. A client
// gets the status code (coarse) and, in the trailing metadata `kyochi-error-code`, the same stable
// string code as the JSON-RPC's error.data.code (fine; rpc/ERRORS.md).
import { Metadata, type StatusObject, status } from "@grpc/grpc-js";
import { CodedError } from "../../proto/coded-error.js";
import { RpcBackendError } from "../backend.js";
import { RpcError, type RpcErrorKind } from "../errors.js";
import type { RpcLogger } from "../logger.js";

export type GrpcErrorCode =
  | "DESCRIPTOR_MISSING"
  | "DESCRIPTOR_MISMATCH"
  | "MALFORMED_REQUEST"
  | "INVALID_ARGUMENT"
  | "HEIGHT_NOT_COMMITTED"
  | "HEIGHT_PRUNED"
  | "NOT_FOUND"
  | "PATH_NOT_IN_MODULE"
  | "STREAM_TOO_SLOW"
  | "SERVER_BUSY"
  | "TOO_MANY_STREAMS"
  | "SHUTTING_DOWN";

/** Metadata key holding the stable string code of a failed call. */
export const ERROR_CODE_METADATA = "kyochi-error-code";

/** A failure of the gRPC layer itself; `status` is what the client sees. */
export class GrpcError extends CodedError<GrpcErrorCode> {
  readonly status: status;
  constructor(code: GrpcErrorCode, message: string, options?: { cause?: unknown; status?: status }) {
    super(code, message, options);
    this.status = options?.status ?? STATUS_OF_GRPC_CODE[code];
  }
}

const STATUS_OF_GRPC_CODE: Record<GrpcErrorCode, status> = {
  DESCRIPTOR_MISSING: status.INTERNAL,
  DESCRIPTOR_MISMATCH: status.INTERNAL,
  MALFORMED_REQUEST: status.INVALID_ARGUMENT,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  HEIGHT_NOT_COMMITTED: status.OUT_OF_RANGE,
  HEIGHT_PRUNED: status.FAILED_PRECONDITION,
  NOT_FOUND: status.NOT_FOUND,
  PATH_NOT_IN_MODULE: status.INVALID_ARGUMENT,
  STREAM_TOO_SLOW: status.RESOURCE_EXHAUSTED,
  SERVER_BUSY: status.RESOURCE_EXHAUSTED,
  TOO_MANY_STREAMS: status.RESOURCE_EXHAUSTED,
  SHUTTING_DOWN: status.UNAVAILABLE,
};

const STATUS_OF_RPC_KIND: Record<RpcErrorKind, status> = {
  PARSE_ERROR: status.INVALID_ARGUMENT,
  INVALID_REQUEST: status.INVALID_ARGUMENT,
  BATCH_TOO_LARGE: status.INVALID_ARGUMENT,
  REQUEST_TOO_LARGE: status.RESOURCE_EXHAUSTED,
  HTTP_METHOD_NOT_ALLOWED: status.UNIMPLEMENTED,
  UNSUPPORTED_MEDIA_TYPE: status.INVALID_ARGUMENT,
  METHOD_NOT_FOUND: status.UNIMPLEMENTED,
  INVALID_PARAMS: status.INVALID_ARGUMENT,
  INTERNAL_ERROR: status.INTERNAL,
  NOT_FOUND: status.NOT_FOUND,
  // Refined below: a height above the latest is OUT_OF_RANGE, a pruned one FAILED_PRECONDITION.
  HEIGHT_NOT_AVAILABLE: status.FAILED_PRECONDITION,
  TX_REJECTED: status.INVALID_ARGUMENT,
  MEMPOOL_REJECTED: status.RESOURCE_EXHAUSTED,
  TX_COMMIT_TIMEOUT: status.DEADLINE_EXCEEDED,
  UNAVAILABLE: status.UNAVAILABLE,
  QUERY_FAILED: status.FAILED_PRECONDITION,
};

/**
 * The status a client gets for `err`. GrpcError, RpcError (the JSON-RPC methods the module
 * services reuse) and RpcBackendError keep their message; anything else is a bug or an
 * infrastructure failure: logged in full, answered as a bare INTERNAL.
 */
export function toServiceError(err: unknown, method: string, logger?: RpcLogger): Partial<StatusObject> {
  if (err instanceof GrpcError) return failure(err.status, err.message, err.code);
  if (err instanceof RpcError) {
    let code = STATUS_OF_RPC_KIND[err.kind];
    if (err.kind === "HEIGHT_NOT_AVAILABLE" && aboveLatest(err.details)) code = status.OUT_OF_RANGE;
    return failure(code, err.message, err.code);
  }
  if (err instanceof RpcBackendError) {
    const code =
      err.code === "NOT_FOUND"
        ? status.NOT_FOUND
        : err.code === "UNAVAILABLE"
          ? status.UNAVAILABLE
          : status.FAILED_PRECONDITION;
    return failure(code, err.message, err.code);
  }
  logger?.error({ err, method }, "grpc method failed");
  return failure(status.INTERNAL, "internal error", "INTERNAL_ERROR");
}

function aboveLatest(details: Record<string, unknown>): boolean {
  const { height, latestHeight } = details;
  if (typeof latestHeight !== "number") return false;
  return typeof height !== "number" || height > latestHeight;
}

function failure(code: status, details: string, stable: string): Partial<StatusObject> {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA, stable);
  return { code, details, metadata };
}
