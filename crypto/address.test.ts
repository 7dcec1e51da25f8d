import { randomBytes } from "node:crypto";
import { bech32 } from "@scure/base";
import { describe, expect, it } from "vitest";
import { ADDRESS_PREFIX, decodeAddress, encodeAddress } from "./address.js";

function reference(address: Uint8Array): string {
  return bech32.encode(ADDRESS_PREFIX, bech32.toWords(address));
}

describe("encodeAddress", () => {
  it("writes what @scure/base's bech32 writes, and decodes back", () => {
    const cases = [
      new Uint8Array(20),
      new Uint8Array(20).fill(0xff),
      Uint8Array.from({ length: 20 }, (_, i) => i),
    ];
    for (let i = 0; i < 2_000; i++) cases.push(new Uint8Array(randomBytes(20)));
    for (const address of cases) {
      const text = encodeAddress(address);
      expect(text).toBe(reference(address));
      expect(decodeAddress(text)).toEqual(address);
    }
  });

  it("refuses anything but 20 bytes", () => {
    for (const len of [0, 19, 21, 32])
      expect(() => encodeAddress(new Uint8Array(len))).toThrowError(/20 bytes/);
  });
});
