// A crash between the writes of the two LevelDBs (the tree-node store and the main store, see
// KyochiDb): reopening leaves the tree exactly as if the block's batch had not been written, or
// had been written whole.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Prefix, WriteBatch } from "../db.js";
import { bytes, countPrefix, openTestStore, type TestStore, text } from "./test-helpers.js";
import type { TreeUpdate } from "./types.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const isNode = (key: Uint8Array) => key[0] === Prefix.TreeNode;
/** The deletes KyochiDb writes after the main store's batch: nodes', then stale lists'. */
const deletedAfterMain = (key: Uint8Array) => isNode(key) || key[0] === Prefix.TreeStale;

function accounts(n: number, tag: string): TreeUpdate[] {
  return Array.from({ length: n }, (_, i) => [bytes(`acct-${i}`), bytes(`${tag}-${i}`)] as const);
}

/** The ops of `batch` that `keep` accepts, in order: what a crash let through. */
function landed(batch: WriteBatch, keep: (key: Uint8Array, isPut: boolean) => boolean): WriteBatch {
  const out = new WriteBatch();
  batch.replay(
    (key, value) => {
      if (keep(key, true)) out.put(key, value);
    },
    (key) => {
      if (keep(key, false)) out.del(key);
    },
  );
  return out;
}

describe("a crash between the node store's write and the main store's", () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore();
    expect(store.db.separateNodeStore).toBe(true);
  });
  afterEach(async () => {
    await store.close();
  });

  it("before the main store's write: the version's nodes are discarded and it commits again the same", async () => {
    await store.commit(1, accounts(200, "a"));
    await store.commit(2, accounts(100, "b"));
    const nodes = await countPrefix(store.db, Prefix.TreeNode);
    const stale = await countPrefix(store.db, Prefix.TreeStale);

    const batch = new WriteBatch();
    const root3 = await store.tree.commit(3, accounts(150, "c"), batch);
    await store.db.write(landed(batch, (key, isPut) => isPut && isNode(key)));
    expect(await countPrefix(store.db, Prefix.TreeNode)).toBeGreaterThan(nodes);
    await store.reopen();

    expect(store.tree.version).toBe(2);
    expect(await countPrefix(store.db, Prefix.TreeNode)).toBe(nodes);
    expect(await countPrefix(store.db, Prefix.TreeStale)).toBe(stale);
    expect(text(await store.tree.get(bytes("acct-7")))).toBe("b-7");
    expect(hex(await store.commit(3, accounts(150, "c")))).toBe(hex(root3));
    await store.reopen();
    expect(text(await store.tree.get(bytes("acct-7")))).toBe("c-7");
    for (let i = 0; i < 200; i += 13) await store.tree.prove(bytes(`acct-${i}`), 3);
  });

  it("before the first version's main write: everything in the node store is discarded", async () => {
    const batch = new WriteBatch();
    await store.tree.commit(1, accounts(50, "a"), batch);
    await store.db.write(landed(batch, (key, isPut) => isPut && isNode(key)));
    await store.reopen();
    expect(await countPrefix(store.db, Prefix.TreeNode)).toBe(0);
    expect(await store.tree.get(bytes("acct-1"))).toBeUndefined();
  });

  it.each([
    ["before a prune's node deletes", (key: Uint8Array, isPut: boolean) => isPut || !deletedAfterMain(key)],
    [
      "after them, before its stale lists' deletes",
      (key: Uint8Array, isPut: boolean) => isPut || isNode(key) || !deletedAfterMain(key),
    ],
  ])("%s: reopening finishes the prune", async (_, crashLets) => {
    for (let v = 1; v <= 5; v++) await store.commit(v, accounts(120, `v${v}`));
    const batch = new WriteBatch();
    await store.tree.prune(4, batch);
    await store.db.write(landed(batch, crashLets));
    const leftBehind = await countPrefix(store.db, Prefix.TreeStale);
    expect(leftBehind).toBeGreaterThan(1); // the lists of versions 2..4 are still there

    await store.reopen();
    expect(store.tree.oldestVersion).toBe(4);
    expect(await countPrefix(store.db, Prefix.TreeStale)).toBe(1); // version 5's
    const nodesAfterRecovery = await countPrefix(store.db, Prefix.TreeNode);

    // The same history pruned without a crash keeps exactly as many nodes.
    const control = await openTestStore();
    try {
      for (let v = 1; v <= 5; v++) await control.commit(v, accounts(120, `v${v}`));
      const whole = new WriteBatch();
      await control.tree.prune(4, whole);
      await control.db.write(whole);
      expect(await countPrefix(control.db, Prefix.TreeNode)).toBe(nodesAfterRecovery);
    } finally {
      await control.close();
    }
    for (let i = 0; i < 120; i += 11) {
      expect(text(await store.tree.getAt(bytes(`acct-${i}`), 4))).toBe(`v4-${i}`);
      await store.tree.prove(bytes(`acct-${i}`), 4);
    }
  });
});
