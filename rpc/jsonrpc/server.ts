// JSON-RPC 2.0 over HTTP with node:http. POST / carries requests (one or a batch); GET / answers a
// short JSON description. The body is read up to `maxBodyBytes` and no further: a larger body gets
// HTTP 413 with a JSON-RPC error, and the connection is closed. WebSocket upgrades on the same port
// (to / or /websocket) carry the same methods plus subscriptions (ws-server.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RpcBackend } from "../backend.js";
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import { Dispatcher, failure } from "./dispatch.js";
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
  logger?: RpcLogger;
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
  });
  const logger = opts.logger;

  const server = createServer((req, res) => {
    handle(req, res, dispatcher, opts.maxBodyBytes).catch((err: unknown) => {
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
    ...(opts.websocket !== undefined ? { limits: opts.websocket } : {}),
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

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  dispatcher: Dispatcher,
  maxBodyBytes: number,
) {
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
  if (req.method !== "POST") {
    res.setHeader("Allow", "GET, HEAD, POST");
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

  const body = await readBody(req, maxBodyBytes);
  if (body === undefined) {
    refuseTooLarge(req, res, maxBodyBytes);
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch (err) {
    sendJson(res, 200, failure(null, new RpcError("PARSE_ERROR", `parse error: ${(err as Error).message}`)));
    return;
  }
  const response = await dispatcher.dispatch(parsed);
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

function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number): void {
  res.setHeader("Connection", "close");
  sendJson(
    res,
    413,
    failure(
      null,
      new RpcError("REQUEST_TOO_LARGE", `request body is larger than the limit of ${limit} bytes`, {
        maxBodyBytes: limit,
      }),
    ),
  );
  // Close once the answer is out; a client still sending gets a reset rather than our bandwidth.
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
