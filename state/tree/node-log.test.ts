import { describe, expect, it } from "vitest";
import { sha256 } from "./hashing.js";
import { nodeKey } from "./keys.js";
import { NodeLog } from "./node-log.js";

/** A node of `length` bytes whose content depends on `seed`. */
function node(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i) & 0xff;
  return out;
}

describe("a version's node log", () => {
  it("gives back every node with the key nodeKey gives it, in order, across chunks", () => {
    const log = new NodeLog();
    const added: { key: Uint8Array; bytes: Uint8Array }[] = [];
    // ~2.6 MB in all, so entries fill chunks of every size; odd and even depths pack paths apart.
    for (let i = 0; i < 4_000; i++) {
      const keyHash = sha256(Uint8Array.of(i & 0xff, i >> 8));
      const depth = i % 9;
      const bytes = node(i, 100 + ((i * 37) % 1_200));
      log.add(7 + (i % 3), keyHash, depth, bytes);
      added.push({ key: nodeKey(7 + (i % 3), keyHash, depth), bytes: bytes.slice() });
    }
    expect(log.count).toBe(4_000);
    const seen: { key: number[]; bytes: number[] }[] = [];
    log.forEach((key, bytes) => {
      seen.push({ key: [...key], bytes: [...bytes] });
    });
    expect(seen).toEqual(added.map((a) => ({ key: [...a.key], bytes: [...a.bytes] })));
  });

  it("holds a node larger than a chunk, and views handed out earlier keep their bytes", () => {
    const log = new NodeLog();
    const keyHash = sha256(Uint8Array.of(1));
    log.add(1, keyHash, 3, node(1, 600));
    const first: Uint8Array[] = [];
    log.forEach((_key, bytes) => {
      first.push(bytes);
    });
    log.add(2, keyHash, 4, node(2, (1 << 20) + 5));
    log.add(3, keyHash, 5, node(3, 10));
    const sizes: number[] = [];
    log.forEach((_key, bytes) => {
      sizes.push(bytes.length);
    });
    expect(sizes).toEqual([600, (1 << 20) + 5, 10]);
    expect([...(first[0] as Uint8Array)]).toEqual([...node(1, 600)]);
  });

  it("copies what it is given: the caller may reuse its buffers", () => {
    const log = new NodeLog();
    const keyHash = sha256(Uint8Array.of(2));
    const bytes = node(5, 64);
    log.add(9, keyHash, 2, bytes);
    bytes.fill(0);
    keyHash.fill(0);
    log.forEach((key, stored) => {
      expect([...stored]).toEqual([...node(5, 64)]);
      expect([...key]).toEqual([...nodeKey(9, sha256(Uint8Array.of(2)), 2)]);
    });
  });
});
