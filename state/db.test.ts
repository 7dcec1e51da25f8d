import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, describe, expect, it } from "vitest";
import {
  BLOCK_RECORD_STORE_DIR,
  KyochiDb,
  NODE_STORE_DIR,
  type PackedPuts,
  Prefix,
  WriteBatch,
} from "./db.js";
import { StateError } from "./errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Every key of one LevelDB, read with `level` directly. */
async function rawKeys(path: string): Promise<number[][]> {
  const raw = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
  try {
    return (await raw.keys().all()).map((key) => [...key]);
  } finally {
    await raw.close();
  }
}

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "kyochi-db-"));
  dirs.push(d);
  return d;
}

describe("opening the database", () => {
  it("refuses a database another handle holds, saying so, and opens it once released", async () => {
    const path = join(dir(), "db");
    const first = await KyochiDb.open(path);
    const second = KyochiDb.open(path);
    await expect(second).rejects.toBeInstanceOf(StateError);
    await expect(second).rejects.toMatchObject({ code: "DB_LOCKED" });
    await first.close();
    const again = await KyochiDb.open(path);
    await again.close();
  });

  it("reports any other failure as DB_OPEN_FAILED with the reason", async () => {
    const file = join(dir(), "not-a-dir");
    writeFileSync(file, "x");
    await expect(KyochiDb.open(join(file, "db"))).rejects.toMatchObject({ code: "DB_OPEN_FAILED" });
  });
});

describe("write batches", () => {
  const k = (n: number) => Uint8Array.of(0x30, n);
  const v = (n: number) => Uint8Array.of(n, n);
  /** The value under k(n), as numbers. */
  const readAt = async (db: KyochiDb, n: number) => {
    const value = await db.get(k(n));
    return value === undefined ? undefined : [...value];
  };

  it("applies puts and deletes in the order they were added, appended batches after the batch's own", async () => {
    const db = await KyochiDb.open(join(dir(), "db"));
    try {
      const seed = new WriteBatch();
      seed.put(k(1), v(1));
      seed.put(k(2), v(2));
      await db.write(seed);

      const inner = new WriteBatch();
      inner.del(k(3)); // deletes what the outer batch put just before
      inner.put(k(4), v(40));
      const outer = new WriteBatch();
      outer.del(k(1));
      outer.put(k(3), v(3));
      outer.put(k(4), v(4)); // replaced by the appended put
      outer.append(inner);
      expect(outer.size).toBe(5);
      await db.write(outer);

      expect(await readAt(db, 1)).toBeUndefined();
      expect(await readAt(db, 2)).toEqual([2, 2]);
      expect(await readAt(db, 3)).toBeUndefined();
      expect(await readAt(db, 4)).toEqual([40, 40]);
    } finally {
      await db.close();
    }
  });

  it("keeps packed puts in their place among the other ops, appended or not", async () => {
    const packed = (...ops: [number, number][]): PackedPuts => ({
      count: ops.length,
      forEach: (put) => {
        for (const [key, value] of ops) put(k(key), v(value));
      },
    });
    const db = await KyochiDb.open(join(dir(), "db"));
    try {
      const inner = new WriteBatch();
      inner.putPacked(packed([5, 50])); // first of the appended ops: after the outer delete of 5
      inner.del(k(6)); // deletes the packed put before it
      inner.putPacked(packed([7, 70])); // last of all
      const outer = new WriteBatch();
      outer.putPacked(packed([1, 10], [2, 20]));
      outer.del(k(1)); // deletes the packed put of 1
      outer.putPacked(packed()); // nothing: not an op
      outer.putPacked(packed([6, 60]));
      outer.put(k(2), v(21)); // replaces the packed put of 2
      outer.del(k(5));
      outer.append(inner);
      expect(outer.size).toBe(9);
      await db.write(outer);

      expect(await readAt(db, 1)).toBeUndefined();
      expect(await readAt(db, 2)).toEqual([21, 21]);
      expect(await readAt(db, 5)).toEqual([50, 50]);
      expect(await readAt(db, 6)).toBeUndefined();
      expect(await readAt(db, 7)).toEqual([70, 70]);
    } finally {
      await db.close();
    }
  });
});

