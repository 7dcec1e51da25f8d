import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { bytesEqual, encode } from "../../proto/canonical.js";
import { Block, BlockHeader, Commit, CommitSig } from "../../proto/index.js";
import { compactBlock, ParsedCompactBlock } from "./compact-block.js";
import { CompactBlock } from "./wire.js";

/** A block with fields on both sides of its txs (header before, last commit after). */
function blockOf(txs: Uint8Array[]): Uint8Array {
  return encode(
    Block,
    Block.create({
      header: BlockHeader.create({ chainId: "kyochi-compact-test", height: 9, timeMs: 1_700_000_000_000 }),
      txs,
      lastCommit: Commit.create({
        height: 8,
        round: 1,
        blockHash: randomBytes(32),
        signatures: [
          CommitSig.create({ flag: 2, validatorAddress: randomBytes(20), signature: randomBytes(64) }),
        ],
      }),
    }),
  );
}

describe("compact blocks", () => {
  it("carry each tx as its sha256 and rebuild the block byte for byte", () => {
    // Sizes around the one-to-two-byte length prefix boundary, and a transfer's size.
    const txs = [1, 127, 128, 190, 300, 190, 16_500].map((n) => randomBytes(n));
    const block = blockOf(txs);
    const compact = compactBlock(block);
    expect(compact.txs.map((t) => Buffer.from(t).toString("hex"))).toEqual(txs.map((t) => t.toString("hex")));

    const parsed = ParsedCompactBlock.decode(compact.bytes);
    expect(parsed.txCount).toBe(txs.length);
    for (const [i, tx] of txs.entries()) expect(bytesEqual(parsed.txHash(i), sha256(tx))).toBe(true);
    expect(bytesEqual(parsed.rebuild(txs), block)).toBe(true);
  });

  it("are a fraction of a block of transfers", () => {
    const block = blockOf(Array.from({ length: 1000 }, () => randomBytes(190)));
    // 32 bytes of hash, a packed offset and the tx's tag and length stay: under a quarter.
    expect(compactBlock(block).bytes.length).toBeLessThan(block.length / 4);
  });

  it("handle a block without txs", () => {
    const block = blockOf([]);
    const parsed = ParsedCompactBlock.decode(compactBlock(block).bytes);
    expect(parsed.txCount).toBe(0);
    expect(bytesEqual(parsed.rebuild([]), block)).toBe(true);
  });

  it("refuse offsets and hashes that do not fit together", () => {
    const skeleton = randomBytes(100);
    const cases: [string, Partial<CompactBlock>][] = [
      ["hashes for fewer txs", { txOffsets: [10, 20], txHashes: randomBytes(32) }],
      ["offsets out of order", { txOffsets: [20, 10], txHashes: randomBytes(64) }],
      ["an offset past the skeleton", { txOffsets: [101], txHashes: randomBytes(32) }],
    ];
    for (const [what, fields] of cases) {
      const bytes = encode(CompactBlock, CompactBlock.create({ skeleton, ...fields }));
      expect(() => ParsedCompactBlock.decode(bytes), what).toThrow();
    }
    expect(() => ParsedCompactBlock.decode(Uint8Array.of(0x0a, 0x05, 1))).toThrow();
  });
});
