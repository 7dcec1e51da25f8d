// Amounts are bigints in base units, 0..=2^128-1, written as plain decimal strings in protos and
// JSON. Every operation is checked: nothing wraps, nothing silently saturates.
import { ExecutionError, type ResultCodeName } from "./errors.js";

export const MAX_AMOUNT = (1n << 128n) - 1n;
/** 2^128-1 has 39 decimal digits: a longer string can never be valid, so we reject it unparsed. */
const MAX_DIGITS = 39;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Parses a strict decimal amount: digits only (no sign, space, exponent, "0x"), no leading zeros
 * except "0" itself, at most 2^128-1. Throws ExecutionError(`code`, default INVALID_AMOUNT).
 */
export function parseAmount(text: string, what = "amount", code: ResultCodeName = "INVALID_AMOUNT"): bigint {
  if (typeof text !== "string" || text.length === 0 || text.length > MAX_DIGITS || !DECIMAL.test(text)) {
    throw new ExecutionError(code, `${what} ${JSON.stringify(text)} is not a decimal amount in 0..2^128-1`);
  }
  const value = BigInt(text);
  if (value > MAX_AMOUNT) throw new ExecutionError(code, `${what} ${text} is above 2^128-1`);
  return value;
}

/** Like parseAmount, and also rejects zero. */
export function parsePositiveAmount(text: string, what = "amount"): bigint {
  const value = parseAmount(text, what);
  if (value === 0n) throw new ExecutionError("INVALID_AMOUNT", `${what} must be greater than zero`);
  return value;
}

export function isValidAmount(value: bigint): boolean {
  return value >= 0n && value <= MAX_AMOUNT;
}

/** Canonical decimal string of an amount; throws if out of range (a bug upstream). */
export function formatAmount(value: bigint): string {
  if (!isValidAmount(value))
    throw new ExecutionError("AMOUNT_OVERFLOW", `amount ${value} is outside 0..2^128-1`);
  return value.toString(10);
}

export function checkedAdd(a: bigint, b: bigint): bigint {
  const sum = a + b;
  if (a < 0n || b < 0n || sum > MAX_AMOUNT)
    throw new ExecutionError("AMOUNT_OVERFLOW", `${a} + ${b} exceeds 2^128-1`);
  return sum;
}

export function checkedSub(a: bigint, b: bigint): bigint {
  if (a < 0n || b < 0n || b > a) throw new ExecutionError("AMOUNT_UNDERFLOW", `${a} - ${b} is below zero`);
  return a - b;
}

export function checkedMul(a: bigint, b: bigint): bigint {
  const product = a * b;
  if (a < 0n || b < 0n || product > MAX_AMOUNT) {
    throw new ExecutionError("AMOUNT_OVERFLOW", `${a} * ${b} exceeds 2^128-1`);
  }
  return product;
}
