// Explorer indexes over committed txs: by signer (sender), by recipient, and by event attribute
// (type.key=value). Entries go into the caller's WriteBatch with the block, so after a crash
// either the block and all its entries are on disk or none are.
//
// Key layout: prefix | selector | height (u64 BE) | index in block (u32 BE) -> tx hash.
// The selector is a 20-byte address, or for events sha256 of the length-prefixed type, key and
// value (fixed width, so no type/key/value can run into the next). Within one selector, LevelDB
// order is therefore (height, index) order: a search walks one key range, and a cursor, the
// (height, index) to continue after, stays valid while new blocks are appended.
import { u32be } from "../crypto/bytes.js";
import { sha256 } from "../crypto/hash.js";
import { type KyochiDb, Prefix, prefixed, readU64be, u64be, type WriteBatch } from "./db.js";
import { StateError } from "./errors.js";

const ADDRESS_BYTES = 20;
const POSITION_BYTES = 12;
/** Index entries read for one page before it is cut short (then with a cursor to go on from). */
export const DEFAULT_MAX_SCAN = 10_000;

/** A tx's place in the chain. */
export interface TxPosition {
  height: number;
  index: number;
}

export interface EventAttributeSelector {
  type: string;
  key: string;
  value: string;
}

/** What one committed tx is found by. */
export interface TxSearchEntries {
  /** 20-byte signer address. */
  sender: Uint8Array;
  /** 20-byte addresses the tx names other than as signer (duplicates are fine). */
  recipients: readonly Uint8Array[];
  /** Every event attribute the tx emitted (duplicates are fine). */
  attributes: readonly EventAttributeSelector[];
}

export type TxSelector =
  | { kind: "sender"; address: Uint8Array }
  | { kind: "recipient"; address: Uint8Array }
  | ({ kind: "event" } & EventAttributeSelector);

export interface TxSearchRequest {
  /** At least one; a tx must match every one. The first is walked, the others are looked up. */
  selectors: readonly TxSelector[];
  /** Inclusive height bounds. */
  fromHeight: number;
  toHeight: number;
  /** Continue strictly after (asc) or before (desc) this position. */
  after?: TxPosition;
  limit: number;
  order: "asc" | "desc";
  /** Entries of the walked selector read at most (default DEFAULT_MAX_SCAN). */
  maxScan?: number;
}

export interface TxSearchHit {
  position: TxPosition;
  hash: Uint8Array;
}

export interface TxSearchHits {
  hits: TxSearchHit[];
  /**
   * Where the next page starts (after this position) when more may follow: after a full page
   * with at least one more match, or where the scan stopped (then `hits` may be short).
   */
  next?: TxPosition;
}

export interface TxSearchIndexOptions {
  /**
   * The event attributes indexed, as "type.key" (e.g. "transfer.recipient"); absent: every one.
   * A search by an attribute outside the set is refused (EVENT_NOT_INDEXED), never answered empty.
   */
  events?: ReadonlySet<string>;
}

export class TxSearchIndex {
  private readonly events: ReadonlySet<string> | undefined;

  constructor(
    private readonly db: KyochiDb,
    options: TxSearchIndexOptions = {},
  ) {
    this.events = options.events;
  }

  /** Whether entries of this event attribute are written (and so can be searched). */
  indexes(type: string, key: string): boolean {
    return this.events === undefined || this.events.has(`${type}.${key}`);
  }

