import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WriteBatch } from "../db.js";
import { verifyProof } from "./index.js";
import { bytes, openTestStore, type TestStore } from "./test-helpers.js";
import type { TreeProof, TreeUpdate } from "./types.js";

// ---- An independent verifier, written from PROOFS.md only (no import from the tree) ----

function H(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

function decodeHash(s: unknown): Buffer | null {
  return typeof s === "string" && /^[0-9a-f]{64}$/.test(s) ? Buffer.from(s, "hex") : null;
}

function nibble(kh: Uint8Array, i: number): number {
  const byte = kh[Math.floor(i / 2)]!;
  return i % 2 === 0 ? byte >> 4 : byte & 0x0f;
}

function independentVerify(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | undefined,
  p: TreeProof,
): boolean {
  // Step 1
  const kh = H(key);
  const claimedKh = decodeHash(p.keyHash);
  if (claimedKh === null || !claimedKh.equals(kh)) return false;
  // Step 2
  if (!Array.isArray(p.siblings) || p.siblings.length % 15 !== 0) return false;
  const D = p.siblings.length / 15;
  if (D > 64) return false;
  const siblings = p.siblings.map(decodeHash);
  if (siblings.some((s) => s === null)) return false;
  // Step 3
  let cur: Buffer;
  if (p.kind === "inclusion") {
    if (value === undefined || p.otherLeaf !== undefined) return false;
    const vh = H(value);
    const claimedVh = decodeHash(p.valueHash);
    if (claimedVh === null || !claimedVh.equals(vh)) return false;
    cur = H(Uint8Array.of(0x00), kh, vh);
  } else if (p.kind === "exclusion") {
    if (value !== undefined || p.valueHash !== undefined) return false;
    if (p.otherLeaf !== undefined) {
      const okh = decodeHash(p.otherLeaf.keyHash);
      const ovh = decodeHash(p.otherLeaf.valueHash);
      if (okh === null || ovh === null || okh.equals(kh)) return false;
      for (let i = 0; i < D; i++) if (nibble(okh, i) !== nibble(kh, i)) return false;
      cur = H(Uint8Array.of(0x00), okh, ovh);
    } else {
      cur = Buffer.alloc(32);
    }
  } else {
    return false;
  }
  // Step 4
  for (let d = D - 1; d >= 0; d--) {
    const n = nibble(kh, d);
    const S = siblings.slice(15 * (D - 1 - d), 15 * (D - 1 - d) + 15) as Buffer[];
    const children: Buffer[] = [];
    for (let m = 0; m < 16; m++) children.push(m === n ? cur : m < n ? S[m]! : S[m - 1]!);
    cur = H(Uint8Array.of(0x01), ...children);
  }
  // Step 5
  return cur.equals(Buffer.from(root));
}

/** Both verifiers must agree; returns their common answer. */
function verifyBoth(root: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, p: TreeProof): boolean {
  const mine = independentVerify(root, key, value, p);
  expect(verifyProof(root, key, value, p)).toBe(mine);
  return mine;
}

// ---- tests ----

/** Swaps the first two different siblings of the root level (the root's children are all there). */
function swapTwoDifferent(siblings: string[]): string[] {
  const out = [...siblings];
  const top = out.length - 15;
  const j = out.findIndex((s, i) => i > top && s !== out[top]);
  [out[top], out[j]] = [out[j]!, out[top]!];
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function accounts(n: number, tag: string): TreeUpdate[] {
  return Array.from({ length: n }, (_, i) => [bytes(`acct-${i}`), bytes(`${tag}-${i}`)] as const);
}

let store: TestStore;
beforeEach(async () => {
  store = await openTestStore();
});
afterEach(async () => {
  await store.close();
});

describe("state proofs", () => {
  it("proves the empty tree and a one-key tree (root is the leaf itself)", async () => {
    const empty = await store.tree.prove(bytes("x"), 0);
    expect(empty.proof.kind).toBe("exclusion");
    expect(empty.proof.siblings).toHaveLength(0);
    expect(verifyBoth(empty.root, bytes("x"), undefined, empty.proof)).toBe(true);

    await store.commit(0, [[bytes("only"), bytes("one")]]);
    const incl = await store.tree.prove(bytes("only"), 0);
    expect(incl.proof.kind).toBe("inclusion");
    expect(incl.proof.siblings).toHaveLength(0);
    expect(verifyBoth(store.tree.root, bytes("only"), bytes("one"), incl.proof)).toBe(true);
    const excl = await store.tree.prove(bytes("other"), 0);
    expect(excl.proof.otherLeaf).toBeDefined();
    expect(verifyBoth(store.tree.root, bytes("other"), undefined, excl.proof)).toBe(true);
  });

  it("inclusion proofs of every key and exclusion proofs of absent keys verify against the root", async () => {
    const root = await store.commit(0, accounts(400, "v"));
    for (let i = 0; i < 400; i++) {
      const key = bytes(`acct-${i}`);
      const { value, proof, root: provedRoot } = await store.tree.prove(key, 0);
      expect(hex(provedRoot)).toBe(hex(root));
      expect(proof.kind).toBe("inclusion");
      expect(Buffer.from(value!).toString()).toBe(`v-${i}`);
      expect(verifyBoth(root, key, value, proof)).toBe(true);
      // A different value for the same key does not verify.
      expect(verifyBoth(root, key, bytes("forged"), proof)).toBe(false);
    }
    let emptySlot = 0;
    let otherLeaf = 0;
    for (let i = 0; i < 400; i++) {
      const key = bytes(`absent-${i}`);
      const { value, proof } = await store.tree.prove(key, 0);
      expect(value).toBeUndefined();
      expect(proof.kind).toBe("exclusion");
      if (proof.otherLeaf === undefined) emptySlot++;
      else otherLeaf++;
      expect(verifyBoth(root, key, undefined, proof)).toBe(true);
      expect(verifyBoth(root, key, bytes("something"), proof)).toBe(false);
    }
    // Both kinds of exclusion were exercised.
    expect(emptySlot).toBeGreaterThan(0);
    expect(otherLeaf).toBeGreaterThan(0);
  });

  it("proofs at an older version verify against that version's root, not the newer one", async () => {
    const r0 = await store.commit(0, accounts(200, "old"));
    const r1 = await store.commit(1, [...accounts(100, "new"), [bytes("acct-150"), null]]);
    expect(hex(r0)).not.toBe(hex(r1));

    const old = await store.tree.prove(bytes("acct-5"), 0);
    expect(Buffer.from(old.value!).toString()).toBe("old-5");
    expect(verifyBoth(await store.tree.rootAt(0), bytes("acct-5"), old.value, old.proof)).toBe(true);
    expect(verifyBoth(r1, bytes("acct-5"), old.value, old.proof)).toBe(false);

    const gone = await store.tree.prove(bytes("acct-150"), 1);
    expect(gone.value).toBeUndefined();
    expect(verifyBoth(r1, bytes("acct-150"), undefined, gone.proof)).toBe(true);
    const wasThere = await store.tree.prove(bytes("acct-150"), 0);
    expect(verifyBoth(r0, bytes("acct-150"), wasThere.value, wasThere.proof)).toBe(true);
    // Pruned away: old proofs can no longer be made, newer still verify.
    const batch = new WriteBatch();
    await store.tree.prune(1, batch);
    await store.db.write(batch);
    await expect(store.tree.prove(bytes("acct-5"), 0)).rejects.toMatchObject({ code: "VERSION_PRUNED" });
    const now = await store.tree.prove(bytes("acct-5"), 1);
    expect(verifyBoth(r1, bytes("acct-5"), now.value, now.proof)).toBe(true);
  });

  it("rejects tampered proofs", async () => {
    const root = await store.commit(0, accounts(300, "v"));
    const key = bytes("acct-17");
    const { value, proof } = await store.tree.prove(key, 0);
    expect(verifyBoth(root, key, value, proof)).toBe(true);
    expect(proof.siblings.length).toBeGreaterThanOrEqual(15);

    const flip = (h: string) => (h[0] === "0" ? "1" : "0") + h.slice(1);
    const tampered: TreeProof[] = [
      { ...proof, siblings: proof.siblings.map((s, i) => (i === 3 ? flip(s) : s)) },
      { ...proof, siblings: proof.siblings.map((s, i) => (i === proof.siblings.length - 1 ? flip(s) : s)) },
      { ...proof, siblings: proof.siblings.slice(15) }, // one level dropped
      { ...proof, siblings: proof.siblings.slice(1) }, // not whole levels
      { ...proof, siblings: swapTwoDifferent(proof.siblings) },
      { ...proof, valueHash: flip(proof.valueHash!) },
      { ...proof, keyHash: flip(proof.keyHash) },
      { ...proof, keyHash: proof.keyHash.toUpperCase() },
      { ...proof, kind: "exclusion" },
      { ...proof, siblings: proof.siblings.map((s, i) => (i === 0 ? s.slice(2) : s)) },
    ];
    for (const t of tampered) expect(verifyBoth(root, key, value, t)).toBe(false);
    // Wrong root, wrong key.
    expect(verifyBoth(H(root), key, value, proof)).toBe(false);
    expect(verifyBoth(root, bytes("acct-18"), value, proof)).toBe(false);

    // An exclusion proof cannot be made from another key's inclusion proof.
    const other = await store.tree.prove(bytes("acct-18"), 0);
    const forgedExclusion: TreeProof = {
      keyHash: proof.keyHash,
      kind: "exclusion",
      otherLeaf: { keyHash: other.proof.keyHash, valueHash: other.proof.valueHash! },
      siblings: other.proof.siblings,
    };
    expect(verifyBoth(root, key, undefined, forgedExclusion)).toBe(false);
    // Nor an exclusion proof for the key by pointing at its own leaf.
    const selfExclusion: TreeProof = {
      keyHash: proof.keyHash,
      kind: "exclusion",
      otherLeaf: { keyHash: proof.keyHash, valueHash: proof.valueHash! },
      siblings: proof.siblings,
    };
    expect(verifyBoth(root, key, undefined, selfExclusion)).toBe(false);
    // Nor by claiming its slot is empty.
    expect(
      verifyBoth(root, key, undefined, {
        keyHash: proof.keyHash,
        kind: "exclusion",
        siblings: proof.siblings,
      }),
    ).toBe(false);
  });
});
