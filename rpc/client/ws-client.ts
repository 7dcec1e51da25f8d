// The SDK's WebSocket client: JSON-RPC calls over one connection, and `subscribe` to blocks, txs
// or events with the server's filters. Notifications are handed to the callback of their
// subscription in the order the node sends them (commit order). If the node cuts the connection
// (it does so to a client that stops reading), every pending call is rejected and `onClose` says
// why; nothing is retried behind the caller's back.
import WebSocket from "ws";
import type {
  BlockNotificationJson,
  EventNotificationJson,
  SubscriptionFilter,
  SubscriptionKind,
  TxNotificationJson,
} from "../subscriptions/types.js";
import type { RpcMethodName, RpcMethods } from "../types.js";
import { RpcClientError } from "./errors.js";

export interface NotificationOf {
  blocks: BlockNotificationJson;
  txs: TxNotificationJson;
  events: EventNotificationJson;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface WireMessage {
  id?: number | string | null;
  method?: string;
  params?: { id?: string; result?: unknown };
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string } };
}

export class KyochiWsClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (result: unknown) => void>();
  private closedWith: Error | undefined;
  /** Called once when the connection ends: by close(), by the node, or by a network failure. */
  onClose: (code: number, reason: string) => void = () => {};

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => this.receive(String(data)));
    socket.on("close", (code, reason) => {
      this.closedWith = new RpcClientError(0, `connection closed (${code} ${String(reason)})`, {
        code: "CONNECTION_CLOSED",
      });
      for (const p of this.pending.values()) p.reject(this.closedWith);
      this.pending.clear();
      this.onClose(code, String(reason));
    });
  }

  /** Connects to `ws://host:26657/websocket` (the node's JSON-RPC port). */
  static async connect(url: string): Promise<KyochiWsClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", (err) =>
        reject(new RpcClientError(0, `cannot connect to ${url}: ${err.message}`, { code: "UNREACHABLE" })),
      );
    });
    return new KyochiWsClient(socket);
  }

  /** Any JSON-RPC method over the connection. */
  call<M extends RpcMethodName>(
    method: M,
    params: RpcMethods[M]["params"],
  ): Promise<RpcMethods[M]["result"]> {
    return this.request(method, params) as Promise<RpcMethods[M]["result"]>;
  }

  /** Subscribes; `onItem` gets each block, tx or event as it commits. Resolves with the id. */
  async subscribe<K extends SubscriptionKind>(
    kind: K,
    onItem: (item: NotificationOf[K]) => void,
    filter?: SubscriptionFilter,
  ): Promise<string> {
    const id = (await this.request("subscribe", filter ? { kind, filter } : { kind })) as string;
    this.handlers.set(id, onItem as (result: unknown) => void);
    return id;
  }

  async unsubscribe(id: string): Promise<void> {
    await this.request("unsubscribe", { id });
    this.handlers.delete(id);
  }

  close(): void {
    this.socket.close(1000, "client closed");
  }

  private request(method: string, params: unknown): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  private receive(text: string): void {
    let msg: WireMessage;
    try {
      msg = JSON.parse(text) as WireMessage;
    } catch {
      return; // the node sends JSON only; anything else is not ours to act on
    }
    if (msg.method === "subscription" && typeof msg.params?.id === "string") {
      this.handlers.get(msg.params.id)?.(msg.params.result);
      return;
    }
    if (typeof msg.id !== "number") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.error) {
      p.reject(
        new RpcClientError(msg.error.code, msg.error.message, {
          code: msg.error.data?.code ?? "ERROR",
          ...msg.error.data,
        }),
      );
    } else {
      p.resolve(msg.result);
    }
  }
}
