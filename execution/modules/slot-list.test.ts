// SlotList: the stable-cursor lists behind every list query. A page walk must see every item that
// was there before and still is, exactly once, whatever is appended or removed between pages.
import { describe, expect, it } from "vitest";
import { ExecutionError } from "../errors.js";
import type { KvStore, StateKey } from "../store.js";
import { MAX_PAGE_LIMIT, parsePageArgs, SlotList } from "./slot-list.js";

/** The logic under test is the key layout and paging; the tree itself is tested in state/. */
function mapStore(): KvStore & { size: () => number } {
  const map = new Map<string, Uint8Array>();
  return {
    get: async (key: StateKey) => map.get(key.id),
    peek: (key: StateKey) => map.get(key.id),
    set: (key: StateKey, value: Uint8Array) => void map.set(key.id, value),
    delete: (key: StateKey) => void map.delete(key.id),
    size: () => map.size,
  };
}

async function walk(list: SlotList, store: KvStore, limit: number): Promise<number[]> {
  const seen: number[] = [];
  let cursor: number | null = 0;
  while (cursor !== null) {
    const page = await list.page(store, cursor, limit);
    seen.push(...page.ids);
    cursor = page.nextCursor;
  }
  return seen;
}

describe("SlotList", () => {
  it("pages through every item once, in append order", async () => {
    const store = mapStore();
    const list = new SlotList(Uint8Array.of(0x06, 0x20));
    for (let id = 1; id <= 23; id++) await list.append(store, id * 10);
    expect(await walk(list, store, 5)).toEqual(Array.from({ length: 23 }, (_, i) => (i + 1) * 10));
    expect(await list.count(store)).toBe(23);
  });

  it("keeps a cursor valid across appends and removals between pages", async () => {
    const store = mapStore();
    const list = new SlotList(Uint8Array.of(0x06, 0x21, 0xaa));
    for (let id = 1; id <= 10; id++) await list.append(store, id);
    const first = await list.page(store, 0, 4);
    expect(first.ids).toEqual([1, 2, 3, 4]);
    // Between pages: an item already shown and one not yet shown go away, two new ones arrive.
    expect(await list.remove(store, 2)).toBe(true);
    expect(await list.remove(store, 7)).toBe(true);
    await list.append(store, 11);
    await list.append(store, 12);
    const rest: number[] = [];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await list.page(store, cursor, 4);
      rest.push(...page.ids);
      cursor = page.nextCursor;
    }
    expect(rest).toEqual([5, 6, 8, 9, 10, 11, 12]);
  });

  it("does not add an id twice, and removing an absent id changes nothing", async () => {
    const store = mapStore();
    const list = new SlotList(Uint8Array.of(0x07, 0x20));
    expect(await list.append(store, 5)).toBe(1);
    expect(await list.append(store, 5)).toBe(1);
    const keys = store.size();
    expect(await list.remove(store, 6)).toBe(false);
    expect(store.size()).toBe(keys);
    expect(await list.has(store, 5)).toBe(true);
  });

  it("bounds the reads of a page over many holes and returns a cursor to go on", async () => {
    const store = mapStore();
    const list = new SlotList(Uint8Array.of(0x08, 0x20));
    for (let id = 1; id <= 100; id++) await list.append(store, id);
    for (let id = 1; id <= 99; id++) await list.remove(store, id);
    const page = await list.page(store, 0, 2);
    expect(page.ids).toEqual([]);
    expect(page.nextCursor).toBe(10);
    expect(await walk(list, store, 2)).toEqual([100]);
  });
});

describe("parsePageArgs", () => {
  it("reads cursor, limit and allowed filters", () => {
    const args = parsePageArgs("cursor=7&limit=20&owner=kyo1abc", ["owner"]);
    expect(args.cursor).toBe(7);
    expect(args.limit).toBe(20);
    expect(args.filters.get("owner")).toBe("kyo1abc");
    expect(parsePageArgs("").limit).toBe(MAX_PAGE_LIMIT);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["cursor=-1", "cursor"],
    ["cursor=01", "cursor"],
    ["limit=abc", "limit"],
    ["color=red", "unknown list argument"],
  ])("refuses %s", (arg, mention) => {
    let caught: unknown;
    try {
      parsePageArgs(arg, ["owner"]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ExecutionError);
    expect((caught as ExecutionError).code).toBe("QUERY_INVALID_ARGUMENT");
    expect((caught as ExecutionError).message).toContain(mention);
  });
});
