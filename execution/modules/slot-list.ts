// Append-only lists in the state tree, for list queries with stable cursors.
//
// The tree answers point reads only (no range scans), so a list is a counter plus numbered slots:
// appending writes slot count+1; removing an item deletes its slot (a hole) and never renumbers
// the others. A cursor is a slot number, so a page read after other items were appended or
// removed neither repeats nor skips an item that was there before and is still there.
//
// Keys under `base`: base+0x00 the count (u64be), base+0x01+u64be(slot) the item id (u64be),
// base+0x02+u64be(id) the slot holding that id (so an item can be removed by id).
import { readU64be, u64be } from "../../state/db.js";
import { ExecutionError } from "../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../store.js";

/** Largest page a list query returns (and the default). */
export const MAX_PAGE_LIMIT = 100;
/** A page stops after this many holes per requested item, so a page costs bounded reads. */
const MAX_HOLES_PER_ITEM = 4;

export interface SlotPage {
  /** Item ids in slot order. */
  ids: number[];
  /** Pass as `cursor` to get the next page; null when the list is exhausted. */
  nextCursor: number | null;
}

function concat(base: Uint8Array, tag: number, tail?: Uint8Array): Uint8Array {
  const out = new Uint8Array(base.length + 1 + (tail?.length ?? 0));
  out.set(base);
  out[base.length] = tag;
  if (tail) out.set(tail, base.length + 1);
  return out;
}

export class SlotList {
  private readonly base: Uint8Array;
  private readonly countKey: StateKey;

  /** `base` must start with the owning module's prefix byte and be unique to this list. */
  constructor(base: Uint8Array) {
    this.base = base;
    this.countKey = stateKey(concat(base, 0x00));
  }

  private slotKey(slot: number): StateKey {
    return stateKey(concat(this.base, 0x01, u64be(slot)));
  }

  private reverseKey(id: number): StateKey {
    return stateKey(concat(this.base, 0x02, u64be(id)));
  }

  /** Slots ever used (holes included). */
  async count(reader: KvReader): Promise<number> {
    const bytes = await reader.get(this.countKey);
    return bytes === undefined ? 0 : readU64be(bytes);
  }

  /** Appends `id`; returns its slot. An id already in the list is not added twice. */
  async append(store: KvStore, id: number): Promise<number> {
    const existing = await store.get(this.reverseKey(id));
    if (existing !== undefined) return readU64be(existing);
    const slot = (await this.count(store)) + 1;
    store.set(this.countKey, u64be(slot));
    store.set(this.slotKey(slot), u64be(id));
    store.set(this.reverseKey(id), u64be(slot));
    return slot;
  }

  /** Removes `id` (leaves a hole); false when it is not in the list. */
  async remove(store: KvStore, id: number): Promise<boolean> {
    const reverse = this.reverseKey(id);
    const slotBytes = await store.get(reverse);
    if (slotBytes === undefined) return false;
    store.delete(this.slotKey(readU64be(slotBytes)));
    store.delete(reverse);
    return true;
  }

  async has(reader: KvReader, id: number): Promise<boolean> {
    return (await reader.get(this.reverseKey(id))) !== undefined;
  }

  /** Up to `limit` ids after slot `cursor` (0 = from the start). */
  async page(reader: KvReader, cursor: number, limit: number): Promise<SlotPage> {
    const count = await this.count(reader);
    const ids: number[] = [];
    let slot = cursor;
    let budget = limit * (1 + MAX_HOLES_PER_ITEM);
    while (slot < count && ids.length < limit && budget > 0) {
      slot++;
      budget--;
      const bytes = await reader.get(this.slotKey(slot));
      if (bytes !== undefined) ids.push(readU64be(bytes));
    }
    return { ids, nextCursor: slot < count ? slot : null };
  }
}

export interface PageArgs {
  cursor: number;
  limit: number;
  /** The other `key=value` pairs of the query argument (filters). */
  filters: ReadonlyMap<string, string>;
}

/**
 * Parses a list query's argument, `key=value` pairs joined by `&` (as in a URL query):
 * `cursor` (a slot number from a previous page, default 0) and `limit` (1..100, default 100);
 * every other key is a filter, allowed only if named in `allowedFilters`.
 */
export function parsePageArgs(arg: string, allowedFilters: readonly string[] = []): PageArgs {
  const filters = new Map<string, string>();
  let cursor = 0;
  let limit = MAX_PAGE_LIMIT;
  if (arg === "") return { cursor, limit, filters };
  for (const part of arg.split("&")) {
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1));
    if (key === "cursor" || key === "limit") {
      if (!/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(Number(value))) {
        throw new ExecutionError(
          "QUERY_INVALID_ARGUMENT",
          `${key} must be a non-negative integer, got ${JSON.stringify(value)}`,
        );
      }
      if (key === "cursor") cursor = Number(value);
      else {
        limit = Number(value);
        if (limit < 1 || limit > MAX_PAGE_LIMIT) {
          throw new ExecutionError(
            "QUERY_INVALID_ARGUMENT",
            `limit must be 1..${MAX_PAGE_LIMIT}, got ${limit}`,
          );
        }
      }
    } else if (allowedFilters.includes(key)) {
      filters.set(key, value);
    } else {
      throw new ExecutionError(
        "QUERY_INVALID_ARGUMENT",
        `unknown list argument ${JSON.stringify(key)} (allowed: cursor, limit${allowedFilters.map((f) => `, ${f}`).join("")})`,
      );
    }
  }
  return { cursor, limit, filters };
}
