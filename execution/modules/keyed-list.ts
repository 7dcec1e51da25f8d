// A list of byte keys (addresses, 32-byte ids) with stable cursors, for list queries and for
// walking a set in a fixed order. SlotList numbers the items (a number is never reused, so a cursor
// stays valid while items come and go); two index leaves map number -> key and key -> number.
//
// Keys under `base`: base+0x00..0x02 the SlotList, base+0x03+u64be(n) the key of item n,
// base+0x04+key the item number of key.
import { readU64be, u64be } from "../../state/db.js";
import type { KvReader, KvStore, StateKey } from "../store.js";
import { stateKey } from "../store.js";
import { MAX_PAGE_LIMIT, SlotList } from "./slot-list.js";

export interface KeyPage {
  keys: Uint8Array[];
  nextCursor: number | null;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export class KeyedList {
  private readonly base: Uint8Array;
  private readonly slots: SlotList;

  /** `base` must start with the owning module's prefix byte and be unique to this list. */
  constructor(base: Uint8Array) {
    this.base = base;
    this.slots = new SlotList(base);
  }

  private keyOf(n: number): StateKey {
    return stateKey(concat(this.base, Uint8Array.of(0x03), u64be(n)));
  }

  private numberOf(key: Uint8Array): StateKey {
    return stateKey(concat(this.base, Uint8Array.of(0x04), key));
  }

  async has(reader: KvReader, key: Uint8Array): Promise<boolean> {
    return (await reader.get(this.numberOf(key))) !== undefined;
  }

  /** Appends `key`; false when it is already listed. */
  async add(store: KvStore, key: Uint8Array): Promise<boolean> {
    if (await this.has(store, key)) return false;
    // Slots are numbered count+1 on append and never reused, so the slot is the item number.
    const n = await this.slots.append(store, (await this.slots.count(store)) + 1);
    store.set(this.keyOf(n), key);
    store.set(this.numberOf(key), u64be(n));
    return true;
  }

  /** Removes `key` (its number is never reused); false when it is not listed. */
  async remove(store: KvStore, key: Uint8Array): Promise<boolean> {
    const at = this.numberOf(key);
    const bytes = await store.get(at);
    if (bytes === undefined) return false;
    const n = readU64be(bytes);
    await this.slots.remove(store, n);
    store.delete(this.keyOf(n));
    store.delete(at);
    return true;
  }

  /** Up to `limit` keys after `cursor` (0 = from the start), in the order they were added. */
  async page(reader: KvReader, cursor: number, limit: number): Promise<KeyPage> {
    const { ids, nextCursor } = await this.slots.page(reader, cursor, limit);
    const keys = await Promise.all(ids.map((n) => reader.get(this.keyOf(n))));
    return { keys: keys.filter((k): k is Uint8Array => k !== undefined), nextCursor };
  }

  /** Every key, in the order added. */
  async all(reader: KvReader): Promise<Uint8Array[]> {
    const out: Uint8Array[] = [];
    let cursor: number | null = 0;
    while (cursor !== null) {
      const page: KeyPage = await this.page(reader, cursor, MAX_PAGE_LIMIT);
      out.push(...page.keys);
      cursor = page.nextCursor;
    }
    return out;
  }
}
