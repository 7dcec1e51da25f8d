import { describe, expect, it } from "vitest";
import { Account } from "../../../proto/index.js";
import { MAX_AMOUNT } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { decodeAccountFast, decodeAccountGeneric, encodeAccountBytes } from "./codec.js";
import { decodeAccount } from "./index.js";

const NONCES = [0, 1, 127, 128, 300, 16_383, 16_384, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER];
const BALANCES = [
  0n,
  1n,
  9n,
  10n,
  999_999_999_999_999n,
  1_000_000_000_000_000n,
  123_456_789_012_345_678_901_234_567_890n,
  2n ** 64n,
  MAX_AMOUNT,
];

function generated(nonce: number, balance: bigint): Uint8Array {
  return Account.encode(Account.create({ nonce, balance: balance.toString() })).finish();
}

describe("account codec", () => {
  it("writes exactly the generated encoder's bytes, and reads them back", () => {
    for (const nonce of NONCES) {
      for (const balance of BALANCES) {
        const bytes = encodeAccountBytes(nonce, balance);
        expect(Buffer.from(bytes).toString("hex")).toBe(
          Buffer.from(generated(nonce, balance)).toString("hex"),
        );
        expect(decodeAccountFast(bytes)).toEqual({ nonce, balance });
        expect(decodeAccount(bytes)).toEqual({ nonce, balance });
      }
    }
  });

  it("refuses balances outside 0..2^128-1 with AMOUNT_OVERFLOW", () => {
    for (const balance of [MAX_AMOUNT + 1n, -1n]) {
      let caught: unknown;
      try {
        encodeAccountBytes(1, balance);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ExecutionError);
      expect((caught as ExecutionError).code).toBe("AMOUNT_OVERFLOW");
    }
  });

  it("leaves every other layout to the generated decoder, which gives the same answer", () => {
    const others: Uint8Array[] = [
      new Uint8Array(0), // empty: nonce 0, balance 0
      Uint8Array.of(0x08, 0x05), // nonce only
      Uint8Array.of(0x08, 0x00, 0x12, 0x01, 0x37), // explicit zero nonce
      Uint8Array.of(0x08, 0x85, 0x00, 0x12, 0x01, 0x37), // padded varint
      Uint8Array.of(0x12, 0x01, 0x37, 0x08, 0x05), // fields reordered
    ];
    for (const bytes of others) {
      expect(decodeAccountFast(bytes)).toBeUndefined();
      expect(decodeAccount(bytes)).toEqual(decodeAccountGeneric(bytes));
    }
    expect(decodeAccount(Uint8Array.of(0x12, 0x01, 0x37, 0x08, 0x05))).toEqual({ nonce: 5, balance: 7n });
  });

  it("rejects stored balances that are not canonical decimals in range as INTERNAL", () => {
    const enc = (s: string) => Uint8Array.from([0x12, s.length, ...Buffer.from(s, "latin1")]);
    for (const bad of ["007", "1a", "-1", " 1", (MAX_AMOUNT + 1n).toString(), "1".repeat(40)]) {
      expect(decodeAccountFast(enc(bad))).toBeUndefined();
      expect(() => decodeAccount(enc(bad))).toThrowError(/stored balance/);
    }
  });
});
