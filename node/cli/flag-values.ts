// Parsers of CLI flag and argument values shared by the `tx` commands. Each throws a NodeError
// (CONFIG_INVALID) that names the flag and the value it refused, before anything is signed.
import { decodeAddress } from "../../crypto/address.js";
import { CryptoError } from "../../crypto/errors.js";
import { fromHex } from "../../crypto/hash.js";
import { NodeError } from "../errors.js";

const MAX_AMOUNT = (1n << 128n) - 1n;

export function invalid(message: string): NodeError {
  return new NodeError("CONFIG_INVALID", message);
}

/** An integer in min..max (default 0..2^53-1). */
export function uint(text: string, what: string, max = Number.MAX_SAFE_INTEGER, min = 0): number {
  if (!/^(0|[1-9][0-9]*)$/.test(text) || Number(text) > max || Number(text) < min) {
    throw invalid(`${what} must be an integer in ${min}..${max}, got "${text}"`);
  }
  return Number(text);
}

/** An id or count above zero. */
export function positiveInt(text: string, what: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw invalid(`${what} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

/** Base units in 0..2^128-1. */
export function amount(text: string, what: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text) || BigInt(text) > MAX_AMOUNT) {
    throw invalid(`${what} must be an integer of base units in 0..2^128-1, got "${text}"`);
  }
  return BigInt(text);
}

/** Base units in 1..2^128-1. */
export function positiveAmount(text: string, what: string): bigint {
  if (!/^[1-9][0-9]*$/.test(text) || BigInt(text) > MAX_AMOUNT) {
    throw invalid(`${what} must be a positive integer of base units below 2^128, got "${text}"`);
  }
  return BigInt(text);
}

/** 32 bytes of hex, with or without 0x. */
export function hash32(text: string, what: string): Uint8Array {
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) throw invalid(`${what} must be 32 bytes of hex, got "${text}"`);
  return fromHex(text.replace(/^0x/, ""));
}

export function yesNo(text: string, what: string): boolean {
  if (text === "yes" || text === "true") return true;
  if (text === "no" || text === "false") return false;
  throw invalid(`${what} must be yes or no, got "${text}"`);
}

/** A kyo1... account address. */
export function address(text: string, what: string): Uint8Array {
  try {
    return decodeAddress(text);
  } catch (err) {
    throw invalid(`${what} is not a kyo1 address: ${err instanceof CryptoError ? err.message : String(err)}`);
  }
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
