import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type AttestationNonceInput, attestationNonce } from "./nonce.js";

const base: AttestationNonceInput = {
  chainId: "kyochi-devnet",
  anchorHeight: 1234,
  anchorBlockHash: new Uint8Array(32).fill(0x11),
  operator: new Uint8Array(20).fill(0x22),
  workerKey: new Uint8Array(33).fill(0x33),
  gpuIndex: 2,
};

describe("attestationNonce", () => {
  it("is sha256 over length-prefixed domain tag, chain id, height, block hash, operator, worker key, GPU index", () => {
    const lp = (b: Buffer) =>
      Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
    const height = Buffer.alloc(8);
    height.writeBigUInt64BE(1234n);
    const gpu = Buffer.alloc(4);
    gpu.writeUInt32BE(2);
    const expected = createHash("sha256")
      .update(
        Buffer.concat(
          [
            Buffer.from("kyochi/attestation/v1"),
            Buffer.from("kyochi-devnet"),
            height,
            Buffer.alloc(32, 0x11),
            Buffer.alloc(20, 0x22),
            Buffer.alloc(33, 0x33),
            gpu,
          ].map(lp),
        ),
      )
      .digest();
    expect(Buffer.from(attestationNonce(base)).equals(expected)).toBe(true);
  });

  it("changes with every field, and field boundaries matter", () => {
    const n = Buffer.from(attestationNonce(base)).toString("hex");
    const variants: Partial<AttestationNonceInput>[] = [
      { chainId: "kyochi-mainnet" },
      { anchorHeight: 1235 },
      { anchorBlockHash: new Uint8Array(32).fill(0x12) },
      { operator: new Uint8Array(20).fill(0x23) },
      { workerKey: new Uint8Array(33).fill(0x34) },
      { gpuIndex: 3 },
    ];
    const all = variants.map((v) => Buffer.from(attestationNonce({ ...base, ...v })).toString("hex"));
    expect(new Set([n, ...all]).size).toBe(variants.length + 1);
    const a = attestationNonce({ ...base, operator: Uint8Array.of(1, 2), workerKey: Uint8Array.of(3) });
    const b = attestationNonce({ ...base, operator: Uint8Array.of(1), workerKey: Uint8Array.of(2, 3) });
    expect(a).not.toEqual(b);
  });

  it("refuses out-of-range inputs", () => {
    const bad: Partial<AttestationNonceInput>[] = [
      { chainId: "" },
      { anchorHeight: -1 },
      { anchorHeight: 1.5 },
      { anchorBlockHash: new Uint8Array(31) },
      { operator: new Uint8Array(0) },
      { workerKey: new Uint8Array(0) },
      { gpuIndex: -1 },
      { gpuIndex: 2 ** 32 },
    ];
    for (const v of bad)
      expect(() => attestationNonce({ ...base, ...v })).toThrow(
        expect.objectContaining({ code: "INVALID_ARGUMENT" }),
      );
  });
});
