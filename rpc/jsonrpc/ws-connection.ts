// One JSON-RPC WebSocket connection: every text (or binary UTF-8) message is a request or a batch,
// answered by the same dispatcher as HTTP plus `subscribe` / `unsubscribe`, which only exist here
// (they belong to the connection). Everything sent (answers and notifications) goes through
// `send`, which enforces the send-buffer bound: a client that does not read fast enough is
// disconnected with 1008 and a reason, so a slow reader costs at most the bound, never more.
import type { WebSocket } from "ws";
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import type { SubscriptionHub, SubscriptionSession } from "../subscriptions/hub.js";
import { toJsonText } from "../subscriptions/rendered-block.js";
import { Dispatcher, failure, type RequestObserver } from "./dispatch.js";
import { type RequestLimiter, refusalOf } from "./limits.js";
import type { MethodContext, MethodTable } from "./methods/index.js";
import type { JsonRpcId } from "./protocol.js";

/** WebSocket close codes (RFC 6455 section 7.4.1). */
export const WS_CLOSE_GOING_AWAY = 1001;
export const WS_CLOSE_POLICY_VIOLATION = 1008;

export interface WsConnectionOptions {
  methods: MethodTable;
  context: MethodContext;
  maxBatch: number;
  hub: SubscriptionHub;
  /** Most bytes queued for the client before it is cut off as too slow. */
  maxSendBufferBytes: number;
  /** Most requests of this connection being answered at once. */
  maxPendingRequests: number;
  /** How long a cut-off client gets to read its close frame before the socket is destroyed. */
  closeGraceMs: number;
  remote: string;
  /** Told of every request answered (see DispatcherOptions.onRequest). */
  onRequest?: RequestObserver;
  /** The server-wide cap on requests handled at once (over it: SERVER_BUSY in the response). */
  requests?: RequestLimiter;
  logger?: RpcLogger;
}

/** The per-connection methods, added to the shared table. */
type WsMethods = MethodTable & {
  subscribe: (params: unknown) => Promise<string>;
  unsubscribe: (params: unknown) => Promise<true>;
};

export class WsConnection {
  private readonly dispatcher: Dispatcher;
  private readonly session: SubscriptionSession;
  private pending = 0;
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: WsConnectionOptions,
  ) {
    this.session = opts.hub.open((text) => this.send(text));
    const methods: WsMethods = {
      ...opts.methods,
      subscribe: async (params) => this.session.subscribe(params),
      unsubscribe: async (params) => this.session.unsubscribe(params),
    };
    this.dispatcher = new Dispatcher({
      methods,
      context: opts.context,
      maxBatch: opts.maxBatch,
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
      ...(opts.onRequest !== undefined ? { onRequest: opts.onRequest } : {}),
    });
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => this.onClosed());
    // A socket error (reset, oversized frame) is followed by "close"; nothing more to do than log.
    ws.on("error", (err) => opts.logger?.debug({ err, remote: opts.remote }, "websocket error"));
  }

  /** Closes the connection with `code` and `reason`; the socket is destroyed after the grace. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.session.close();
    this.ws.close(code, reason);
    // The close frame waits behind whatever is still queued; a client that never reads it must not
    // hold the socket (and that queue) for the library's 30 s close timeout.
    setTimeout(() => this.ws.terminate(), this.opts.closeGraceMs).unref();
  }

  /** Queues `text` for the client; false (and the connection cut) when it is too slow or gone. */
  private send(text: string): boolean {
    if (this.closing || this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(text);
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.opts.maxSendBufferBytes) {
      this.opts.logger?.warn(
        {
          remote: this.opts.remote,
          bufferedBytes: buffered,
          maxSendBufferBytes: this.opts.maxSendBufferBytes,
        },
        "websocket client too slow; disconnecting",
      );
      this.close(
        WS_CLOSE_POLICY_VIOLATION,
        `too slow: more than ${this.opts.maxSendBufferBytes} bytes unread`,
      );
      return false;
    }
    return true;
  }

  private onClosed(): void {
    this.closing = true;
    this.session.close();
  }

  private onMessage(data: unknown, isBinary: boolean): void {
    if (this.closing) return;
    const text = messageText(data, isBinary);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.reply(failure(null, new RpcError("PARSE_ERROR", `parse error: ${(err as Error).message}`)));
      return;
    }
    if (this.pending >= this.opts.maxPendingRequests) {
      this.reply(
        failure(
          requestId(parsed),
          new RpcError(
            "UNAVAILABLE",
            `this connection already has ${this.opts.maxPendingRequests} requests in progress; wait for their answers`,
            { maxPendingRequests: this.opts.maxPendingRequests },
            "TOO_MANY_PENDING_REQUESTS",
          ),
        ),
      );
      return;
    }
    const limiter = this.opts.requests;
    if (limiter !== undefined && !limiter.tryAcquire()) {
      this.reply(refusalOf(parsed, limiter.busyError()));
      return;
    }
    this.pending++;
    this.dispatcher
      .dispatch(parsed)
      .then(
        (response) => {
          if (response !== undefined) this.reply(response);
        },
        // dispatch never throws; this is a safety net for a bug.
        (err: unknown) => {
          this.opts.logger?.error({ err }, "websocket request failed");
          this.reply(failure(null, new RpcError("INTERNAL_ERROR", "internal error")));
        },
      )
      .finally(() => {
        this.pending--;
        limiter?.release();
      });
  }

  private reply(value: unknown): void {
    this.send(toJsonText(value));
  }
}

function messageText(data: unknown, _isBinary: boolean): string {
  // Text and binary frames alike carry UTF-8 JSON (some clients only send binary).
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return String(data);
}

/** The id of a single request, when it has a valid one (for an error about it). */
function requestId(parsed: unknown): JsonRpcId {
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const id = (parsed as Record<string, unknown>).id;
  return typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : null;
}
