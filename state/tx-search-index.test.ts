import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../crypto/hash.js";
import { KyochiDb, WriteBatch } from "./db.js";
import {
  type TxPosition,
  type TxSearchEntries,
  TxSearchIndex,
  type TxSearchRequest,
  type TxSelector,
} from "./tx-search-index.js";

let dir: string;
let db: KyochiDb;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-txsearch-"));
  db = await KyochiDb.open(dir);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const addr = (n: number) => new Uint8Array(20).fill(n);
const ALICE = addr(1);
const BOB = addr(2);
const CAROL = addr(3);
const hashOf = (p: TxPosition) => sha256(Uint8Array.of(p.height, p.index));
const pos = (p: TxPosition) => `${p.height}:${p.index}`;

/** Writes one block: tx i of `txs` at (height, i), in one batch. */
async function block(index: TxSearchIndex, height: number, txs: TxSearchEntries[]): Promise<void> {
  const batch = new WriteBatch();
  txs.forEach((entries, i) => {
    index.put(batch, { height, index: i }, hashOf({ height, index: i }), entries);
  });
  await db.write(batch);
}

function send(from: Uint8Array, to: Uint8Array, memo = "x"): TxSearchEntries {
  return {
    sender: from,
    recipients: [to, to],
    attributes: [
      { type: "transfer", key: "amount", value: "5" },
      { type: "tx", key: "memo", value: memo },
    ],
  };
}

/** Every page of a search, following nextCursor; checks each hit's hash against its position. */
async function walk(index: TxSearchIndex, req: Omit<TxSearchRequest, "after">): Promise<string[]> {
  const seen: string[] = [];
  let after: TxPosition | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await index.search({ ...req, ...(after ? { after } : {}) });
    for (const hit of page.hits) {
      expect(Buffer.from(hit.hash)).toEqual(Buffer.from(hashOf(hit.position)));
      seen.push(pos(hit.position));
    }
    if (!page.next) return seen;
    after = page.next;
  }
  throw new Error("too many pages");
}

const all = { fromHeight: 0, toHeight: Number.MAX_SAFE_INTEGER };

