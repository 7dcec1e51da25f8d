// Strict validation of method params. Params are passed by name (a JSON object); every method
// lists the names it takes, and anything else (an unknown name, a wrong type, a non-integer or
// out-of-range height, bad hex, a bad address) is refused with INVALID_PARAMS naming the param.
import { decodeAddress } from "../../crypto/address.js";
import { CryptoError } from "../../crypto/errors.js";
import { RpcError } from "../errors.js";

export type Params = Readonly<Record<string, unknown>>;

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const HEX = /^0[xX]([0-9a-fA-F]{2})*$/;
const HEX_WITHOUT_PREFIX = /^([0-9a-fA-F]{2})*$/;

/** The params object of a request; absent params are an empty object. */
export function readParams(raw: unknown, allowed: readonly string[]): Params {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw RpcError.invalidParam(
      "params",
      "NOT_AN_OBJECT",
      `params must be an object of named params (${allowed.length > 0 ? allowed.join(", ") : "none"})`,
    );
  }
  const params = raw as Record<string, unknown>;
  for (const name of Object.keys(params)) {
    if (!allowed.includes(name)) {
      throw RpcError.invalidParam(
        name,
        "UNKNOWN_PARAM",
        `unknown param "${name}" (this method takes: ${allowed.length > 0 ? allowed.join(", ") : "no params"})`,
      );
    }
  }
  return params;
}

/** Whether an optional param is given: absent and null both mean "not given". */
export function isPresent(params: Params, name: string): boolean {
  return params[name] !== undefined && params[name] !== null;
}

function missing(name: string): RpcError {
  return RpcError.invalidParam(name, "MISSING", `"${name}" is required`);
}

/**
 * A height: a JSON integer or a decimal string, at least `min`, at most 2^53-1. Undefined when
 * absent (null counts as absent).
 */
export function optionalHeight(params: Params, name: string, min = 1): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  let height: number;
  if (typeof value === "number") {
    // JSON numbers beyond double range (1e400) parse as Infinity: out of range, not a fraction.
    if (Number.isFinite(value) && !Number.isInteger(value)) {
      throw RpcError.invalidParam(name, "NOT_AN_INTEGER", `"${name}" must be an integer, got ${value}`);
    }
    height = value;
  } else if (typeof value === "string") {
    if (!DECIMAL.test(value)) {
      throw RpcError.invalidParam(
        name,
        "NOT_AN_INTEGER",
        `"${name}" must be a decimal integer without sign or leading zeros, got ${JSON.stringify(value.slice(0, 40))}`,
      );
    }
    height = value.length > 16 ? Number.POSITIVE_INFINITY : Number(value);
  } else {
    throw RpcError.invalidParam(name, "WRONG_TYPE", `"${name}" must be an integer or a decimal string`);
  }
  if (height < min || !Number.isSafeInteger(height)) {
    throw RpcError.invalidParam(
      name,
      "OUT_OF_RANGE",
      `"${name}" must be between ${min} and ${Number.MAX_SAFE_INTEGER}, got ${String(value).slice(0, 40)}`,
    );
  }
  return height;
}

export function requiredHeight(params: Params, name: string, min = 1): number {
  const height = optionalHeight(params, name, min);
  if (height === undefined) throw missing(name);
  return height;
}

/** A JSON integer in [min, max]; undefined when absent. */
export function optionalInteger(params: Params, name: string, min: number, max: number): number | undefined {
  const value = params[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number")
    throw RpcError.invalidParam(name, "WRONG_TYPE", `"${name}" must be a number`);
  if (Number.isFinite(value) && !Number.isInteger(value)) {
    throw RpcError.invalidParam(name, "NOT_AN_INTEGER", `"${name}" must be an integer, got ${value}`);
  }
  if (value < min || value > max) {
    throw RpcError.invalidParam(
      name,
      "OUT_OF_RANGE",
      `"${name}" must be between ${min} and ${max}, got ${value}`,
    );
  }
  return value;
}

export function requiredString(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === null) throw missing(name);
  if (typeof value !== "string")
    throw RpcError.invalidParam(name, "WRONG_TYPE", `"${name}" must be a string`);
  return value;
}

export interface HexRule {
  /** Exact byte length. */
  length?: number;
  minLength?: number;
  maxLength?: number;
}

/** Bytes given as hex: an even number of hex digits, 0x-prefixed (the prefix may be left out). */
export function requiredHex(params: Params, name: string, rule: HexRule = {}): Uint8Array {
  const text = requiredString(params, name);
  const withPrefix = HEX.test(text);
  if (!withPrefix && !HEX_WITHOUT_PREFIX.test(text)) {
    throw RpcError.invalidParam(
      name,
      "BAD_HEX",
      `"${name}" must be 0x-prefixed hex with an even number of digits`,
    );
  }
  const bytes = new Uint8Array(Buffer.from(withPrefix ? text.slice(2) : text, "hex"));
  const { length, minLength, maxLength } = rule;
  if (length !== undefined && bytes.length !== length) {
    throw RpcError.invalidParam(name, "BAD_LENGTH", `"${name}" must be ${length} bytes, got ${bytes.length}`);
  }
  if (minLength !== undefined && bytes.length < minLength) {
    throw RpcError.invalidParam(
      name,
      "BAD_LENGTH",
      `"${name}" must be at least ${minLength} bytes, got ${bytes.length}`,
    );
  }
  if (maxLength !== undefined && bytes.length > maxLength) {
    throw RpcError.invalidParam(
      name,
      "BAD_LENGTH",
      `"${name}" must be at most ${maxLength} bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

/** A bech32 account address (kyo1...), as its 20 bytes. */
export function requiredAddress(params: Params, name: string): Uint8Array {
  const text = requiredString(params, name);
  try {
    return decodeAddress(text);
  } catch (err) {
    const reason = err instanceof CryptoError ? err.message : "invalid address";
    throw RpcError.invalidParam(name, "BAD_ADDRESS", `"${name}": ${reason}`);
  }
}

/** One of a fixed set of strings; `fallback` (or undefined) when absent. */
export function optionalEnum<T extends string>(
  params: Params,
  name: string,
  values: readonly T[],
): T | undefined;
export function optionalEnum<T extends string>(
  params: Params,
  name: string,
  values: readonly T[],
  fallback: T,
): T;
export function optionalEnum<T extends string>(
  params: Params,
  name: string,
  values: readonly T[],
  fallback?: T,
): T | undefined {
  const value = params[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string" || !(values as readonly string[]).includes(value)) {
    throw RpcError.invalidParam(
      name,
      "BAD_VALUE",
      `"${name}" must be one of ${values.map((v) => `"${v}"`).join(", ")}`,
    );
  }
  return value as T;
}