  /**
   * Adds the entries of the tx at `position` to `batch`. This runs for every tx a block commits
   * (about eight entries per transfer), so the tx's keys share one allocation (each small
   * ArrayBuffer costs more than the bytes it holds) and digests hash from a reused scratch buffer.
   */
  put(batch: WriteBatch, position: TxPosition, hash: Uint8Array, entries: TxSearchEntries): void {
    checkAddress(entries.sender, "sender");
    checkPosition(position);
    const prefixes: number[] = [Prefix.TxBySender];
    const selectors: Uint8Array[] = [entries.sender];
    const seen = new Set<string>();
    for (const recipient of entries.recipients) {
      checkAddress(recipient, "recipient");
      const id = Buffer.from(recipient.buffer, recipient.byteOffset, recipient.length).toString("latin1");
      if (seen.has(id)) continue;
      seen.add(id);
      prefixes.push(Prefix.TxByRecipient);
      selectors.push(recipient);
    }
    for (const attribute of entries.attributes) {
      if (!this.indexes(attribute.type, attribute.key)) continue;
      // Length-prefixed, so no two different (type, key, value) triples share an id.
      const id = `${attribute.type.length}:${attribute.type}${attribute.key.length}:${attribute.key}${attribute.value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      prefixes.push(Prefix.TxByEvent);
      selectors.push(eventDigest(attribute));
    }
    let total = 0;
    for (const selector of selectors) total += 1 + selector.length + POSITION_BYTES;
    const keys = Buffer.allocUnsafeSlow(total);
    let off = 0;
    for (let i = 0; i < selectors.length; i++) {
      const selector = selectors[i] as Uint8Array;
      const end = writeEntryKey(keys, off, prefixes[i] as number, selector, position);
      batch.put(keys.subarray(off, end), hash);
      off = end;
    }
  }

  async search(req: TxSearchRequest): Promise<TxSearchHits> {
    const [walked, ...others] = req.selectors;
    if (walked === undefined) throw new StateError("INVALID_ARGUMENT", "a tx search needs a selector");
    for (const selector of req.selectors) {
      if (selector.kind === "event" && !this.indexes(selector.type, selector.key)) {
        throw new StateError(
          "EVENT_NOT_INDEXED",
          `event attribute ${selector.type}.${selector.key} is not indexed on this node (state.search_index_events)`,
        );
      }
    }
    if (!Number.isSafeInteger(req.limit) || req.limit < 1)
      throw new StateError("INVALID_ARGUMENT", `limit must be a positive integer, got ${req.limit}`);
    const from = Math.max(0, req.fromHeight);
    if (req.toHeight < from) return { hits: [] };
    const base = selectorKey(walked);
    let gte = withSuffix(base, u64be(from), u32be(0));
    // Past every index of toHeight: positions are 12 bytes, this bound is 13.
    let lt = withSuffix(base, u64be(req.toHeight), Uint8Array.of(255, 255, 255, 255, 255));
    const reverse = req.order === "desc";
    if (req.after !== undefined) {
      const at = withSuffix(base, positionSuffix(req.after));
      if (reverse) {
        if (Buffer.compare(at, lt) < 0) lt = at;
      } else {
        // The smallest key above `at`: every key of this selector has the same length.
        const above = withSuffix(at, Uint8Array.of(0));
        if (Buffer.compare(above, gte) > 0) gte = above;
      }
    }
    if (Buffer.compare(gte, lt) >= 0) return { hits: [] };

    const otherKeys = others.map(selectorKey);
    const maxScan = req.maxScan ?? DEFAULT_MAX_SCAN;
    const hits: TxSearchHit[] = [];
    let scanned = 0;
    const iterator = this.db.iterator({ gte, lt, reverse });
    try {
      for await (const [key, value] of iterator) {
        const position = positionOfKey(key);
        scanned++;
        if (await this.matchesAll(otherKeys, key.subarray(key.length - POSITION_BYTES))) {
          // One match past the page tells whether a next page exists.
          if (hits.length === req.limit)
            return { hits, next: (hits[hits.length - 1] as TxSearchHit).position };
          hits.push({ position, hash: value });
        }
        if (scanned >= maxScan) {
          const lastHit = hits[hits.length - 1];
          return { hits, next: hits.length === req.limit && lastHit ? lastHit.position : position };
        }
      }
    } finally {
      await iterator.close();
    }
    return { hits };
  }

  private async matchesAll(keys: readonly Uint8Array[], suffix: Uint8Array): Promise<boolean> {
    if (keys.length === 0) return true;
    const found = await this.db.getMany(keys.map((k) => withSuffix(k, suffix)));
    return found.every((v) => v !== undefined);
  }
}

/** Prefix byte then selector bytes: the key of a selector's entries without their position. */
function selectorKey(selector: TxSelector): Uint8Array {
  switch (selector.kind) {
    case "sender":
      checkAddress(selector.address, "sender");
      return prefixed(Prefix.TxBySender, selector.address);
    case "recipient":
      checkAddress(selector.address, "recipient");
      return prefixed(Prefix.TxByRecipient, selector.address);
    case "event":
      return prefixed(Prefix.TxByEvent, eventDigest(selector));
  }
}

/** Reused for every digest's preimage; grows to the largest attribute seen. */
let scratch = Buffer.allocUnsafe(1024);

/** sha256(len(type) type len(key) key value): one fixed-width selector per attribute. */
export function eventDigest(a: EventAttributeSelector): Uint8Array {
  const typeLength = Buffer.byteLength(a.type, "utf8");
  const keyLength = Buffer.byteLength(a.key, "utf8");
  const length = 8 + typeLength + keyLength + Buffer.byteLength(a.value, "utf8");
  if (length > scratch.length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length));
  let off = scratch.writeUInt32BE(typeLength, 0);
  off += scratch.write(a.type, off, "utf8");
  off = scratch.writeUInt32BE(keyLength, off);
  off += scratch.write(a.key, off, "utf8");
  off += scratch.write(a.value, off, "utf8");
  return sha256(scratch.subarray(0, off));
}

/** Writes prefix | selector | height (u64 BE) | index (u32 BE) at `off`; returns the end. */
function writeEntryKey(
  out: Buffer,
  off: number,
  prefix: number,
  selector: Uint8Array,
  p: TxPosition,
): number {
  out[off] = prefix;
  out.set(selector, off + 1);
  const at = off + 1 + selector.length;
  // Heights are safe integers (below 2^53): high and low 32 bits.
  out.writeUInt32BE(Math.floor(p.height / 2 ** 32), at);
  out.writeUInt32BE(p.height >>> 0, at + 4);
  return out.writeUInt32BE(p.index, at + 8);
}

function withSuffix(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat([key, ...parts]);
}

function checkPosition(p: TxPosition): void {
  if (
    !Number.isSafeInteger(p.height) ||
    p.height < 0 ||
    !Number.isInteger(p.index) ||
    p.index < 0 ||
    p.index > 0xffffffff
  ) {
    throw new StateError("INVALID_ARGUMENT", `bad tx position ${p.height}:${p.index}`);
  }
}

function positionSuffix(p: TxPosition): Uint8Array {
  checkPosition(p);
  const out = new Uint8Array(POSITION_BYTES);
  out.set(u64be(p.height), 0);
  out.set(u32be(p.index), 8);
  return out;
}

function positionOfKey(key: Uint8Array): TxPosition {
  const at = key.length - POSITION_BYTES;
  const index = new DataView(key.buffer, key.byteOffset + at + 8, 4).getUint32(0);
  return { height: readU64be(key, at), index };
}

function checkAddress(address: Uint8Array, what: string): void {
  if (address.length !== ADDRESS_BYTES) {
    throw new StateError(
      "INVALID_ARGUMENT",
      `${what} address must be ${ADDRESS_BYTES} bytes, got ${address.length}`,
    );
  }
}
