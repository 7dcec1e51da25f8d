import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { bytesEqual, decodeCanonical, encode } from "../../proto/canonical.js";
import { type AssemblerLimits, checkPart, PartSetAssembler, partSizeFor, splitBlock } from "./block-parts.js";
import { BlockPart } from "./wire.js";

const decode = (bytes: Uint8Array) => decodeCanonical<BlockPart>(BlockPart, bytes, "part");
const limits: AssemblerLimits = { maxBlockBytes: 1 << 20, maxPartialSets: 3, maxBufferedBytes: 1 << 20 };

function shuffled<T>(xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomBytes(1)[0]! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("block parts", () => {
  it("every part of every set size carries a valid proof, and any order joins to the block", () => {
    for (const total of [1, 2, 3, 5, 8, 13]) {
      const block = randomBytes(100 * total - 7);
      const parts = splitBlock(block, 100, 1).map(decode);
      expect(parts).toHaveLength(total);
      for (const p of parts) expect(checkPart(p)).toBeUndefined();
      const asm = new PartSetAssembler(limits);
      const results = shuffled(parts).map((p) => asm.add(p, "peer"));
      const last = results[results.length - 1]!;
      expect(results.slice(0, -1).every((r) => r.kind === "pending")).toBe(true);
      expect(last.kind).toBe("complete");
      if (last.kind === "complete") expect(bytesEqual(last.block, block)).toBe(true);
      expect(asm.bufferedBytes).toBe(0);
    }
  });

  it("stays within the message cap", () => {
    const max = 4096;
    const block = randomBytes(50_000);
    for (const bytes of splitBlock(block, partSizeFor(max), Date.now()))
      expect(bytes.length).toBeLessThanOrEqual(max);
  });

  it("rejects a part whose data, index or proof was altered", () => {
    const parts = splitBlock(randomBytes(1000), 100, 1).map(decode);
    const p = parts[3]!;
    const forged = [
      BlockPart.create({ ...p, data: randomBytes(100) }),
      BlockPart.create({ ...p, index: 4 }),
      BlockPart.create({ ...p, proof: p.proof.slice(1) }),
      BlockPart.create({ ...p, proof: [...p.proof, randomBytes(32)] }),
      BlockPart.create({ ...p, index: 10, total: 10 }),
      BlockPart.create({ ...p, partsRoot: randomBytes(31) }),
    ];
    for (const f of forged) expect(checkPart(decode(encode(BlockPart, f)))).toBeDefined();
  });

  it("drops a consistent set whose bytes do not hash to block_sha256 and names its authors", () => {
    const parts = splitBlock(randomBytes(500), 100, 1).map((b) =>
      BlockPart.create({ ...decode(b), blockSha256: sha256(Uint8Array.of(1)) }),
    );
    const asm = new PartSetAssembler(limits);
    const results = parts.map((p, i) => asm.add(p, i < 2 ? "x" : "y"));
    expect(results[results.length - 1]).toMatchObject({ kind: "bad", peers: ["x", "y"] });
  });

  it("ignores a duplicate part and merges two broadcasts of one block", () => {
    const block = randomBytes(300);
    const first = splitBlock(block, 100, 1).map(decode);
    const second = splitBlock(block, 100, 2).map(decode);
    const asm = new PartSetAssembler(limits);
    expect(asm.add(first[0]!, "a").kind).toBe("pending");
    expect(asm.add(second[0]!, "b").kind).toBe("duplicate");
    expect(asm.add(second[1]!, "b").kind).toBe("pending");
    const done = asm.add(first[2]!, "a");
    expect(done.kind).toBe("complete");
  });

  it("bounds memory: few partial sets, capped bytes, the oldest dropped first", () => {
    const asm = new PartSetAssembler({ maxBlockBytes: 10_000, maxPartialSets: 2, maxBufferedBytes: 2500 });
    const blocks = [randomBytes(2000), randomBytes(2000), randomBytes(2000)];
    const sets = blocks.map((b) => splitBlock(b, 1000, 1).map(decode));
    asm.add(sets[0]![0]!, "p");
    asm.add(sets[1]![0]!, "p");
    expect(asm.partialSets).toBe(2);
    asm.add(sets[2]![0]!, "p"); // a third set: the oldest (block 0) goes
    expect(asm.partialSets).toBe(2);
    expect(asm.bufferedBytes).toBe(2000);
    asm.add(sets[1]![1]!, "p"); // completes block 1
    asm.add(sets[0]![1]!, "p"); // block 0 starts over: its first part is gone
    expect(asm.partialSets).toBe(2);
    expect(asm.bufferedBytes).toBeLessThanOrEqual(2500);
    // A set larger than maxBlockBytes is refused as soon as it passes the limit.
    const roomy = new PartSetAssembler({
      maxBlockBytes: 10_000,
      maxPartialSets: 2,
      maxBufferedBytes: 1 << 20,
    });
    const big = splitBlock(randomBytes(12_000), 1000, 1).map(decode);
    const results = big.map((p) => roomy.add(p, "q"));
    expect(results.findIndex((r) => r.kind === "bad")).toBe(10);
    expect(results[10]).toMatchObject({ kind: "bad", peers: ["q"] });
  });
});
