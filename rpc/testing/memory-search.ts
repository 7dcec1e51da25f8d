// tx_search over the memory chain's records: the same selectors and paging as the node's
// indexes (state/tx-search-index.ts), by filtering every record (a test chain is small).
// Recipients here are the `to` of bank sends (the memory chain's only message).
import { addressFromPublicKey } from "../../crypto/address.js";
import { bytesEqual } from "../../proto/canonical.js";
import { Tx, TxBody, type TxRecord } from "../../proto/index.js";
import type { TxPosition, TxSearchPage, TxSearchQuery } from "../backend.js";

export function searchRecords(records: Iterable<TxRecord>, q: TxSearchQuery): TxSearchPage {
  const from = q.fromHeight ?? 0;
  const to = q.toHeight ?? Number.MAX_SAFE_INTEGER;
  const sign = q.order === "desc" ? -1 : 1;
  const matches = [...records]
    .filter((r) => r.height >= from && r.height <= to && matchesQuery(r, q))
    .filter((r) => q.cursor === undefined || sign * compare(r, q.cursor) > 0)
    .sort((a, b) => sign * compare(a, b));
  const txs = matches.slice(0, q.limit);
  const last = txs[txs.length - 1];
  return matches.length > q.limit && last
    ? { txs, nextCursor: { height: last.height, index: last.index } }
    : { txs };
}

function compare(a: TxPosition, b: TxPosition): number {
  return a.height !== b.height ? a.height - b.height : a.index - b.index;
}

function matchesQuery(record: TxRecord, q: TxSearchQuery): boolean {
  const tx = Tx.decode(record.tx);
  if (q.sender && !bytesEqual(addressFromPublicKey(tx.keyType, tx.publicKey), q.sender)) return false;
  if (q.recipient) {
    const body = TxBody.decode(tx.body);
    const recipient = q.recipient;
    if (!body.messages.some((m) => m.bankSend?.to != null && bytesEqual(m.bankSend.to, recipient)))
      return false;
  }
  const ev = q.event;
  if (ev) {
    const events = record.result?.events ?? [];
    const hit = events.some(
      (e) => e.type === ev.type && (e.attributes ?? []).some((a) => a.key === ev.key && a.value === ev.value),
    );
    if (!hit) return false;
  }
  return true;
}
