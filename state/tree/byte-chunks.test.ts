import { describe, expect, it } from "vitest";
import { ByteChunks } from "./byte-chunks.js";

describe("byte chunks", () => {
  it("start at 16 KB and double up to 1 MB; an entry never spans two chunks", () => {
    const chunks = new ByteChunks();
    const placed: [number, number][] = [];
    for (let i = 0; i < 5_000; i++) {
      const at = chunks.reserve(1_000);
      placed.push([chunks.chunks.length - 1, at]);
      expect(at + 1_000).toBeLessThanOrEqual(chunks.last.length);
    }
    const sizes = chunks.chunks.map((c) => c.length);
    expect(sizes.slice(0, 8)).toEqual([16, 32, 64, 128, 256, 512, 1024, 1024].map((k) => k << 10));
    expect(new Set(placed.map(([c, at]) => `${c}:${at}`)).size).toBe(5_000);
  });

  it("gives an entry larger than the next chunk a chunk of its own size, then goes on", () => {
    const chunks = new ByteChunks();
    chunks.reserve(10);
    expect(chunks.reserve(100_000)).toBe(0);
    expect(chunks.last.length).toBe(100_000);
    expect(chunks.reserve(10)).toBe(0);
    expect(chunks.last.length).toBe(200_000);
  });
});
