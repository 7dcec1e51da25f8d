// A database written before value records moved to version-first keys (TreeValueByVersion): its
// records are under (key hash, version). Reads at past versions, proofs and pruning still find them.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Prefix, WriteBatch } from "../db.js";
import { keyHashOfValueKey, legacyValueKey, valueFormatKey } from "./keys.js";
import { readU64 } from "./node.js";
import { bytes, countPrefix, openTestStore, type TestStore, text } from "./test-helpers.js";
import type { TreeUpdate } from "./types.js";

function accounts(n: number, tag: string): TreeUpdate[] {
  return Array.from({ length: n }, (_, i) => [bytes(`acct-${i}`), bytes(`${tag}-${i}`)] as const);
}

/** Moves every value record to where the code before kept it, and drops the format marker. */
async function rewriteAsLegacy(store: TestStore): Promise<number> {
  const batch = new WriteBatch();
  let moved = 0;
  for await (const [key, value] of store.db.iterator({
    gte: Uint8Array.of(Prefix.TreeValueByVersion),
    lt: Uint8Array.of(Prefix.TreeValueByVersion + 1),
  })) {
    batch.del(key);
    batch.put(legacyValueKey(keyHashOfValueKey(key), readU64(key, 1)), value);
    moved++;
  }
  batch.del(valueFormatKey);
  await store.db.write(batch);
  await store.reopen();
  return moved;
}

describe("value records written before version-first keys", () => {
  let store: TestStore;
  beforeEach(async () => {
    store = await openTestStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it("are read at past versions, proven, and pruned", async () => {
    await store.commit(1, accounts(60, "a"));
    await store.commit(2, accounts(30, "b"));
    expect(await rewriteAsLegacy(store)).toBe(90);
    await store.commit(3, [[bytes("acct-0"), bytes("c-0")]]);

    expect(text(await store.tree.getAt(bytes("acct-0"), 1))).toBe("a-0");
    expect(text(await store.tree.getAt(bytes("acct-0"), 2))).toBe("b-0");
    expect(text(await store.tree.getAt(bytes("acct-45"), 2))).toBe("a-45");
    expect(text(await store.tree.getAt(bytes("acct-0"), 3))).toBe("c-0");
    expect(text((await store.tree.prove(bytes("acct-45"), 3)).value)).toBe("a-45");

    const batch = new WriteBatch();
    await store.tree.prune(3, batch);
    await store.db.write(batch);
    // One record per live key is left: 59 written before (legacy), 1 after.
    expect(await countPrefix(store.db, Prefix.TreeValue, 41)).toBe(59);
    expect(await countPrefix(store.db, Prefix.TreeValueByVersion)).toBe(1);
    for (let i = 0; i < 60; i += 7) await store.tree.prove(bytes(`acct-${i}`), 3);
  });
});
