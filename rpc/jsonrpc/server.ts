// JSON-RPC 2.0 over HTTP with node:http. POST / carries requests (one or a batch); GET / answers a
// short JSON description. The body is read up to `maxBodyBytes` and no further: a larger body gets
// HTTP 413 with a JSON-RPC error, the rest is drained (up to a bound) and the connection closed.
// WebSocket upgrades on the same port (to / or /websocket) carry the same methods plus
// subscriptions (ws-server.ts).
// Limits before any work: connections per IP and in all (connection-limits.ts), browser origins
// (cors.ts; OPTIONS answers preflights), then requests handled at once across HTTP and WebSocket
// (limits.ts: over the cap, 503 SERVER_BUSY with Retry-After, never a queue).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RpcBackend } from "../backend.js";
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import {
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_OPEN_CONNECTIONS,
  HttpConnectionLimiter,
} from "./connection-limits.js";
import { CORS_ALLOWED_METHODS, type CorsOptions, CorsPolicy } from "./cors.js";
import { Dispatcher, failure, type RequestObserver } from "./dispatch.js";
import {
  BUSY_RETRY_AFTER_SECONDS,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  RequestLimiter,
  refusalOf,
} from "./limits.js";
import { METHODS } from "./methods/index.js";
import { attachWebSocket, type WebSocketLimits } from "./ws-server.js";

export const DEFAULT_RPC_HOST = "127.0.0.1";
export const DEFAULT_RPC_PORT = 26657;
export const DEFAULT_MAX_BATCH = 100;
export const DEFAULT_COMMIT_TIMEOUT_MS = 10_000;

export interface JsonRpcServerOptions {
  backend: RpcBackend;
  /** Default 127.0.0.1: the RPC can submit txs, so it is not exposed unless asked. */
  host?: string;
  /** Default 26657; 0 picks a free port (see the returned `port`). */
  port?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Most requests in one batch (default 100). */
  maxBatch?: number;
  /** Default and longest wait of tx_broadcast in commit mode (default 10 s). */
  commitTimeoutMs?: number;
  /** Limits of JSON-RPC over WebSocket (subscriptions, connections per IP, message and buffer sizes). */
  websocket?: WebSocketLimits;
  /** JSON-RPC requests handled at once over HTTP and WebSocket together (default 256). */
  maxConcurrentRequests?: number;
  /** Open HTTP connections from one IP address, idle keep-alive ones included (default 100). */
  maxConnectionsPerIp?: number;
  /** Open connections in all, WebSocket ones included (default 900). */
  maxOpenConnections?: number;
  /** Browser origins allowed (default none: no CORS headers, browser requests refused). */
  cors?: CorsOptions;
  logger?: RpcLogger;
  /** Told of every JSON-RPC request answered, over HTTP and WebSocket (the node's metrics). */
  onRequest?: RequestObserver;
}

export interface JsonRpcServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port */
  readonly url: string;
  /** ws://host:port/websocket */
  readonly wsUrl: string;
  /** Open WebSocket connections and their subscriptions. */
  websocketStats(): { connections: number; subscriptions: number };
  /** JSON-RPC requests being handled now, over HTTP and WebSocket (what maxConcurrentRequests caps). */
  requestsInFlight(): number;
  /** Stops accepting, ends open connections (pending requests included). */
  close(): Promise<void>;
}

