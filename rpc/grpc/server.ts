// The gRPC server (@grpc/grpc-js, HTTP/2 without TLS): the chain, tx and module query services
// over the same RpcBackend as the JSON-RPC, plus server reflection (grpc.reflection.v1 and
// v1alpha, so grpcurl and other stock clients discover the services) and grpc.health.v1.Health
// (SERVING while the server runs, NOT_SERVING once it closes).
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import type { RpcBackend } from "../backend.js";
import type { RpcLogger } from "../logger.js";
import {
  callLimits,
  DEFAULT_GRPC_MAX_CONCURRENT_REQUESTS,
  DEFAULT_GRPC_MAX_STREAMS,
  DEFAULT_GRPC_MAX_STREAMS_PER_CONNECTION,
} from "./call-limits.js";
import { CHAIN_SERVICE, chainService } from "./chain-service.js";
import type { GrpcContext } from "./context.js";
import type { DefinedService, GrpcRequestObserver } from "./define.js";
import { kyochiPackageDefinition } from "./descriptor.js";
import { moduleServices } from "./module-services.js";
import { TX_SERVICE, txService } from "./tx-service.js";

export const DEFAULT_GRPC_HOST = "127.0.0.1";
export const DEFAULT_GRPC_PORT = 9090;
export const DEFAULT_GRPC_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** How long close() lets unary calls finish before cutting every connection. */
const CLOSE_GRACE_MS = 2000;

export interface GrpcServerOptions {
  backend: RpcBackend;
  /** Default 127.0.0.1: the server can submit txs, so it is not exposed unless asked. */
  host?: string;
  /** Default 9090; 0 picks a free port (see the returned `port`). */
  port?: number;
  /** Largest message received or sent, in bytes (default 4 MiB): larger ones are RESOURCE_EXHAUSTED. */
  maxMessageBytes?: number;
  /** Unary calls of kyochi methods handled at once (default 256); more: RESOURCE_EXHAUSTED SERVER_BUSY. */
  maxConcurrentRequests?: number;
  /** Streams (StreamBlocks) open at once (default 100); more: RESOURCE_EXHAUSTED TOO_MANY_STREAMS. */
  maxStreams?: number;
  /** HTTP/2 streams (calls of any method) at once on one connection (default 100); the client waits for more. */
  maxStreamsPerConnection?: number;
  /** Default and longest wait of Broadcast in COMMIT mode (default 10 s). */
  commitTimeoutMs?: number;
  logger?: RpcLogger;
  /**
   * Told of every call of a kyochi service once answered (streams once they end): the path
   * ("/package.Service/Method"), the gRPC status name and the seconds it took. Reflection and
   * health calls are not reported.
   */
  onRequest?: GrpcRequestObserver;
}

export interface GrpcServer {
  readonly host: string;
  readonly port: number;
  /** host:port, as a gRPC client dials it. */
  readonly address: string;
  /** Full names of the kyochi services served. */
  readonly services: readonly string[];
  /** Ends open streams, lets unary calls finish (briefly), then stops. */
  close(): Promise<void>;
}

/** The kyochi services over `ctx` (exported for tests that check them against the descriptor). */
export function kyochiServices(ctx: GrpcContext, logger?: RpcLogger): DefinedService[] {
  return [chainService(ctx, logger), txService(ctx, logger), ...moduleServices(ctx, logger)];
}

export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const host = opts.host ?? DEFAULT_GRPC_HOST;
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_GRPC_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes <= 0)
    throw new RangeError(`maxMessageBytes must be a positive integer, got ${maxMessageBytes}`);
  const perConnection = opts.maxStreamsPerConnection ?? DEFAULT_GRPC_MAX_STREAMS_PER_CONNECTION;
  if (!Number.isSafeInteger(perConnection) || perConnection <= 0 || perConnection > 2 ** 31 - 1)
    throw new RangeError(`maxStreamsPerConnection must be an integer in 1..2^31-1, got ${perConnection}`);
  const limits = callLimits(
    {
      maxConcurrentRequests: opts.maxConcurrentRequests ?? DEFAULT_GRPC_MAX_CONCURRENT_REQUESTS,
      maxStreams: opts.maxStreams ?? DEFAULT_GRPC_MAX_STREAMS,
    },
    opts.logger,
  );
  let startClosing = () => {};
  const closing = new Promise<void>((resolve) => {
    startClosing = resolve;
  });
  const ctx: GrpcContext = {
    backend: opts.backend,
    commitTimeoutMs: opts.commitTimeoutMs ?? 10_000,
    closing,
    limits,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.onRequest !== undefined ? { onRequest: opts.onRequest } : {}),
  };
  const services = kyochiServices(ctx, opts.logger);

  const server = new Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
    // The HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS the server announces: a client holds further
    // calls on that connection until one ends (or opens another connection).
    "grpc.max_concurrent_streams": perConnection,
  });
  for (const s of services) server.addService(s.definition, s.implementation);
  new ReflectionService(kyochiPackageDefinition(), {
    services: services.map((s) => s.name),
  }).addToServer(server);
  const health = new HealthImplementation({
    "": "SERVING",
    ...Object.fromEntries(services.map((s) => [s.name, "SERVING" as const])),
  });
  health.addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `${host}:${opts.port ?? DEFAULT_GRPC_PORT}`,
      ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    );
  });
  const shown = host.includes(":") ? `[${host}]` : host;
  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    address: `${shown}:${port}`,
    services: services.map((s) => s.name),
    close() {
      closed ??= (async () => {
        health.setStatus("", "NOT_SERVING");
        for (const s of services) health.setStatus(s.name, "NOT_SERVING");
        startClosing();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, CLOSE_GRACE_MS);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      })();
      return closed;
    },
  };
}

export { CHAIN_SERVICE, TX_SERVICE };
