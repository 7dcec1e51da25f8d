import type { RpcBackend } from "../../backend.js";
import { RpcError } from "../../errors.js";
import type { RpcMethodName, RpcMethods } from "../../types.js";

export interface MethodContext {
  backend: RpcBackend;
  /** Default and longest wait of tx_broadcast in commit mode. */
  commitTimeoutMs: number;
}

export type MethodHandler<M extends RpcMethodName> = (
  params: unknown,
  ctx: MethodContext,
) => Promise<RpcMethods[M]["result"]>;

/** Every method of rpc/types.ts, with its handler (a missing one does not compile). */
export type MethodTable = { [M in RpcMethodName]: MethodHandler<M> };

/** Refuses a height above the last committed one before asking the backend. */
export function assertCommitted(ctx: MethodContext, height: number): void {
  const latest = ctx.backend.latestHeight();
  if (height > latest) {
    throw new RpcError(
      "HEIGHT_NOT_AVAILABLE",
      `height ${height} is not committed yet (latest is ${latest})`,
      {
        height,
        latestHeight: latest,
      },
    );
  }
}

/** The height a query without one answers at; refuses when nothing is committed yet. */
export function latestCommitted(ctx: MethodContext): number {
  const latest = ctx.backend.latestHeight();
  if (latest < 1) {
    throw new RpcError("HEIGHT_NOT_AVAILABLE", "no block is committed yet", { latestHeight: latest });
  }
  return latest;
}
