import { describe, expect, it } from "vitest";
import { NodeCache } from "./node-cache.js";

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

describe("NodeCache", () => {
  it("never returns wrong bytes, keeps recent entries, and forgets old ones when full", () => {
    const cache = new NodeCache(1 << 16);
    const model = new Map<string, Uint8Array>();
    const order: Uint8Array[] = [];
    const random = rng(7);
    for (let i = 0; i < 5000; i++) {
      const key = new Uint8Array(10 + Math.floor(random() * 30));
      for (let j = 0; j < key.length; j++) key[j] = Math.floor(random() * 4); // many near-collisions
      key[0] = i & 0xff;
      key[1] = i >> 8;
      const node = new Uint8Array(1 + Math.floor(random() * 1200)).map(() => Math.floor(random() * 256));
      cache.set(key, node);
      model.set(Buffer.from(key).toString("hex"), node);
      order.push(key);
    }
    let hits = 0;
    for (const key of order) {
      const got = cache.get(key);
      if (got === undefined) continue;
      hits++;
      expect(Buffer.from(got)).toEqual(Buffer.from(model.get(Buffer.from(key).toString("hex"))!));
    }
    // ~3.3 MB went through a 64 KB ring: most entries are gone, the newest are there.
    expect(hits).toBeGreaterThan(20);
    expect(hits).toBeLessThan(1000);
    for (const key of order.slice(-10)) expect(cache.get(key)).toBeDefined();
    expect(cache.get(order[0]!)).toBeUndefined();
  });

  it("grows up to its size before it forgets anything", () => {
    const cache = new NodeCache(16 << 20);
    const node = new Uint8Array(1000).fill(5);
    const key = (i: number) => Uint8Array.of(i & 0xff, (i >> 8) & 0xff, i >> 16);
    for (let i = 0; i < 12_000; i++) cache.set(key(i), node); // ~12 MB: no entry lost yet
    for (let i = 0; i < 12_000; i += 7) expect(cache.get(key(i))?.length).toBe(1000);
    for (let i = 12_000; i < 40_000; i++) cache.set(key(i), node); // ~40 MB through 16 MB
    expect(cache.get(key(39_999))?.length).toBe(1000);
    expect(cache.get(key(13_000))).toBeUndefined();
  });

  it("returns copies: changing a returned node does not change the cache", () => {
    const cache = new NodeCache(1 << 16);
    const key = Uint8Array.of(1, 2, 3);
    cache.set(key, Uint8Array.of(9, 9, 9));
    const got = cache.get(key)!;
    got[0] = 0;
    expect([...cache.get(key)!]).toEqual([9, 9, 9]);
  });

  it("keeps finding its recent entries while old ones age out, without rebuilding its index", () => {
    const cache = new NodeCache(1 << 18);
    const random = rng(11);
    const recent: { key: Uint8Array; node: Uint8Array }[] = [];
    let rebuildsWhenFull = -1;
    let wrong = 0;
    for (let i = 0; i < 60_000; i++) {
      const key = new Uint8Array(8).map(() => Math.floor(random() * 3)); // fingerprints collide
      key[0] = i & 0xff;
      key[1] = (i >> 8) & 0xff;
      key[2] = i >> 16;
      const node = new Uint8Array(100 + Math.floor(random() * 200)).fill(i & 0xff);
      cache.set(key, node);
      recent.push({ key, node });
      if (recent.length > 200) recent.shift(); // ~60 KB: well inside the 256 KB ring
      if (i === 10_000) rebuildsWhenFull = cache.indexRebuilds; // the ring has wrapped by now
      if (i % 97 === 0) {
        for (const r of recent)
          if (!Buffer.from(r.node).equals(cache.peek(r.key) ?? new Uint8Array(0))) wrong++;
      }
    }
    expect(wrong).toBe(0);
    expect(rebuildsWhenFull).toBeGreaterThan(0);
    expect(cache.indexRebuilds).toBe(rebuildsWhenFull);
    expect(cache.get(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0))).toBeUndefined();
  });
});