export async function startJsonRpcServer(opts: JsonRpcServerOptions): Promise<JsonRpcServer> {
  const host = opts.host ?? DEFAULT_RPC_HOST;
  const maxBatch = opts.maxBatch ?? DEFAULT_MAX_BATCH;
  const commitTimeoutMs = opts.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS;
  if (!Number.isSafeInteger(opts.maxBodyBytes) || opts.maxBodyBytes <= 0) {
    throw new RangeError(`maxBodyBytes must be a positive integer, got ${opts.maxBodyBytes}`);
  }
  if (!Number.isSafeInteger(maxBatch) || maxBatch <= 0)
    throw new RangeError(`maxBatch must be positive, got ${maxBatch}`);
  if (!Number.isSafeInteger(commitTimeoutMs) || commitTimeoutMs <= 0) {
    throw new RangeError(`commitTimeoutMs must be positive, got ${commitTimeoutMs}`);
  }
  const dispatcher = new Dispatcher({
    methods: METHODS,
    context: { backend: opts.backend, commitTimeoutMs },
    maxBatch,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.onRequest !== undefined ? { onRequest: opts.onRequest } : {}),
  });
  const logger = opts.logger;
  const cors = new CorsPolicy(opts.cors);
  const requests = new RequestLimiter(opts.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS, logger);

  const server = createServer();
  // Before the request listener: the limiter's 'upgrade' listener must also run before the
  // WebSocket endpoint's.
  const connections = new HttpConnectionLimiter(server, {
    maxConnectionsPerIp: opts.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    maxOpenConnections: opts.maxOpenConnections ?? DEFAULT_MAX_OPEN_CONNECTIONS,
    ...(logger !== undefined ? { logger } : {}),
  });
  const http: HttpContext = { dispatcher, maxBodyBytes: opts.maxBodyBytes, cors, requests, connections };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, http).catch((err: unknown) => {
      // Only a transport failure gets here (dispatch never throws).
      logger?.error({ err }, "rpc request failed");
      if (!res.headersSent)
        sendJson(res, 500, failure(null, new RpcError("INTERNAL_ERROR", "internal error")));
      else res.destroy();
    });
  });
  // A slow or idle client must not hold a connection forever (commit waits fit well inside).
  server.requestTimeout = Math.max(60_000, commitTimeoutMs + 10_000);
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? DEFAULT_RPC_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const websocket = attachWebSocket(server, {
    backend: opts.backend,
    methods: METHODS,
    context: { backend: opts.backend, commitTimeoutMs },
    maxBatch,
    cors,
    requests,
    ...(opts.websocket !== undefined ? { limits: opts.websocket } : {}),
    ...(opts.onRequest !== undefined ? { onRequest: opts.onRequest } : {}),
    ...(logger !== undefined ? { logger } : {}),
  });
  const port = (server.address() as AddressInfo).port;
  logger?.info({ host, port, maxBodyBytes: opts.maxBodyBytes, maxBatch }, "JSON-RPC server listening");
  const hostPort = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    host,
    port,
    url: `http://${hostPort}`,
    wsUrl: `ws://${hostPort}/websocket`,
    websocketStats: () => ({ connections: websocket.connections, subscriptions: websocket.subscriptions }),
    requestsInFlight: () => requests.inFlight,
    close: async () => {
      // WebSocket sockets are outside the HTTP server's connection tracking: close them first.
      await websocket.close();
      await closeServer(server);
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** What every HTTP request is handled with. */
interface HttpContext {
  dispatcher: Dispatcher;
  maxBodyBytes: number;
  cors: CorsPolicy;
  requests: RequestLimiter;
  connections: HttpConnectionLimiter;
}

const ALLOWED_HTTP_METHODS = CORS_ALLOWED_METHODS;

async function handle(req: IncomingMessage, res: ServerResponse, ctx: HttpContext) {
  const origin = req.headers.origin;
  // On every answer, errors included, so an allowed page can read why it failed.
  for (const [name, value] of Object.entries(ctx.cors.responseHeaders(origin))) res.setHeader(name, value);
  if (ctx.connections.isRefused(req.socket)) {
    refuseConnection(req, res, ctx.connections);
    return;
  }
  if (!ctx.cors.allows(origin)) {
    refuseOrigin(res, origin!, ctx.cors);
    return;
  }
  const path = (req.url ?? "/").split("?")[0];
  if (path !== "/") {
    sendJson(
      res,
      404,
      failure(null, new RpcError("INVALID_REQUEST", `no such path ${path}; POST JSON-RPC to /`)),
    );
    return;
  }
  if (req.method === "GET" || req.method === "HEAD") {
    sendJson(res, 200, help(), req.method === "HEAD");
    return;
  }
  if (req.method === "OPTIONS") {
    // A CORS preflight (the origin is allowed, or it would have been refused above), or a plain
    // OPTIONS asking what the endpoint accepts.
    const preflight = origin !== undefined && req.headers["access-control-request-method"] !== undefined;
    res.writeHead(204, preflight ? ctx.cors.preflightHeaders(origin) : { Allow: ALLOWED_HTTP_METHODS });
    res.end();
    return;
  }
  if (req.method !== "POST") {
    res.setHeader("Allow", ALLOWED_HTTP_METHODS);
    sendJson(
      res,
      405,
      failure(
        null,
        new RpcError("HTTP_METHOD_NOT_ALLOWED", `HTTP method ${req.method} is not allowed; use POST`),
      ),
    );
    return;
  }
  const contentType = req.headers["content-type"];
  if (contentType !== undefined && !isJsonContentType(contentType)) {
    sendJson(
      res,
      415,
      failure(
        null,
        new RpcError(
          "UNSUPPORTED_MEDIA_TYPE",
          `content type ${contentType} is not supported; send application/json`,
        ),
      ),
    );
    return;
  }

  const body = await readBody(req, ctx.maxBodyBytes);
  if (body === undefined) {
    refuseTooLarge(req, res, ctx.maxBodyBytes);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (err) {
    sendJson(res, 200, failure(null, new RpcError("PARSE_ERROR", `parse error: ${(err as Error).message}`)));
    return;
  }
  if (!ctx.requests.tryAcquire()) {
    res.setHeader("Retry-After", String(BUSY_RETRY_AFTER_SECONDS));
    sendJson(res, 503, refusalOf(parsed, ctx.requests.busyError()));
    return;
  }
  let response: Awaited<ReturnType<Dispatcher["dispatch"]>>;
  try {
    response = await ctx.dispatcher.dispatch(parsed);
  } finally {
    ctx.requests.release();
  }
  if (response === undefined) {
    res.writeHead(204).end();
    return;
  }
  sendJson(res, 200, response);
}

function isJsonContentType(value: string): boolean {
  const type = value.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

/** The body, or undefined as soon as it is known to exceed `limit` (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading (not destroy: the 413 answer still has to go out on this socket).
        stop();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/**
 * The 413 goes out at once, but its response is ended only when the refused body has been read and
 * thrown away: Node closes a `Connection: close` socket as soon as the response ends, and a client
 * that writes its whole body before reading the answer (fetch does) would get a broken pipe instead
 * of the 413. The answer carries its Content-Length, so a client can read it whole before the end.
 * Beyond DRAIN_MAX_BYTES, or after DRAIN_MS, the socket is cut: nobody makes us read without end.
 */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MS = 5_000;

function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  const text = JSON.stringify(
    failure(
      null,
      new RpcError("REQUEST_TOO_LARGE", `request body is larger than the limit of ${limit} bytes`, {
        maxBodyBytes: limit,
      }),
    ),
  );
  res.writeHead(413, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    Connection: "close",
  });
  if (req.complete) {
    res.end(text);
    return;
  }
  res.write(text);
  const socket = req.socket;
  const cut = setTimeout(() => socket.destroy(), DRAIN_MS);
  cut.unref();
  let drained = 0;
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) socket.destroy();
  });
  req.once("end", () => {
    clearTimeout(cut);
    res.end();
  });
  req.resume();
}

