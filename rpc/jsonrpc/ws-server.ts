// JSON-RPC over WebSocket on the HTTP server's port: an upgrade request to "/" or "/websocket"
// becomes a WsConnection. Limits checked before the handshake answer with an HTTP error (429 for
// too many connections from one address, 404 for another path, 403 for a browser origin that is
// not allowed); the message size limit is the ws library's maxPayload (an oversized message closes
// the connection with 1009). Requests over WebSocket share the server's cap on requests handled at
// once (limits.ts) with HTTP.
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { RpcBackend } from "../backend.js";
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import { DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION, SubscriptionHub } from "../subscriptions/hub.js";
import type { CorsPolicy } from "./cors.js";
import { failure, type RequestObserver } from "./dispatch.js";
import type { RequestLimiter } from "./limits.js";
import type { MethodContext, MethodTable } from "./methods/index.js";
import { WS_CLOSE_GOING_AWAY, WsConnection } from "./ws-connection.js";

export const WEBSOCKET_PATHS: readonly string[] = ["/", "/websocket"];

/** Limits of the WebSocket endpoint; every one has a default. */
export interface WebSocketLimits {
  /** Subscriptions one connection may hold (default 100). */
  maxSubscriptionsPerConnection?: number;
  /** Open WebSocket connections from one IP address (default 100). */
  maxConnectionsPerIp?: number;
  /** Largest message a client may send, in bytes (default 1 MiB). */
  maxMessageBytes?: number;
  /** Bytes queued for one client beyond which it is cut off as too slow (default 16 MiB). */
  maxSendBufferBytes?: number;
  /** Requests of one connection answered at once (default 64). */
  maxPendingRequests?: number;
  /** Ping interval; a client that missed the previous ping's pong is dropped (default 30 s; 0 = off). */
  heartbeatMs?: number;
  /** How long a cut-off client has to read its close frame before the socket goes (default 5 s). */
  closeGraceMs?: number;
}

export const WEBSOCKET_DEFAULTS: Required<WebSocketLimits> = {
  maxSubscriptionsPerConnection: DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION,
  maxConnectionsPerIp: 100,
  maxMessageBytes: 1024 * 1024,
  maxSendBufferBytes: 16 * 1024 * 1024,
  maxPendingRequests: 64,
  heartbeatMs: 30_000,
  closeGraceMs: 5_000,
};

export interface WebSocketEndpointOptions {
  backend: RpcBackend;
  methods: MethodTable;
  context: MethodContext;
  maxBatch: number;
  limits?: WebSocketLimits;
  /** Browser origins allowed to connect; without it, any Origin is accepted. */
  cors?: CorsPolicy;
  /** The server-wide cap on requests handled at once, shared with HTTP. */
  requests?: RequestLimiter;
  logger?: RpcLogger;
  /** Told of every request answered (see DispatcherOptions.onRequest). */
  onRequest?: RequestObserver;
}

export interface WebSocketEndpoint {
  /** Open connections. */
  readonly connections: number;
  /** Subscriptions over all connections. */
  readonly subscriptions: number;
  /** Closes every connection (1001) and stops the subscriptions. */
  close(): Promise<void>;
}

