import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Prefix, WriteBatch } from "../db.js";
import { StateError } from "../errors.js";
import { EMPTY_HASH, verifyProof } from "./index.js";
import { bytes, countPrefix, openTestStore, type TestStore, text } from "./test-helpers.js";
import type { TreeUpdate } from "./types.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function expectStateError(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StateError);
  expect((err as StateError).code).toBe(code);
}

function accounts(n: number, tag = "v"): TreeUpdate[] {
  return Array.from({ length: n }, (_, i) => [bytes(`acct-${i}`), bytes(`${tag}-${i}`)] as const);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

let store: TestStore;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(async () => {
  await store.close();
});

describe("state tree basics", () => {
  it("starts empty at version 0 and accepts genesis as version 0, then only higher versions", async () => {
    expect(store.tree.version).toBe(0);
    expect(hex(store.tree.root)).toBe(hex(EMPTY_HASH));
    expect(await store.tree.get(bytes("a"))).toBeUndefined();
    expect(hex(await store.tree.rootAt(0))).toBe(hex(EMPTY_HASH));

    const genesis = await store.commit(0, [[bytes("a"), bytes("1")]]);
    expect(hex(genesis)).not.toBe(hex(EMPTY_HASH));
    expect(store.tree.version).toBe(0);
    expect(text(await store.tree.get(bytes("a")))).toBe("1");

    await expectStateError(store.tree.commit(0, [], new WriteBatch()), "INVALID_VERSION");
    await store.commit(1, [[bytes("a"), bytes("2")]]);
    await expectStateError(store.tree.commit(1, [], new WriteBatch()), "INVALID_VERSION");
    await expectStateError(store.tree.commit(-1, [], new WriteBatch()), "INVALID_VERSION");
    await expectStateError(store.tree.commit(1.5, [], new WriteBatch()), "INVALID_VERSION");
    expect(store.tree.version).toBe(1);
  });

  it("reads values at every retained version, through updates, deletes and re-creation", async () => {
    const k = bytes("alice");
    await store.commit(1, [[k, bytes("10")]]);
    await store.commit(2, [[bytes("bob"), bytes("5")]]);
    await store.commit(3, [[k, bytes("20")]]);
    await store.commit(4, [[k, null]]);
    await store.commit(5, []);
    await store.commit(6, [[k, bytes("30")]]);

    const expected = [undefined, "10", "10", "20", undefined, undefined, "30"];
    for (let v = 1; v <= 6; v++) expect(text(await store.tree.getAt(k, v))).toBe(expected[v]);
    expect(text(await store.tree.get(k))).toBe("30");
    expect(text(await store.tree.getAt(bytes("bob"), 1))).toBeUndefined();
    expect(text(await store.tree.getAt(bytes("bob"), 6))).toBe("5");
    await expectStateError(store.tree.getAt(k, 7), "VERSION_NOT_FOUND");
    // The root of a version with no changes is the root before it.
    expect(hex(await store.tree.rootAt(5))).toBe(hex(await store.tree.rootAt(4)));
  });

  it("getMany returns values in the order asked, undefined for absent keys", async () => {
    await store.commit(0, accounts(300));
    const keys = [bytes("acct-7"), bytes("nobody"), bytes("acct-299"), bytes("acct-0"), bytes("acct-7")];
    const values = await store.tree.getMany(keys);
    expect(values.map(text)).toEqual(["v-7", undefined, "v-299", "v-0", "v-7"]);
  });

  it("deleting every key gives back the empty root; deleting an absent key changes nothing", async () => {
    const updates = accounts(50);
    await store.commit(0, updates);
    const root = store.tree.root;
    const same = await store.commit(1, [[bytes("not-there"), null]]);
    expect(hex(same)).toBe(hex(root));
    const cleared = await store.commit(
      2,
      updates.map(([k]) => [k, null] as const),
    );
    expect(hex(cleared)).toBe(hex(EMPTY_HASH));
    expect(await store.tree.get(bytes("acct-3"))).toBeUndefined();
    // The older version is still intact.
    expect(text(await store.tree.getAt(bytes("acct-3"), 1))).toBe("v-3");
  });

  it("the root depends only on the content, not on update order or how versions split the work", async () => {
    const updates = accounts(400);
    const a = await store.commit(0, updates);

    const other = await openTestStore();
    try {
      // Shuffled, spread over several versions, with values that are later overwritten and keys
      // that are created then deleted.
      const mixed = shuffled(updates, 42);
      await other.commit(
        0,
        mixed.slice(0, 100).map(([k]) => [k, bytes("temporary")] as const),
      );
      await other.commit(1, [...mixed.slice(100, 250), [bytes("ghost"), bytes("boo")]]);
      await other.commit(2, [...shuffled(mixed.slice(0, 100), 7), ...mixed.slice(250)]);
      const b = await other.commit(3, [[bytes("ghost"), null]]);
      expect(hex(b)).toBe(hex(a));
    } finally {
      await other.close();
    }
  });

  it("the last update of a key within one version wins", async () => {
    const k = bytes("k");
    await store.commit(0, [
      [k, bytes("first")],
      [bytes("x"), bytes("y")],
      [k, bytes("second")],
    ]);
    expect(text(await store.tree.get(k))).toBe("second");
  });

  it("previewRoot gives the root commit will give, and changes nothing", async () => {
    await store.commit(0, accounts(200));
    const before = store.tree.root;
    const updates: TreeUpdate[] = [
      [bytes("acct-1"), bytes("changed")],
      [bytes("acct-2"), null],
      [bytes("new"), bytes("n")],
    ];
    const preview = await store.tree.previewRoot(updates);
    expect(hex(store.tree.root)).toBe(hex(before));
    expect(store.tree.version).toBe(0);
    expect(text(await store.tree.get(bytes("acct-2")))).toBe("v-2");
    const committed = await store.commit(1, updates);
    expect(hex(committed)).toBe(hex(preview));
    expect(hex(preview)).not.toBe(hex(before));
  });

  it("serves a committed version before its batch is written, and writes only through the batch", async () => {
    await store.commit(0, accounts(100));
    const nodesBefore = await countPrefix(store.db, Prefix.TreeNode);
    const batch = new WriteBatch();
    const root = await store.tree.commit(1, [[bytes("acct-5"), bytes("new")]], batch);
    expect(await countPrefix(store.db, Prefix.TreeNode)).toBe(nodesBefore); // nothing written yet
    expect(text(await store.tree.get(bytes("acct-5")))).toBe("new");
    expect(text(await store.tree.getAt(bytes("acct-5"), 1))).toBe("new");
    expect(text(await store.tree.getAt(bytes("acct-5"), 0))).toBe("v-5");
    expect(hex(await store.tree.rootAt(1))).toBe(hex(root));
    const { value } = await store.tree.prove(bytes("acct-5"), 1);
    expect(text(value)).toBe("new");
    await store.db.write(batch);
    await store.reopen();
    expect(text(await store.tree.get(bytes("acct-5")))).toBe("new");
  });

  it("reopening from LevelDB gives the same version, root and values, and continues identically", async () => {
    await store.commit(0, accounts(500));
    await store.commit(1, [
      [bytes("acct-1"), null],
      [bytes("zed"), bytes("z")],
    ]);
    const root = store.tree.root;
    await store.reopen();
    expect(store.tree.version).toBe(1);
    expect(hex(store.tree.root)).toBe(hex(root));
    expect(text(await store.tree.get(bytes("zed")))).toBe("z");
    expect(await store.tree.get(bytes("acct-1"))).toBeUndefined();
    expect(text(await store.tree.getAt(bytes("acct-1"), 0))).toBe("v-1");
    expect(hex(await store.tree.rootAt(1))).toBe(hex(root));

    const afterReopen = await store.commit(2, [[bytes("acct-2"), bytes("x")]]);
    const other = await openTestStore();
    try {
      await other.commit(0, accounts(500));
      await other.commit(1, [
        [bytes("acct-1"), null],
        [bytes("zed"), bytes("z")],
      ]);
      expect(hex(await other.commit(2, [[bytes("acct-2"), bytes("x")]]))).toBe(hex(afterReopen));
    } finally {
      await other.close();
    }
  });

  it("gives the same roots, values and proofs with a node cache far smaller than the tree", async () => {
    const small = await openTestStore({ nodeCacheBytes: 64 * 1024 });
    try {
      const updates = accounts(4000);
      const big = await store.commit(0, updates);
      expect(hex(await small.commit(0, updates))).toBe(hex(big));
      await small.reopen(); // start cold: nodes come from LevelDB
      // Commit versions back to back without writing the batches: nodes the cache dropped must
      // come from the versions held in memory.
      const batches: WriteBatch[] = [];
      for (let v = 1; v <= 3; v++) {
        const changes = accounts(4000, `v${v}`).filter((_, i) => i % 3 === v - 1);
        const batch = new WriteBatch();
        const root = await small.tree.commit(v, changes, batch);
        batches.push(batch);
        expect(hex(root)).toBe(hex(await store.commit(v, changes)));
      }
      for (let i = 0; i < 4000; i += 97) {
        const key = bytes(`acct-${i}`);
        expect(text(await small.tree.get(key))).toBe(text(await store.tree.get(key)));
        const { value } = await small.tree.prove(key, 3);
        expect(text(value)).toBe(text(await store.tree.get(key)));
      }
      for (const b of batches) await small.db.write(b);
      await small.reopen();
      expect(hex(small.tree.root)).toBe(hex(store.tree.root));
      // Every version written from memory is intact on disk.
      for (let v = 1; v <= 3; v++) {
        const root = await small.tree.rootAt(v);
        for (let i = 0; i < 4000; i += 101) {
          const key = bytes(`acct-${i}`);
          const { value, proof } = await small.tree.prove(key, v);
          expect(text(value)).toBe(text(await store.tree.getAt(key, v)));
          expect(verifyProof(root, key, value, proof)).toBe(true);
        }
      }
      expect(hex(await small.commit(4, [[bytes("acct-1"), null]]))).toBe(
        hex(await store.commit(4, [[bytes("acct-1"), null]])),
      );
    } finally {
      await small.close();
    }
  });

  it("commits may skip versions; a skipped version reads as the commit before it", async () => {
    await store.commit(0, [[bytes("a"), bytes("1")]]);
    await store.commit(5, [[bytes("a"), bytes("2")]]);
    expect(text(await store.tree.getAt(bytes("a"), 3))).toBe("1");
    expect(hex(await store.tree.rootAt(3))).toBe(hex(await store.tree.rootAt(0)));
    await store.reopen();
    expect(hex(await store.tree.rootAt(4))).toBe(hex(await store.tree.rootAt(0)));
  });
});

describe("pruning", () => {
  async function build(): Promise<Uint8Array[]> {
    const roots: Uint8Array[] = [];
    roots.push(await store.commit(0, accounts(300, "g")));
    for (let v = 1; v <= 5; v++) {
      const updates: TreeUpdate[] = [];
      for (let i = 0; i < 300; i += 3) updates.push([bytes(`acct-${i}`), bytes(`v${v}-${i}`)]);
      updates.push([bytes(`acct-${3 * v + 1}`), null]); // never among the updated ones
      roots.push(await store.commit(v, updates));
    }
    return roots;
  }

  it("removes old versions: reads and proofs below the oldest version throw VERSION_PRUNED", async () => {
    const roots = await build();
    const nodesBefore = await countPrefix(store.db, Prefix.TreeNode);
    const valuesBefore = await countPrefix(store.db, Prefix.TreeValue);
    const batch = new WriteBatch();
    await store.tree.prune(3, batch);
    await store.db.write(batch);
    expect(store.tree.oldestVersion).toBe(3);

    await expectStateError(store.tree.getAt(bytes("acct-0"), 2), "VERSION_PRUNED");
    await expectStateError(store.tree.prove(bytes("acct-0"), 2), "VERSION_PRUNED");
    await expectStateError(store.tree.rootAt(0), "VERSION_PRUNED");
    expect(await countPrefix(store.db, Prefix.TreeNode)).toBeLessThan(nodesBefore);
    expect(await countPrefix(store.db, Prefix.TreeValue)).toBeLessThan(valuesBefore);

    // Versions 3..5 are whole: every key reads and proves as before.
    for (let v = 3; v <= 5; v++) {
      expect(hex(await store.tree.rootAt(v))).toBe(hex(roots[v]!));
      expect(text(await store.tree.getAt(bytes("acct-0"), v))).toBe(`v${v}-0`);
      expect(text(await store.tree.getAt(bytes("acct-1"), v))).toBe("g-1");
      expect(await store.tree.getAt(bytes(`acct-${3 * v + 1}`), v)).toBeUndefined();
      expect(text(await store.tree.getAt(bytes(`acct-${3 * v + 4}`), v))).toBe(`g-${3 * v + 4}`);
      for (let i = 0; i < 300; i += 7) {
        const { value, root } = await store.tree.prove(bytes(`acct-${i}`), v);
        expect(hex(root)).toBe(hex(roots[v]!));
        expect(text(value)).toBe(text(await store.tree.getAt(bytes(`acct-${i}`), v)));
      }
    }
    // The oldest version survives a restart.
    await store.reopen();
    expect(store.tree.oldestVersion).toBe(3);
    await expectStateError(store.tree.getAt(bytes("acct-0"), 2), "VERSION_PRUNED");
    expect(text(await store.tree.getAt(bytes("acct-2"), 3))).toBe("g-2");
  });

  it("pruning step by step to the latest version keeps exactly one value record per live key", async () => {
    await build();
    for (const to of [2, 4, 5]) {
      const batch = new WriteBatch();
      await store.tree.prune(to, batch);
      await store.db.write(batch);
      if (to === 2) await store.reopen(); // later prunes pick up where a restarted node left off
    }
    await store.reopen();
    let live = 0;
    for (let i = 0; i < 300; i++) if ((await store.tree.get(bytes(`acct-${i}`))) !== undefined) live++;
    expect(live).toBe(295);
    // One versioned record (prefix | keyHash | version) and one latest record (prefix | keyHash) each.
    expect(await countPrefix(store.db, Prefix.TreeValue, 41)).toBe(live);
    expect(await countPrefix(store.db, Prefix.TreeValue, 33)).toBe(live);
    expect(await countPrefix(store.db, Prefix.TreeStale)).toBe(0);
    // Every remaining proof still resolves (no node it needs was deleted).
    for (let i = 0; i < 300; i++) await store.tree.prove(bytes(`acct-${i}`), 5);
  });

  it("prunes versions whose batch is not written yet, in the same batch as the commit", async () => {
    await store.commit(0, accounts(100));
    const batch = new WriteBatch();
    await store.tree.commit(1, accounts(100, "w"), batch);
    await store.tree.prune(1, batch);
    await store.db.write(batch);
    await store.reopen();
    expect(await countPrefix(store.db, Prefix.TreeValue, 41)).toBe(100);
    expect(text(await store.tree.get(bytes("acct-9")))).toBe("w-9");
    await expectStateError(store.tree.getAt(bytes("acct-9"), 0), "VERSION_PRUNED");
  });

  it("rejects pruning beyond the latest version", async () => {
    await store.commit(0, accounts(10));
    await expectStateError(store.tree.prune(1, new WriteBatch()), "INVALID_PRUNE");
  });
});
