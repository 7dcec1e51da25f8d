import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type ResultCommitmentInput, resultCommitment } from "./compute-commitment.js";
import { CryptoError } from "./errors.js";

const base: ResultCommitmentInput = {
  jobId: 258,
  round: 3,
  resultHash: new Uint8Array(32).fill(0xaa),
  salt: new Uint8Array(16).fill(0x55),
  worker: new Uint8Array(20).fill(0x77),
};

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("resultCommitment", () => {
  it("is sha256 over domain, u64 job id, u32 round, result hash, u32 salt length, salt, worker", () => {
    const expected = createHash("sha256")
      .update(
        Buffer.concat([
          Buffer.from("kyochi/compute/commit/v1"),
          Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]),
          Buffer.from([0, 0, 0, 3]),
          Buffer.alloc(32, 0xaa),
          Buffer.from([0, 0, 0, 16]),
          Buffer.alloc(16, 0x55),
          Buffer.alloc(20, 0x77),
        ]),
      )
      .digest("hex");
    expect(hex(resultCommitment(base))).toBe(expected);
  });

  it("binds every field: another job, round, result, salt or worker gives another commitment", () => {
    const ref = hex(resultCommitment(base));
    const variants: ResultCommitmentInput[] = [
      { ...base, jobId: 259 },
      { ...base, round: 4 },
      { ...base, resultHash: new Uint8Array(32).fill(0xab) },
      { ...base, salt: new Uint8Array(16).fill(0x56) },
      { ...base, salt: new Uint8Array(17).fill(0x55) },
      { ...base, worker: new Uint8Array(20).fill(0x78) },
    ];
    const all = new Set(variants.map((v) => hex(resultCommitment(v))));
    expect(all.size).toBe(variants.length);
    expect(all.has(ref)).toBe(false);
  });

  it("refuses a salt outside 16..64 bytes and wrong-length hashes or addresses", () => {
    const bad: ResultCommitmentInput[] = [
      { ...base, salt: new Uint8Array(15) },
      { ...base, salt: new Uint8Array(65) },
      { ...base, resultHash: new Uint8Array(31) },
      { ...base, worker: new Uint8Array(32) },
      { ...base, jobId: 0 },
      { ...base, round: -1 },
    ];
    for (const input of bad) expect(() => resultCommitment(input)).toThrow(CryptoError);
    expect(resultCommitment({ ...base, salt: new Uint8Array(64) })).toHaveLength(32);
  });
});
