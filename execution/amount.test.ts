import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkedAdd,
  checkedMul,
  checkedSub,
  formatAmount,
  MAX_AMOUNT,
  parseAmount,
  parsePositiveAmount,
} from "./amount.js";
import { ExecutionError } from "./errors.js";

const amount = fc.bigInt({ min: 0n, max: MAX_AMOUNT });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ExecutionError ? err.code : "not an ExecutionError";
  }
  return undefined;
}

describe("amount parsing", () => {
  it("round-trips every amount in range", () => {
    fc.assert(fc.property(amount, (v) => parseAmount(formatAmount(v)) === v));
  });

  it("accepts the bounds and rejects one past the top", () => {
    expect(parseAmount("0")).toBe(0n);
    expect(parseAmount("340282366920938463463374607431768211455")).toBe(MAX_AMOUNT);
    expect(codeOf(() => parseAmount("340282366920938463463374607431768211456"))).toBe("INVALID_AMOUNT");
    expect(codeOf(() => parseAmount("9".repeat(40)))).toBe("INVALID_AMOUNT");
  });

  it("rejects signs, leading zeros, spaces, exponents, hex, empty and non-digits", () => {
    for (const bad of ["", "-1", "+1", "01", "00", " 1", "1 ", "1e3", "0x10", "1.0", "１", "1_000", "NaN"]) {
      expect(
        codeOf(() => parseAmount(bad)),
        bad,
      ).toBe("INVALID_AMOUNT");
    }
  });

  it("rejects any string that is not the canonical form of its value", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 45 }), (s) => {
        let parsed: bigint | undefined;
        try {
          parsed = parseAmount(s);
        } catch (err) {
          return err instanceof ExecutionError && err.code === "INVALID_AMOUNT";
        }
        return parsed.toString() === s && parsed <= MAX_AMOUNT;
      }),
    );
  });

  it("parsePositiveAmount rejects zero", () => {
    expect(codeOf(() => parsePositiveAmount("0"))).toBe("INVALID_AMOUNT");
    expect(parsePositiveAmount("1")).toBe(1n);
  });

  it("uses the caller's error code", () => {
    expect(codeOf(() => parseAmount("x", "fee", "TX_INVALID_FEE"))).toBe("TX_INVALID_FEE");
  });
});

describe("checked arithmetic", () => {
  it("add is exact in range and throws AMOUNT_OVERFLOW past 2^128-1", () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        if (a + b <= MAX_AMOUNT) return checkedAdd(a, b) === a + b;
        return codeOf(() => checkedAdd(a, b)) === "AMOUNT_OVERFLOW";
      }),
    );
    expect(codeOf(() => checkedAdd(MAX_AMOUNT, 1n))).toBe("AMOUNT_OVERFLOW");
    expect(checkedAdd(MAX_AMOUNT, 0n)).toBe(MAX_AMOUNT);
  });

  it("sub is exact when a >= b and throws AMOUNT_UNDERFLOW otherwise", () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        if (a >= b) return checkedSub(a, b) === a - b;
        return codeOf(() => checkedSub(a, b)) === "AMOUNT_UNDERFLOW";
      }),
    );
    expect(codeOf(() => checkedSub(0n, 1n))).toBe("AMOUNT_UNDERFLOW");
  });

  it("mul is exact in range and throws AMOUNT_OVERFLOW past 2^128-1", () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        if (a * b <= MAX_AMOUNT) return checkedMul(a, b) === a * b;
        return codeOf(() => checkedMul(a, b)) === "AMOUNT_OVERFLOW";
      }),
    );
    expect(checkedMul(1n << 64n, (1n << 64n) - 1n)).toBe(MAX_AMOUNT - ((1n << 64n) - 1n));
    expect(codeOf(() => checkedMul(1n << 64n, 1n << 64n))).toBe("AMOUNT_OVERFLOW");
  });

  it("formatAmount refuses values outside the range", () => {
    expect(codeOf(() => formatAmount(-1n))).toBe("AMOUNT_OVERFLOW");
    expect(codeOf(() => formatAmount(MAX_AMOUNT + 1n))).toBe("AMOUNT_OVERFLOW");
  });
});