describe("the tree-node store", () => {
  const node = (n: number) => Uint8Array.of(Prefix.TreeNode, 0, 0, 0, 0, 0, 0, 0, n);
  const stale = (n: number) => Uint8Array.of(Prefix.TreeStale, 0, 0, 0, 0, 0, 0, 0, n);
  const other = (n: number) => Uint8Array.of(Prefix.TreeValue, n);

  it("keeps tree nodes in their own LevelDB inside the main one, the rest (stale lists too) in the main one", async () => {
    const path = join(dir(), "db");
    const db = await KyochiDb.open(path);
    expect(db.separateNodeStore).toBe(true);
    const batch = new WriteBatch();
    batch.put(node(1), Uint8Array.of(1));
    batch.put(stale(1), Uint8Array.of(2));
    batch.put(other(1), Uint8Array.of(3));
    await db.write(batch);
    expect([...((await db.get(node(1))) ?? [])]).toEqual([1]);
    expect((await db.getMany([other(1), node(1), stale(1)])).map((v) => v?.[0])).toEqual([3, 1, 2]);
    expect((await db.keys({ gte: Uint8Array.of(Prefix.TreeNode) }).all()).map((k) => [...k])).toEqual([
      [...node(1)],
    ]);
    await db.close();

    expect(await rawKeys(path)).toEqual([[...other(1)], [...stale(1)]]);
    expect(await rawKeys(join(path, NODE_STORE_DIR))).toEqual([[...node(1)]]);
  });

  it("keeps a database written before the split (tree nodes in the main LevelDB) in one store", async () => {
    const path = join(dir(), "db");
    const raw = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
    await raw.put(node(1), Uint8Array.of(7));
    await raw.close();

    const db = await KyochiDb.open(path);
    expect(db.separateNodeStore).toBe(false);
    expect([...((await db.get(node(1))) ?? [])]).toEqual([7]);
    const batch = new WriteBatch();
    batch.put(node(2), Uint8Array.of(8));
    batch.del(node(1));
    await db.write(batch);
    await db.close();
    expect(await rawKeys(path)).toEqual([[...node(2)]]);
    expect(existsSync(join(path, NODE_STORE_DIR))).toBe(false);
  });

  it("refuses a key range without a lower bound, which could not name its store", async () => {
    const db = await KyochiDb.open(join(dir(), "db"));
    try {
      expect(() => db.keys({ lt: Uint8Array.of(Prefix.TreeNode) })).toThrow(StateError);
    } finally {
      await db.close();
    }
  });
});

describe("the block-record store", () => {
  const at = (prefix: number, height: number) => Uint8Array.of(prefix, 0, 0, 0, 0, 0, 0, 0, height);
  const heightFirst = (prefix: number, height: number) => [0, 0, 0, 0, 0, 0, 0, height, prefix];

  it("keeps each height's block, commit and results apart, height first, and reads them back by their usual keys", async () => {
    const path = join(dir(), "db");
    const db = await KyochiDb.open(path);
    expect(db.separateBlockRecordStore).toBe(true);
    const batch = new WriteBatch();
    for (const height of [2, 1]) {
      batch.put(at(Prefix.Block, height), Uint8Array.of(10 + height));
      batch.put(at(Prefix.Commit, height), Uint8Array.of(20 + height));
      batch.put(at(Prefix.BlockResults, height), Uint8Array.of(30 + height));
    }
    batch.put(Uint8Array.of(Prefix.BlockMeta), Uint8Array.of(1));
    batch.put(at(Prefix.BlockHash, 1), Uint8Array.of(5));
    await db.write(batch);
    expect((await db.get(at(Prefix.Commit, 2)))?.[0]).toBe(22);
    const many = await db.getMany([
      at(Prefix.Block, 1),
      Uint8Array.of(Prefix.BlockMeta),
      at(Prefix.BlockResults, 2),
    ]);
    expect(many.map((v) => v?.[0])).toEqual([11, 1, 32]);
    expect(() => db.keys({ gte: Uint8Array.of(Prefix.Block) })).toThrow(StateError);
    await db.close();

    expect(await rawKeys(join(path, BLOCK_RECORD_STORE_DIR))).toEqual([
      heightFirst(Prefix.Block, 1),
      heightFirst(Prefix.Commit, 1),
      heightFirst(Prefix.BlockResults, 1),
      heightFirst(Prefix.Block, 2),
      heightFirst(Prefix.Commit, 2),
      heightFirst(Prefix.BlockResults, 2),
    ]);
    expect(await rawKeys(path)).toEqual([[...at(Prefix.BlockHash, 1)], [Prefix.BlockMeta]]);
  });

  it("deletes the records above a height, and only those", async () => {
    const db = await KyochiDb.open(join(dir(), "db"));
    try {
      const batch = new WriteBatch();
      for (let height = 1; height <= 4; height++) batch.put(at(Prefix.Block, height), Uint8Array.of(height));
      await db.write(batch);
      expect(await db.discardBlockRecordsAbove(2)).toBe(2);
      const left = await db.getMany([1, 2, 3, 4].map((h) => at(Prefix.Block, h)));
      expect(left.map((v) => v?.[0])).toEqual([1, 2, undefined, undefined]);
      expect(await db.discardBlockRecordsAbove(2)).toBe(0);
    } finally {
      await db.close();
    }
  });

  it("keeps a database written before the split (blocks in the main LevelDB) in one store", async () => {
    const path = join(dir(), "db");
    const raw = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: "view", valueEncoding: "view" });
    await raw.put(at(Prefix.Block, 1), Uint8Array.of(7));
    await raw.close();

    const db = await KyochiDb.open(path);
    expect(db.separateBlockRecordStore).toBe(false);
    expect(db.separateNodeStore).toBe(true);
    expect((await db.get(at(Prefix.Block, 1)))?.[0]).toBe(7);
    const batch = new WriteBatch();
    batch.put(at(Prefix.BlockResults, 1), Uint8Array.of(8));
    await db.write(batch);
    expect(await db.discardBlockRecordsAbove(0)).toBe(0);
    expect(
      (await db.keys({ gte: Uint8Array.of(Prefix.Block), lt: Uint8Array.of(Prefix.BlockMeta) }).all()).length,
    ).toBe(2);
    await db.close();
    expect(await rawKeys(path)).toEqual([[...at(Prefix.Block, 1)], [...at(Prefix.BlockResults, 1)]]);
    expect(existsSync(join(path, BLOCK_RECORD_STORE_DIR))).toBe(false);
  });
});
