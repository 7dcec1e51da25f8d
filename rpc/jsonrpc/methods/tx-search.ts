// tx_search: committed txs by sender, recipient and/or event attribute (the explorer indexes),
// one page at a time in (height, index) order. The cursor is the "height:index" of the last tx
// of the previous page: blocks committed meanwhile only add txs after the newest position, so
// walking the pages never repeats or skips a tx.
import type { TxPosition, TxSearchQuery } from "../../backend.js";
import { RpcError } from "../../errors.js";
import type { TxSearchEventJson } from "../../types.js";
import {
  optionalEnum,
  optionalHeight,
  optionalInteger,
  type Params,
  readParams,
  requiredAddress,
} from "../params.js";
import { renderTxRecord } from "../render/tx.js";
import type { MethodHandler } from "./context.js";

export const MAX_TX_SEARCH_PAGE = 100;
export const DEFAULT_TX_SEARCH_PAGE = 30;
/** Longest event type, key or value accepted (UTF-16 units): far above any the modules emit. */
const MAX_EVENT_FIELD = 1024;
const ORDERS = ["asc", "desc"] as const;
const CURSOR = /^(0|[1-9][0-9]{0,15}):(0|[1-9][0-9]{0,9})$/;

export const txSearch: MethodHandler<"tx_search"> = async (raw, { backend }) => {
  const params = readParams(raw, [
    "sender",
    "recipient",
    "event",
    "fromHeight",
    "toHeight",
    "cursor",
    "limit",
    "order",
  ]);
  const query: TxSearchQuery = {
    limit: optionalInteger(params, "limit", 1, MAX_TX_SEARCH_PAGE) ?? DEFAULT_TX_SEARCH_PAGE,
    order: optionalEnum(params, "order", ORDERS, "asc"),
  };
  if (present(params, "sender")) query.sender = requiredAddress(params, "sender");
  if (present(params, "recipient")) query.recipient = requiredAddress(params, "recipient");
  if (present(params, "event")) query.event = eventSelector(params.event);
  if (!query.sender && !query.recipient && !query.event) {
    throw RpcError.invalidParam(
      "sender|recipient|event",
      "MISSING",
      'give at least one of "sender", "recipient" or "event"',
    );
  }
  const fromHeight = optionalHeight(params, "fromHeight");
  const toHeight = optionalHeight(params, "toHeight");
  if (fromHeight !== undefined) query.fromHeight = fromHeight;
  if (toHeight !== undefined) query.toHeight = toHeight;
  if (fromHeight !== undefined && toHeight !== undefined && fromHeight > toHeight) {
    throw RpcError.invalidParam(
      "toHeight",
      "CONFLICT",
      `"toHeight" (${toHeight}) is below "fromHeight" (${fromHeight})`,
    );
  }
  if (present(params, "cursor")) query.cursor = parseCursor(params.cursor);

  const page = await backend.searchTxs(query);
  return {
    txs: page.txs.map(renderTxRecord),
    nextCursor: page.nextCursor ? formatCursor(page.nextCursor) : null,
  };
};

function present(params: Params, name: string): boolean {
  return params[name] !== undefined && params[name] !== null;
}

function eventSelector(value: unknown): TxSearchEventJson {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw RpcError.invalidParam("event", "WRONG_TYPE", '"event" must be an object {type, key, value}');
  }
  const fields = value as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (name !== "type" && name !== "key" && name !== "value") {
      throw RpcError.invalidParam(
        `event.${name}`,
        "UNKNOWN_PARAM",
        `unknown field "event.${name}" (event takes: type, key, value)`,
      );
    }
  }
  const field = (name: "type" | "key" | "value", nonEmpty: boolean): string => {
    const v = fields[name];
    if (v === undefined || v === null)
      throw RpcError.invalidParam(`event.${name}`, "MISSING", `"event.${name}" is required`);
    if (typeof v !== "string")
      throw RpcError.invalidParam(`event.${name}`, "WRONG_TYPE", `"event.${name}" must be a string`);
    if (nonEmpty && v.length === 0)
      throw RpcError.invalidParam(`event.${name}`, "BAD_VALUE", `"event.${name}" must not be empty`);
    if (v.length > MAX_EVENT_FIELD) {
      throw RpcError.invalidParam(
        `event.${name}`,
        "BAD_LENGTH",
        `"event.${name}" must be at most ${MAX_EVENT_FIELD} characters`,
      );
    }
    return v;
  };
  return { type: field("type", true), key: field("key", true), value: field("value", false) };
}

function parseCursor(value: unknown): TxPosition {
  if (typeof value !== "string") {
    throw RpcError.invalidParam("cursor", "WRONG_TYPE", '"cursor" must be a string (a nextCursor)');
  }
  const m = CURSOR.exec(value);
  const height = m ? Number(m[1]) : Number.NaN;
  const index = m ? Number(m[2]) : Number.NaN;
  if (!Number.isSafeInteger(height) || !Number.isInteger(index) || index > 0xffffffff) {
    throw RpcError.invalidParam(
      "cursor",
      "BAD_VALUE",
      `"cursor" must be a nextCursor of tx_search ("height:index"), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return { height, index };
}

function formatCursor(p: TxPosition): string {
  return `${p.height}:${p.index}`;
}