describe("TxSearchIndex", () => {
  it("finds txs by sender, recipient and event attribute, in (height, index) order both ways", async () => {
    const index = new TxSearchIndex(db);
    await block(index, 1, [send(ALICE, BOB), send(BOB, CAROL, "rent")]);
    await block(index, 2, [send(CAROL, ALICE), send(ALICE, CAROL, "rent")]);
    await block(index, 10, [send(ALICE, BOB)]);

    const sel = (s: TxSelector, order: "asc" | "desc" = "asc") =>
      walk(index, { selectors: [s], ...all, limit: 100, order });
    expect(await sel({ kind: "sender", address: ALICE })).toEqual(["1:0", "2:1", "10:0"]);
    expect(await sel({ kind: "sender", address: ALICE }, "desc")).toEqual(["10:0", "2:1", "1:0"]);
    // A recipient named twice by one tx is indexed once.
    expect(await sel({ kind: "recipient", address: CAROL })).toEqual(["1:1", "2:1"]);
    expect(await sel({ kind: "event", type: "tx", key: "memo", value: "rent" })).toEqual(["1:1", "2:1"]);
    // type, key and value must all match: no prefix or cross-field matches.
    expect(await sel({ kind: "event", type: "tx", key: "memo", value: "ren" })).toEqual([]);
    expect(await sel({ kind: "event", type: "tx", key: "memor", value: "ent" })).toEqual([]);
    expect(await sel({ kind: "sender", address: addr(9) })).toEqual([]);
  });

  it("intersects selectors and bounds heights inclusively", async () => {
    const index = new TxSearchIndex(db);
    await block(index, 1, [send(ALICE, BOB), send(ALICE, CAROL)]);
    await block(index, 2, [send(ALICE, BOB, "rent"), send(BOB, ALICE)]);
    await block(index, 3, [send(ALICE, BOB)]);
    const both: TxSelector[] = [
      { kind: "sender", address: ALICE },
      { kind: "recipient", address: BOB },
    ];
    expect(await walk(index, { selectors: both, ...all, limit: 1, order: "asc" })).toEqual([
      "1:0",
      "2:0",
      "3:0",
    ]);
    expect(
      await walk(index, { selectors: both, fromHeight: 2, toHeight: 2, limit: 5, order: "asc" }),
    ).toEqual(["2:0"]);
    expect(
      await walk(index, {
        selectors: [...both, { kind: "event", type: "tx", key: "memo", value: "rent" }],
        ...all,
        limit: 5,
        order: "desc",
      }),
    ).toEqual(["2:0"]);
    expect(
      await walk(index, { selectors: both, fromHeight: 3, toHeight: 2, limit: 5, order: "asc" }),
    ).toEqual([]);
  });

  it("pages never repeat or skip a tx while blocks keep arriving, ascending and descending", async () => {
    const index = new TxSearchIndex(db);
    const req = { selectors: [{ kind: "sender", address: ALICE }] as TxSelector[], ...all, limit: 3 };
    let height = 0;
    const expected: string[] = [];
    const addBlock = async () => {
      height++;
      // Alice's txs at indexes 0 and 2 of every block, someone else's between them.
      await block(index, height, [send(ALICE, BOB), send(BOB, CAROL), send(ALICE, CAROL)]);
      expected.push(`${height}:0`, `${height}:2`);
    };
    for (let i = 0; i < 4; i++) await addBlock();

    for (const order of ["asc", "desc"] as const) {
      const before = [...expected];
      const seen: string[] = [];
      let after: TxPosition | undefined;
      for (;;) {
        const page = await index.search({ ...req, order, ...(after ? { after } : {}) });
        expect(page.hits.length).toBeLessThanOrEqual(3);
        seen.push(...page.hits.map((h) => pos(h.position)));
        await addBlock(); // a block lands between every two pages
        if (!page.next) break;
        after = page.next;
      }
      expect(new Set(seen).size).toBe(seen.length);
      if (order === "asc") {
        // Ascending runs into the new blocks too: everything up to where it stopped, in order.
        expect(seen).toEqual(expected.slice(0, seen.length));
        expect(seen.length).toBeGreaterThanOrEqual(before.length);
      } else {
        // Descending started at the top: exactly what was there, newest first.
        expect(seen).toEqual([...before].reverse());
      }
    }
  });

  it("a full last page has no cursor; a scan bound cuts a page short with one", async () => {
    const index = new TxSearchIndex(db);
    await block(index, 1, [send(ALICE, BOB), send(ALICE, BOB)]);
    const exact = await index.search({
      selectors: [{ kind: "sender", address: ALICE }],
      ...all,
      limit: 2,
      order: "asc",
    });
    expect(exact.hits.map((h) => pos(h.position))).toEqual(["1:0", "1:1"]);
    expect(exact.next).toBeUndefined();

    // Alice's txs to Carol are rare among her txs: with a scan bound of 2 entries the pages are
    // short but the walk still finds every one.
    await block(
      index,
      2,
      Array.from({ length: 7 }, (_, i) => send(ALICE, i % 3 === 2 ? CAROL : BOB)),
    );
    const rare: TxSelector[] = [
      { kind: "sender", address: ALICE },
      { kind: "recipient", address: CAROL },
    ];
    const first = await index.search({ selectors: rare, ...all, limit: 10, order: "asc", maxScan: 2 });
    expect(first.hits).toEqual([]);
    expect(first.next).toEqual({ height: 1, index: 1 });
    expect(await walk(index, { selectors: rare, ...all, limit: 10, order: "asc", maxScan: 2 })).toEqual([
      "2:2",
      "2:5",
    ]);
  });

  it("keeps nothing of a batch that was never written, and everything of one that was, across a reopen", async () => {
    const lost = new WriteBatch();
    new TxSearchIndex(db).put(
      lost,
      { height: 1, index: 0 },
      hashOf({ height: 1, index: 0 }),
      send(ALICE, BOB),
    );
    await block(new TxSearchIndex(db), 2, [send(ALICE, BOB)]);
    await db.close();
    db = await KyochiDb.open(dir);
    const index = new TxSearchIndex(db);
    for (const s of [
      { kind: "sender", address: ALICE },
      { kind: "recipient", address: BOB },
      { kind: "event", type: "transfer", key: "amount", value: "5" },
    ] as TxSelector[]) {
      expect(await walk(index, { selectors: [s], ...all, limit: 10, order: "asc" })).toEqual(["2:0"]);
    }
  });

  it("refuses addresses of the wrong length and searches without a selector", async () => {
    const index = new TxSearchIndex(db);
    expect(() =>
      index.put(new WriteBatch(), { height: 1, index: 0 }, hashOf({ height: 1, index: 0 }), {
        sender: new Uint8Array(19),
        recipients: [],
        attributes: [],
      }),
    ).toThrow(/20 bytes/);
    await expect(index.search({ selectors: [], ...all, limit: 1, order: "asc" })).rejects.toThrow(/selector/);
  });

  it("writes only the configured event attributes, and refuses a search by any other", async () => {
    const index = new TxSearchIndex(db, { events: new Set(["tx.memo"]) });
    const batch = new WriteBatch();
    index.put(batch, { height: 1, index: 0 }, hashOf({ height: 1, index: 0 }), send(ALICE, BOB, "rent"));
    // sender, recipient (named twice, written once) and tx.memo: transfer.amount is left out.
    expect(batch.size).toBe(3);
    await db.write(batch);
    const search = (s: TxSelector) => walk(index, { selectors: [s], ...all, limit: 10, order: "asc" });
    expect(await search({ kind: "event", type: "tx", key: "memo", value: "rent" })).toEqual(["1:0"]);
    expect(await search({ kind: "recipient", address: BOB })).toEqual(["1:0"]);
    // Not indexed here: an error that says so, never an empty page that reads as "no such tx".
    const refused = index.search({
      selectors: [
        { kind: "sender", address: ALICE },
        { kind: "event", type: "transfer", key: "amount", value: "5" },
      ],
      ...all,
      limit: 10,
      order: "asc",
    });
    await expect(refused).rejects.toMatchObject({ code: "EVENT_NOT_INDEXED" });
  });
});
