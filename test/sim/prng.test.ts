import { describe, expect, it } from "vitest";
import { EventQueue } from "../../consensus/testing/sim/event-queue.js";
import { Prng } from "../../consensus/testing/sim/prng.js";

describe("simulator PRNG (xoshiro128** seeded by splitmix32)", () => {
  it("matches an independent implementation of the reference algorithm", () => {
    // Computed with a separate Python transcription of splitmix32 and xoshiro128** (Vigna's C code).
    const take = (seed: number) => {
      const rng = new Prng(seed);
      return Array.from({ length: 5 }, () => rng.nextU32());
    };
    expect(take(1)).toEqual([2442144158, 3238099751, 3819917871, 2104621829, 2021136066]);
    expect(take(42)).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180]);
  });

  it("replays the same sequence from the same seed, a different one from another", () => {
    const a = new Prng(123_456_789_012);
    const b = new Prng(123_456_789_012);
    const c = new Prng(123_456_789_013);
    const xs = Array.from({ length: 100 }, () => a.int(0, 1_000_000));
    expect(Array.from({ length: 100 }, () => b.int(0, 1_000_000))).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.int(0, 1_000_000))).not.toEqual(xs);
    // Seeds that differ only above 2^32 give different streams too.
    expect(new Prng(5).nextU32()).not.toBe(new Prng(5 + 2 ** 32).nextU32());
  });

  it("stays within bounds and covers the whole range", () => {
    const rng = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = rng.int(-3, 3);
      expect(x).toBeGreaterThanOrEqual(-3);
      expect(x).toBeLessThanOrEqual(3);
      seen.add(x);
      const f = rng.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(seen.size).toBe(7);
    expect(rng.shuffled([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => rng.int(2, 1)).toThrow(RangeError);
  });
});

describe("simulator event queue", () => {
  it("pops events in time order, equal times in insertion order", () => {
    const q = new EventQueue<string>();
    const rng = new Prng(3);
    const pushed: { at: number; id: string }[] = [];
    for (let i = 0; i < 500; i++) {
      const at = rng.int(0, 50);
      const id = `e${i}`;
      q.push(at, id);
      pushed.push({ at, id });
    }
    const expected = [...pushed].sort((x, y) => x.at - y.at || Number(x.id.slice(1)) - Number(y.id.slice(1)));
    const popped: string[] = [];
    for (let e = q.pop(); e; e = q.pop()) popped.push(e.event);
    expect(popped).toEqual(expected.map((e) => e.id));
    expect(q.size).toBe(0);
  });
});
