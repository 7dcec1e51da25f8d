import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KyochiDb, WriteBatch } from "../state/db.js";
import { openStateTree } from "../state/tree/index.js";
import type { StateTree } from "../state/tree/types.js";
import { ExecutionError } from "./errors.js";
import { GAS_SCHEDULE, GasMeter } from "./gas.js";
import { BlockState, CommittedState, MeteredStore, stateKey } from "./store.js";

const k = (...b: number[]) => stateKey(Uint8Array.from(b));
const v = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

let dir: string;
let db: KyochiDb;
let tree: StateTree;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-exec-store-"));
  db = await KyochiDb.open(dir);
  tree = await openStateTree(db);
  const batch = new WriteBatch();
  await tree.commit(
    0,
    [
      [k(1, 1).bytes, v("one")],
      [k(1, 2).bytes, v("two")],
    ],
    batch,
  );
  await db.write(batch);
});

afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("layered state", () => {
  it("reads fall through tx scope -> block -> committed, and a dropped scope leaves nothing", async () => {
    const block = new BlockState(new CommittedState(tree, 100));
    const tx1 = block.scope();
    tx1.set(k(1, 1), v("one'"));
    tx1.delete(k(1, 2));
    expect(text(await tx1.get(k(1, 1)))).toBe("one'");
    expect(await tx1.get(k(1, 2))).toBeUndefined();
    expect(text(await block.get(k(1, 1)))).toBe("one");
    // never committed: dropped
    const tx2 = block.scope();
    tx2.set(k(1, 3), v("three"));
    tx2.commit();
    expect(text(await block.get(k(1, 3)))).toBe("three");
    expect(text(await block.get(k(1, 1)))).toBe("one");
    expect(() => tx2.commit()).toThrow();
  });

  it("yields the block's writes sorted by key bytes, last write winning", async () => {
    const block = new BlockState(new CommittedState(tree, 100));
    block.set(k(3), v("c"));
    block.set(k(1, 0xff), v("b"));
    block.set(k(1, 0x80), v("x"));
    block.delete(k(1, 0x80));
    block.set(k(0, 5), v("a"));
    const updates = block.updates();
    expect(updates.map(([key]) => Buffer.from(key).toString("hex"))).toEqual(["0005", "0180", "01ff", "03"]);
    expect(updates[1]?.[1]).toBeNull();
  });

  it("preloads keys with one sweep, and apply() keeps the cache equal to the tree", async () => {
    const committed = new CommittedState(tree, 100);
    await committed.preload([k(1, 1), k(1, 2), k(9, 9)]);
    expect(committed.cachedEntries).toBe(3);
    const block = new BlockState(committed);
    block.set(k(1, 1), v("new"));
    block.delete(k(1, 2));
    const updates = block.updates();
    const batch = new WriteBatch();
    await tree.commit(1, updates, batch);
    committed.apply(updates);
    await db.write(batch);
    expect(text(await committed.get(k(1, 1)))).toBe("new");
    expect(await committed.get(k(1, 2))).toBeUndefined();
    expect(text(await tree.get(k(1, 1).bytes))).toBe("new");
  });

  it("evicts beyond its capacity but still answers from the tree", async () => {
    const committed = new CommittedState(tree, 1);
    await committed.preload([k(1, 1), k(1, 2)]);
    expect(committed.cachedEntries).toBe(1);
    expect(text(await committed.get(k(1, 1)))).toBe("one");
    expect(text(await committed.get(k(1, 2)))).toBe("two");
  });
});

describe("gas", () => {
  it("charges reads and writes by size and stops at the limit with TX_OUT_OF_GAS", async () => {
    const block = new BlockState(new CommittedState(tree, 100));
    const meter = new GasMeter(10_000);
    const store = new MeteredStore(block.scope(), meter);
    await store.get(k(1, 1)); // 2-byte key, 3-byte value
    expect(meter.consumed).toBe(GAS_SCHEDULE.readFlat + 5 * GAS_SCHEDULE.readPerByte);
    store.set(k(1, 1), v("abc"));
    expect(meter.consumed).toBe(
      GAS_SCHEDULE.readFlat + 5 * GAS_SCHEDULE.readPerByte + GAS_SCHEDULE.writeFlat + 5 * 30,
    );
    let error: unknown;
    try {
      for (let i = 0; i < 10; i++) store.set(k(1, i), v("abc"));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExecutionError);
    expect((error as ExecutionError).code).toBe("TX_OUT_OF_GAS");
    expect(meter.consumed).toBe(10_000);
  });

  it("GasMeter accepts exactly its limit", () => {
    const meter = new GasMeter(100);
    meter.consume(60, "a");
    meter.consume(40, "b");
    expect(meter.remaining).toBe(0);
    expect(() => meter.consume(1, "c")).toThrow(/out of gas in c/);
  });
});
