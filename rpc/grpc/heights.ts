// Height arguments of the gRPC requests: 0 (unset) is "the latest committed height"; a height
// above it is OUT_OF_RANGE (not committed yet); a height the node no longer stores is
// FAILED_PRECONDITION (pruned), which the services report when the backend has nothing.
import type { RpcBackend } from "../backend.js";
import { GrpcError } from "./errors.js";

/** The committed height a request names (0 = latest); refuses one above the latest. */
export function committedHeight(backend: RpcBackend, requested: number): number {
  const latest = backend.latestHeight();
  if (requested === 0) {
    if (latest < 1) throw new GrpcError("HEIGHT_NOT_COMMITTED", "no block is committed yet");
    return latest;
  }
  return checkCommitted(backend, requested);
}

/** `height` itself, when committed; undefined for 0 (the backend then answers at the latest). */
export function optionalCommittedHeight(backend: RpcBackend, requested: number): number | undefined {
  return requested === 0 ? undefined : checkCommitted(backend, requested);
}

function checkCommitted(backend: RpcBackend, height: number): number {
  const latest = backend.latestHeight();
  if (height > latest) {
    throw new GrpcError(
      "HEIGHT_NOT_COMMITTED",
      `height ${height} is not committed yet (latest is ${latest})`,
    );
  }
  return height;
}

export function pruned(what: string, height: number): GrpcError {
  return new GrpcError("HEIGHT_PRUNED", `${what} of height ${height} is not stored (pruned)`);
}
