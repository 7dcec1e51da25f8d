// What `subscribe` takes and what its notifications carry (JSON over the WebSocket). Shared by the
// server and clients, like rpc/types.ts for the request/response methods.
import type { BlockJson, BlockResultsJson, EventJson, TxRecordJson } from "../types.js";

/** What a subscription delivers: each committed block, each committed tx, or each event. */
export type SubscriptionKind = "blocks" | "txs" | "events";

export const SUBSCRIPTION_KINDS: readonly SubscriptionKind[] = ["blocks", "txs", "events"];

/** One attribute an event must carry, value compared exactly. */
export interface AttributeEquals {
  key: string;
  value: string;
}

/**
 * Filters of a txs or events subscription; every one given must match. `module`: the event
 * type's module (events), or the module of one of the tx's messages (txs). `eventType` and
 * `attribute`: for txs, one event of the tx must have the type and every attribute.
 */
export interface SubscriptionFilter {
  module?: string;
  eventType?: string;
  /** One or more (all must match). */
  attribute?: AttributeEquals | AttributeEquals[];
}

export interface SubscribeParams {
  kind: SubscriptionKind;
  filter?: SubscriptionFilter;
}

export interface UnsubscribeParams {
  id: string;
}

/** `result` of a blocks notification. */
export interface BlockNotificationJson {
  height: number;
  block: BlockJson;
  results: BlockResultsJson;
}

/** `result` of a txs notification: the tx as tx_get would answer it. */
export type TxNotificationJson = TxRecordJson;

/** `result` of an events notification. */
export interface EventNotificationJson {
  height: number;
  /** "tx": emitted by the tx at `txIndex`; "block": by block-level logic (begin/end block). */
  source: "tx" | "block";
  txHash?: string;
  txIndex?: number;
  /** Position of the event within its tx's events or the block's events. */
  eventIndex: number;
  event: EventJson;
}

/** A notification as sent: a JSON-RPC 2.0 notification (no id) with method "subscription". */
export interface SubscriptionNotification<
  R = BlockNotificationJson | TxNotificationJson | EventNotificationJson,
> {
  jsonrpc: "2.0";
  method: "subscription";
  params: { id: string; result: R };
}
