// What every gRPC service handler works with.
import type { RpcBackend } from "../backend.js";
import type { MethodContext } from "../jsonrpc/methods/index.js";
import type { RpcLogger } from "../logger.js";
import type { CallLimits } from "./call-limits.js";
import type { GrpcRequestObserver } from "./define.js";

export interface GrpcContext extends MethodContext {
  backend: RpcBackend;
  /** Default and longest wait of Broadcast in COMMIT mode. */
  commitTimeoutMs: number;
  logger?: RpcLogger;
  /** Resolves when the server is closing: open streams end instead of waiting for blocks. */
  closing: Promise<void>;
  /** Hears of every call once answered (see GrpcRequestObserver). */
  onRequest?: GrpcRequestObserver;
  /** The caps on unary calls and on streams in progress (none: unlimited). */
  limits?: CallLimits;
}