/** The first request on a socket over rpc.max_connections_per_ip: 429, then the socket closes. */
function refuseConnection(
  req: IncomingMessage,
  res: ServerResponse,
  connections: HttpConnectionLimiter,
): void {
  connections.refusalSent(req.socket);
  const ip = req.socket.remoteAddress ?? "unknown";
  res.setHeader("Connection", "close");
  res.setHeader("Retry-After", String(BUSY_RETRY_AFTER_SECONDS));
  sendJson(
    res,
    429,
    failure(
      null,
      new RpcError(
        "UNAVAILABLE",
        `too many connections from ${ip} (the limit is ${connections.maxConnectionsPerIp}); reuse a keep-alive connection or close idle ones`,
        { maxConnectionsPerIp: connections.maxConnectionsPerIp },
        "TOO_MANY_CONNECTIONS",
      ),
    ),
  );
  closeAfter(req, res);
}

/** A browser request from an origin that is not allowed (cors.ts says why it is not served). */
function refuseOrigin(res: ServerResponse, origin: string, cors: CorsPolicy): void {
  // The body (if any) is not read: close rather than drain it.
  res.setHeader("Connection", "close");
  sendJson(res, 403, failure(null, cors.refusal(origin)));
}

/** Ends the socket once the answer is out (a client still sending gets a reset). */
function closeAfter(req: IncomingMessage, res: ServerResponse): void {
  res.once("finish", () => {
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 1000).unref();
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headOnly = false): void {
  const text = JSON.stringify(value, jsonReplacer);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(headOnly ? undefined : text);
}

/** A safety net: renderers emit JSON-ready values, but a bigint or bytes must never crash a reply. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array)
    return `0x${Buffer.from(value.buffer, value.byteOffset, value.length).toString("hex")}`;
  return value;
}

function help() {
  return {
    name: "kyochi",
    protocol: "JSON-RPC 2.0 over HTTP POST to / (Content-Type: application/json); params by name",
    websocket: "the same methods over WebSocket at / or /websocket, plus subscribe/unsubscribe",
    methods: Object.keys(METHODS),
    example: { jsonrpc: "2.0", id: 1, method: "chain_status", params: {} },
  };
}
