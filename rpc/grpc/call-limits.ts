// The gRPC server's caps on work in progress, as the JSON-RPC's (rpc/jsonrpc/limits.ts, whose
// RequestLimiter counts here too): unary calls at once across the server, and server streams
// (StreamBlocks) open at once. A call that finds its cap reached is refused at once with
// RESOURCE_EXHAUSTED, never queued, so a flood cannot build an unbounded backlog in the node.
// Health and reflection do not pass here: a load balancer's health check must get through a busy
// node. Streams per HTTP/2 connection are capped by grpc-js itself (grpc.max_concurrent_streams).
import { BUSY_RETRY_AFTER_SECONDS, RequestLimiter } from "../jsonrpc/limits.js";
import type { RpcLogger } from "../logger.js";
import { GrpcError } from "./errors.js";

export const DEFAULT_GRPC_MAX_CONCURRENT_REQUESTS = 256;
export const DEFAULT_GRPC_MAX_STREAMS = 100;
export const DEFAULT_GRPC_MAX_STREAMS_PER_CONNECTION = 100;

/** A cap a call must pass: a slot taken before the handler runs, given back once it answered. */
export interface CallGate {
  /** Takes a slot; false, and nothing taken, when none is free. */
  tryAcquire(): boolean;
  release(): void;
  /** What a refused call is answered with. */
  refusal(): GrpcError;
}

/** The gates of a server's kyochi methods: unary ones pass `unary`, server streams `stream`. */
export interface CallLimits {
  unary: CallGate;
  stream: CallGate;
}

export function callLimits(
  opts: { maxConcurrentRequests: number; maxStreams: number },
  logger?: RpcLogger,
): CallLimits {
  const unary = new RequestLimiter(opts.maxConcurrentRequests, logger, "grpc.max_concurrent_requests");
  const stream = new RequestLimiter(opts.maxStreams, logger, "grpc.max_streams");
  return {
    unary: gate(
      unary,
      () =>
        new GrpcError(
          "SERVER_BUSY",
          `the server is handling its limit of ${unary.max} calls at once; retry in ${BUSY_RETRY_AFTER_SECONDS} s`,
        ),
    ),
    stream: gate(
      stream,
      () =>
        new GrpcError(
          "TOO_MANY_STREAMS",
          `the server has its limit of ${stream.max} streams open; retry when one ends`,
        ),
    ),
  };
}

function gate(limiter: RequestLimiter, refusal: () => GrpcError): CallGate {
  return {
    tryAcquire: () => limiter.tryAcquire(),
    release: () => limiter.release(),
    refusal,
  };
}
