// `kyochi query txs`: committed txs by sender, recipient and/or event attribute through a node's
// tx_search (the SDK's searchTxs), one page at a time; pass the page's `nextCursor` back with
// --cursor for the next one.
import type { Command } from "commander";
import type { KyochiRpcClient } from "../../rpc/client/client.js";
import type { TxSearchEventJson, TxSearchParams } from "../../rpc/types.js";
import { invalid, positiveInt, uint } from "./flag-values.js";
import { printJson } from "./output.js";

interface TxsFlags {
  sender?: string;
  recipient?: string;
  event?: string;
  fromHeight?: string;
  toHeight?: string;
  cursor?: string;
  limit?: string;
  order?: string;
}

/** "<type>.<key>=<value>": the key is what follows the last dot before the first "=". */
export function parseEventFlag(text: string): TxSearchEventJson {
  const eq = text.indexOf("=");
  const selector = eq < 0 ? "" : text.slice(0, eq);
  const dot = selector.lastIndexOf(".");
  if (dot <= 0 || dot === selector.length - 1) {
    throw invalid(`--event must be <type>.<key>=<value> (e.g. transfer.recipient=kyo1...), got "${text}"`);
  }
  return { type: selector.slice(0, dot), key: selector.slice(dot + 1), value: text.slice(eq + 1) };
}

/** The tx_search params of the flags; at least one selector (the node refuses a search without). */
export function txSearchParams(o: TxsFlags): TxSearchParams {
  if (o.sender === undefined && o.recipient === undefined && o.event === undefined) {
    throw invalid("give at least one of --sender, --recipient or --event");
  }
  if (o.order !== undefined && o.order !== "asc" && o.order !== "desc") {
    throw invalid(`--order must be asc or desc, got "${o.order}"`);
  }
  return {
    ...(o.sender !== undefined ? { sender: o.sender } : {}),
    ...(o.recipient !== undefined ? { recipient: o.recipient } : {}),
    ...(o.event !== undefined ? { event: parseEventFlag(o.event) } : {}),
    ...(o.fromHeight !== undefined ? { fromHeight: uint(o.fromHeight, "--from-height") } : {}),
    ...(o.toHeight !== undefined ? { toHeight: uint(o.toHeight, "--to-height") } : {}),
    ...(o.cursor !== undefined ? { cursor: o.cursor } : {}),
    ...(o.limit !== undefined ? { limit: positiveInt(o.limit, "--limit") } : {}),
    ...(o.order !== undefined ? { order: o.order } : {}),
  };
}

export function registerTxSearchCommand(query: Command, client: () => KyochiRpcClient): void {
  query
    .command("txs")
    .description("committed txs by sender, recipient or event attribute (all given must match)")
    .option("--sender <address>", "signed by this address")
    .option("--recipient <address>", "naming this address other than as signer (e.g. a transfer's to)")
    .option("--event <type.key=value>", "that emitted an event of this type with this attribute")
    .option("--from-height <h>", "included at this height or later")
    .option("--to-height <h>", "included at this height or earlier")
    .option("--cursor <height:index>", "continue after this position (the previous page's nextCursor)")
    .option("--limit <n>", "txs per page (1-100, default 30)")
    .option("--order <asc|desc>", "oldest first (asc, default) or newest first")
    .action(async (o: TxsFlags) => printJson(await client().searchTxs(txSearchParams(o))));
}
