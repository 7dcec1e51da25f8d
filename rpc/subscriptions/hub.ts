// Subscriptions of every connection, fed by the backend's commit feed. The feed's listener only
// queues the block (it runs in the node's commit path); a drain on the next turn of the event loop
// matches each subscription against it and hands each match, as one JSON-RPC notification text,
// to the subscriber's sink, in commit order. A sink refuses (returns false) when its connection is
// gone or too slow; the hub then forgets the session. Nothing here buffers per subscriber: the
// bound on what a slow reader can hold is the transport's (rpc/jsonrpc/ws-connection.ts).
import type { CommittedBlock, RpcBackend } from "../backend.js";
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import { eventMatches, type ParsedSubscription, parseSubscribeParams, txMatches } from "./filter.js";
import { RenderedBlock } from "./rendered-block.js";

/** Where a session's notifications go; false: the connection is gone (stop sending). */
export type NotificationSink = (text: string) => boolean;

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;

export interface SubscriptionHubOptions {
  backend: Pick<RpcBackend, "onCommitted">;
  maxSubscriptionsPerConnection?: number;
  logger?: RpcLogger;
}

export class SubscriptionHub {
  private readonly sessions = new Set<SubscriptionSession>();
  private readonly queue: CommittedBlock[] = [];
  private draining = false;
  private closed = false;
  private readonly stopFeed: () => void;
  readonly maxSubscriptionsPerConnection: number;

  constructor(private readonly opts: SubscriptionHubOptions) {
    this.maxSubscriptionsPerConnection =
      opts.maxSubscriptionsPerConnection ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
    if (!Number.isSafeInteger(this.maxSubscriptionsPerConnection) || this.maxSubscriptionsPerConnection < 1) {
      throw new RangeError(
        `maxSubscriptionsPerConnection must be positive, got ${this.maxSubscriptionsPerConnection}`,
      );
    }
    this.stopFeed = opts.backend.onCommitted((committed) => this.enqueue(committed));
  }

  /** Open sessions (connections that may subscribe). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Subscriptions over all sessions. */
  get subscriptionCount(): number {
    let n = 0;
    for (const session of this.sessions) n += session.size;
    return n;
  }

  /** A session for one connection; `sink` receives its notifications. */
  open(sink: NotificationSink): SubscriptionSession {
    if (this.closed) throw new RpcError("UNAVAILABLE", "the server is shutting down");
    const session = new SubscriptionSession(sink, this.maxSubscriptionsPerConnection, () =>
      this.sessions.delete(session),
    );
    this.sessions.add(session);
    return session;
  }

  close(): void {
    this.closed = true;
    this.stopFeed();
    this.queue.length = 0;
    for (const session of [...this.sessions]) session.close();
  }

  private enqueue(committed: CommittedBlock): void {
    // With no subscription at all, a block costs nothing.
    if (this.closed || this.sessions.size === 0) return;
    this.queue.push(committed);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    try {
      for (let committed = this.queue.shift(); committed; committed = this.queue.shift()) {
        const block = new RenderedBlock(committed);
        for (const session of [...this.sessions]) {
          try {
            session.deliver(block);
          } catch (err) {
            // A render or match failure must not stop the other sessions nor later blocks.
            this.opts.logger?.error({ err, height: committed.height }, "subscription delivery failed");
            session.close();
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

interface Subscription extends ParsedSubscription {
  id: string;
}

/** One connection's subscriptions. */
export class SubscriptionSession {
  private readonly subscriptions = new Map<string, Subscription>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly sink: NotificationSink,
    private readonly max: number,
    private readonly onClose: () => void,
  ) {}

  get size(): number {
    return this.subscriptions.size;
  }

  /** `subscribe` params -> the new subscription's id. Throws RpcError. */
  subscribe(params: unknown): string {
    const parsed = parseSubscribeParams(params);
    if (this.closed) throw new RpcError("UNAVAILABLE", "the connection is closing");
    if (this.subscriptions.size >= this.max) {
      throw new RpcError(
        "INVALID_REQUEST",
        `this connection already has ${this.max} subscriptions, the most allowed; unsubscribe first`,
        { maxSubscriptions: this.max },
        "TOO_MANY_SUBSCRIPTIONS",
      );
    }
    const id = String(this.nextId++);
    this.subscriptions.set(id, { id, ...parsed });
    return id;
  }

  /** `unsubscribe` params {id} -> true. Throws RpcError (INVALID_PARAMS, NOT_FOUND). */
  unsubscribe(params: unknown): true {
    if (params === null || typeof params !== "object" || Array.isArray(params)) {
      throw RpcError.invalidParam("params", "NOT_AN_OBJECT", 'params must be an object: {"id": ...}');
    }
    const p = params as Record<string, unknown>;
    const unknown = Object.keys(p).find((k) => k !== "id");
    if (unknown !== undefined) {
      throw RpcError.invalidParam(
        unknown,
        "UNKNOWN_PARAM",
        `unknown param "${unknown.slice(0, 40)}" (this method takes: id)`,
      );
    }
    if (p.id === undefined || p.id === null) throw RpcError.invalidParam("id", "MISSING", '"id" is required');
    if (typeof p.id !== "string") {
      throw RpcError.invalidParam("id", "WRONG_TYPE", '"id" must be a string (the id subscribe returned)');
    }
    if (!this.subscriptions.delete(p.id)) {
      throw new RpcError(
        "NOT_FOUND",
        `no subscription ${JSON.stringify(p.id.slice(0, 40))} on this connection`,
        {
          id: p.id.slice(0, 40),
        },
      );
    }
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    this.onClose();
  }

  /** Sends every match of `block`, subscription by subscription, in block order. */
  deliver(block: RenderedBlock): void {
    for (const sub of [...this.subscriptions.values()]) {
      // Unsubscribed while an earlier send of this block ran, or the sink cut the connection.
      if (this.closed) return;
      if (!this.subscriptions.has(sub.id)) continue;
      for (const text of matches(sub, block)) {
        if (!this.sink(notification(sub.id, text))) {
          this.close();
          return;
        }
      }
    }
  }
}

function notification(id: string, resultText: string): string {
  return `{"jsonrpc":"2.0","method":"subscription","params":{"id":${JSON.stringify(id)},"result":${resultText}}}`;
}

/** The JSON texts `sub` receives from `block`, in order. */
function* matches(sub: Subscription, block: RenderedBlock): Generator<string> {
  switch (sub.kind) {
    case "blocks":
      yield block.blockJson();
      return;
    case "txs":
      for (let i = 0; i < block.txs.length; i++) {
        if (txMatches(() => block.txMsgModules(i), block.txResult(i).events ?? [], sub.filter))
          yield block.txJson(i);
      }
      return;
    case "events":
      // The txs' events in block order, then the block's own (begin/end block) events.
      for (let i = 0; i < block.txs.length; i++) {
        const events = block.txResult(i).events ?? [];
        for (let e = 0; e < events.length; e++) {
          if (eventMatches(events[e]!, sub.filter)) yield block.eventJson(i, e);
        }
      }
      {
        const events = block.committed.results.finalizeEvents;
        for (let e = 0; e < events.length; e++) {
          if (eventMatches(events[e]!, sub.filter)) yield block.eventJson(undefined, e);
        }
      }
      return;
  }
}
