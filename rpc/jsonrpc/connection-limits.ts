// Connection limits of the JSON-RPC HTTP server. Sockets are counted per remote IP from the
// moment they are accepted (the 'connection' event) until they close, so idle keep-alive sockets
// count too: one address cannot hold the server's whole connection budget (`maxOpenConnections`,
// the net server's maxConnections, beyond which sockets are closed as soon as accepted).
//
// A socket over the per-IP limit is not counted and not closed at once: its first request is
// answered 429 with a JSON-RPC error and `Connection: close`, so the client learns why. It gets a
// short deadline to send that request, and an address may have at most as many such sockets
// waiting as its limit; beyond that they are closed at once. A socket that upgrades to WebSocket
// leaves this count: WebSocket connections have their own per-IP limit (ws-server.ts), which is
// also what judges an upgrade arriving on a socket refused here.
import type { IncomingMessage, Server } from "node:http";
import type { Socket } from "node:net";
import type { RpcLogger } from "../logger.js";
import { RefusalLog } from "./limits.js";

export const DEFAULT_MAX_CONNECTIONS_PER_IP = 100;
export const DEFAULT_MAX_OPEN_CONNECTIONS = 900;
/** How long a refused socket has to send the request its refusal answers. */
const REFUSED_SOCKET_GRACE_MS = 2_000;

// "answered": refused, and its 429 is on the way (the socket closes after it).
type SocketState = "counted" | "refused" | "answered" | "released";

export interface ConnectionLimitOptions {
  maxConnectionsPerIp: number;
  maxOpenConnections: number;
  logger?: RpcLogger;
}

export class HttpConnectionLimiter {
  private readonly counted = new Map<string, number>();
  private readonly refusedWaiting = new Map<string, number>();
  private readonly states = new WeakMap<Socket, SocketState>();
  private readonly perIpRefusals: RefusalLog;

  constructor(
    server: Server,
    private readonly opts: ConnectionLimitOptions,
  ) {
    for (const [key, value] of Object.entries(opts) as [string, unknown][]) {
      if (key !== "logger" && (!Number.isSafeInteger(value) || (value as number) < 1)) {
        throw new RangeError(`${key} must be a positive integer, got ${String(value)}`);
      }
    }
    this.perIpRefusals = new RefusalLog(
      "rpc connections refused: too many from one address (rpc.max_connections_per_ip)",
      opts.logger,
    );
    const dropped = new RefusalLog(
      "rpc connections closed: the server is at rpc.max_open_connections",
      opts.logger,
    );
    server.maxConnections = opts.maxOpenConnections;
    server.on("drop", (data?: { remoteAddress?: string }) =>
      dropped.note({ ip: data?.remoteAddress, maxOpenConnections: opts.maxOpenConnections }),
    );
    server.on("connection", (socket: Socket) => this.onConnection(socket));
    // Registered before the WebSocket endpoint's listener, so the count is released first.
    server.on("upgrade", (req: IncomingMessage) => this.onUpgrade(req.socket));
  }

  /** Sockets counted for `ip` now (open HTTP connections, WebSocket ones excluded). */
  connectionsOf(ip: string): number {
    return this.counted.get(ip) ?? 0;
  }

  /** Whether requests on this socket must be refused (it came over the per-IP limit). */
  isRefused(socket: Socket): boolean {
    const state = this.states.get(socket);
    return state === "refused" || state === "answered";
  }

  /** The refusal of a refused socket is being sent: it is no longer cut at the grace deadline. */
  refusalSent(socket: Socket): void {
    if (this.states.get(socket) === "refused") this.states.set(socket, "answered");
  }

  get maxConnectionsPerIp(): number {
    return this.opts.maxConnectionsPerIp;
  }

  private onConnection(socket: Socket): void {
    const ip = socket.remoteAddress ?? "unknown";
    const count = this.counted.get(ip) ?? 0;
    if (count < this.opts.maxConnectionsPerIp) {
      this.counted.set(ip, count + 1);
      this.states.set(socket, "counted");
      socket.once("close", () => this.release(socket, this.counted, ip));
      return;
    }
    const waiting = this.refusedWaiting.get(ip) ?? 0;
    if (waiting >= this.opts.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    this.perIpRefusals.note({ ip, maxConnectionsPerIp: this.opts.maxConnectionsPerIp });
    this.refusedWaiting.set(ip, waiting + 1);
    this.states.set(socket, "refused");
    socket.once("close", () => this.release(socket, this.refusedWaiting, ip));
    setTimeout(() => {
      if (this.states.get(socket) === "refused") socket.destroy();
    }, REFUSED_SOCKET_GRACE_MS).unref();
  }

  private onUpgrade(socket: Socket): void {
    const state = this.states.get(socket);
    const ip = socket.remoteAddress ?? "unknown";
    if (state === "counted") this.release(socket, this.counted, ip);
    else if (state === "refused" || state === "answered") this.release(socket, this.refusedWaiting, ip);
  }

  private release(socket: Socket, counts: Map<string, number>, ip: string): void {
    if (this.states.get(socket) === "released") return;
    this.states.set(socket, "released");
    const n = (counts.get(ip) ?? 1) - 1;
    if (n <= 0) counts.delete(ip);
    else counts.set(ip, n);
  }
}
