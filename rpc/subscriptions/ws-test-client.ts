// A minimal JSON-RPC WebSocket client for tests of the server: requests by id, notifications
// collected by subscription id, and waits that resolve on the event that satisfies them (with a
// generous safety timeout so a broken server fails the test instead of hanging it).
import WebSocket from "ws";
import type { JsonRpcResponse } from "../jsonrpc/protocol.js";
import type { SubscriptionNotification } from "./types.js";

const SAFETY_TIMEOUT_MS = 20_000;

export class WsTestClient {
  /** Every notification received, in arrival order. */
  readonly notifications: SubscriptionNotification[] = [];
  /** Every parsed message received (responses and notifications). */
  readonly received: unknown[] = [];
  closeEvent: { code: number; reason: string } | undefined;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer) => {
      const message: unknown = JSON.parse(data.toString("utf8"));
      this.received.push(message);
      if (isNotification(message)) this.notifications.push(message);
      this.changed();
    });
    ws.on("close", (code, reason) => {
      this.closeEvent = { code, reason: reason.toString("utf8") };
      this.changed();
    });
    ws.on("error", () => {});
  }

  static open(url: string): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once("open", () => resolve(new WsTestClient(ws)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => {
          body += chunk.toString("utf8");
        });
        res.on("end", () => reject(new UpgradeRefused(res.statusCode ?? 0, body)));
      });
    });
  }

  /** Sends raw text (for malformed input). */
  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** One request; resolves with its response. */
  async request(method: string, params?: unknown): Promise<JsonRpcResponse> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params !== undefined ? { params } : {}) }));
    return this.responseTo(id);
  }

  /** The response with this id (already received or to come). */
  async responseTo(id: number | string): Promise<JsonRpcResponse> {
    let found: JsonRpcResponse | undefined;
    await this.until(() => {
      found = this.received.find((m): m is JsonRpcResponse => isObject(m) && !("method" in m) && m.id === id);
      return found !== undefined;
    }, `the response to request ${id}`);
    return found!;
  }

  /** The next message that is not a notification, after `afterCount` messages. */
  async nextNonNotification(afterCount: number): Promise<unknown> {
    let found: unknown;
    await this.until(() => {
      found = this.received.slice(afterCount).find((m) => !isNotification(m));
      return found !== undefined;
    }, "a response");
    return found;
  }

  /** Subscribes; resolves with the subscription id (throws on an error response). */
  async subscribe(kind: string, filter?: unknown): Promise<string> {
    const response = await this.request("subscribe", { kind, ...(filter !== undefined ? { filter } : {}) });
    if ("error" in response) throw new Error(`subscribe failed: ${JSON.stringify(response.error)}`);
    return response.result as string;
  }

  /** The results of the notifications of subscription `id`, in arrival order. */
  resultsOf<R>(id: string): R[] {
    return this.notifications.filter((n) => n.params.id === id).map((n) => n.params.result as R);
  }

  /** Resolves once `predicate` holds (checked now and on every message or close). */
  until(predicate: () => boolean, what: string): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, SAFETY_TIMEOUT_MS);
      this.listeners.add(check);
    });
  }

  /** Resolves with the close code and reason once the server closed the connection. */
  async closed(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closeEvent !== undefined, "the connection to close");
    return this.closeEvent!;
  }

  close(): void {
    this.ws.terminate();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Resolves once `predicate` holds, checking every 10 ms (for state outside a client's events). */
export async function waitFor(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + SAFETY_TIMEOUT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
}

/** The server answered the upgrade with an HTTP error. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upgrade refused with HTTP ${status}: ${body}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isNotification(message: unknown): message is SubscriptionNotification {
  return isObject(message) && message.method === "subscription" && !("id" in message);
}