export function attachWebSocket(server: Server, opts: WebSocketEndpointOptions): WebSocketEndpoint {
  const limits = resolveLimits(opts.limits);
  const logger = opts.logger;
  const hub = new SubscriptionHub({
    backend: opts.backend,
    maxSubscriptionsPerConnection: limits.maxSubscriptionsPerConnection,
    ...(logger !== undefined ? { logger } : {}),
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    // Compression costs CPU per subscriber and lets a small frame inflate into a large message.
    perMessageDeflate: false,
  });
  const perIp = new Map<string, number>();
  const open = new Map<WebSocket, WsConnection>();
  const alive = new WeakSet<WebSocket>();
  let closed = false;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset before or during the handshake must not become an uncaught error.
    socket.on("error", (err) => logger?.debug({ err }, "websocket upgrade socket error"));
    const path = (req.url ?? "/").split("?")[0]!;
    if (closed) return refuse(socket, 503, new RpcError("UNAVAILABLE", "the server is shutting down"));
    if (!WEBSOCKET_PATHS.includes(path)) {
      return refuse(
        socket,
        404,
        new RpcError(
          "INVALID_REQUEST",
          `no WebSocket endpoint at ${path.slice(0, 100)}; use / or /websocket`,
        ),
      );
    }
    // Cross-site WebSocket hijacking: browsers do not apply CORS to WebSocket, so any page the
    // user visits could open a socket to a node on localhost or the LAN and use it (subscribe,
    // broadcast) with the browser as a proxy. Browsers always send Origin on an upgrade; CLIs, the
    // SDK and servers send none and are not refused.
    const origin = req.headers.origin;
    if (opts.cors !== undefined && !opts.cors.allows(origin)) {
      logger?.debug({ origin }, "websocket upgrade refused: origin not allowed");
      return refuse(socket, 403, opts.cors.refusal(origin!));
    }
    const ip = req.socket.remoteAddress ?? "unknown";
    const count = perIp.get(ip) ?? 0;
    if (count >= limits.maxConnectionsPerIp) {
      logger?.warn(
        { ip, max: limits.maxConnectionsPerIp },
        "websocket connection refused: too many from this address",
      );
      return refuse(
        socket,
        429,
        new RpcError(
          "UNAVAILABLE",
          `too many WebSocket connections from ${ip} (the limit is ${limits.maxConnectionsPerIp})`,
          { maxConnectionsPerIp: limits.maxConnectionsPerIp },
          "TOO_MANY_CONNECTIONS",
        ),
      );
    }
    // Counted from now until the socket closes, whether or not the handshake succeeds.
    perIp.set(ip, count + 1);
    socket.once("close", () => {
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(ip);
      else perIp.set(ip, n);
    });
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (closed) {
        ws.terminate();
        return;
      }
      const connection = new WsConnection(ws, {
        methods: opts.methods,
        context: opts.context,
        maxBatch: opts.maxBatch,
        hub,
        maxSendBufferBytes: limits.maxSendBufferBytes,
        maxPendingRequests: limits.maxPendingRequests,
        closeGraceMs: limits.closeGraceMs,
        remote: ip,
        ...(opts.onRequest !== undefined ? { onRequest: opts.onRequest } : {}),
        ...(opts.requests !== undefined ? { requests: opts.requests } : {}),
        ...(logger !== undefined ? { logger } : {}),
      });
      open.set(ws, connection);
      alive.add(ws);
      ws.on("pong", () => alive.add(ws));
      ws.on("close", () => open.delete(ws));
    });
  };
  server.on("upgrade", onUpgrade);

  const heartbeat =
    limits.heartbeatMs > 0
      ? setInterval(() => {
          for (const ws of open.keys()) {
            // A closing socket is already on its way out (and ping would throw on it).
            if (ws.readyState !== ws.OPEN) continue;
            if (!alive.has(ws)) {
              ws.terminate();
              continue;
            }
            alive.delete(ws);
            ws.ping();
          }
        }, limits.heartbeatMs)
      : undefined;
  heartbeat?.unref();

  return {
    get connections() {
      return open.size;
    },
    get subscriptions() {
      return hub.subscriptionCount;
    },
    async close() {
      if (closed) return;
      closed = true;
      server.off("upgrade", onUpgrade);
      if (heartbeat !== undefined) clearInterval(heartbeat);
      hub.close();
      const sockets = [...open.keys()];
      const allClosed = Promise.all(
        sockets.map((ws) => new Promise<void>((resolve) => ws.once("close", () => resolve()))),
      );
      for (const [ws, connection] of open) {
        connection.close(WS_CLOSE_GOING_AWAY, "server shutting down");
        // The HTTP server's close waits for these sockets: do not wait out the grace at shutdown.
        setTimeout(() => ws.terminate(), 1000).unref();
      }
      await allClosed;
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function resolveLimits(given: WebSocketLimits | undefined): Required<WebSocketLimits> {
  const limits = { ...WEBSOCKET_DEFAULTS };
  for (const [key, value] of Object.entries(given ?? {}) as [keyof WebSocketLimits, number | undefined][]) {
    if (value === undefined) continue;
    const min = key === "heartbeatMs" || key === "closeGraceMs" ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`websocket ${key} must be an integer >= ${min}, got ${value}`);
    }
    limits[key] = value;
  }
  return limits;
}

/** Answers an upgrade request with an HTTP error and a JSON-RPC error body, then closes. */
function refuse(socket: Duplex, status: number, err: RpcError): void {
  const body = JSON.stringify(failure(null, err));
  const reason =
    { 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable" }[status] ??
    "Error";
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
