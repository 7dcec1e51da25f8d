// Conversions from proto field values to the JSON conventions of rpc/types.ts.
import { toHex } from "../../../crypto/hash.js";

/** 0x-prefixed lowercase hex ("0x" for empty or missing bytes). */
export function hex(bytes: Uint8Array | null | undefined): string {
  return `0x${bytes == null ? "" : toHex(bytes)}`;
}

/**
 * An integer proto field as a JS number. proto/runtime.ts makes protobufjs give numbers, but a
 * message built elsewhere (or with Long turned back on) may carry a Long or bigint; all mean the
 * same integer, and rendering must not fail on the difference. Fields are bounded to 2^53-1.
 */
export function protoNumber(field: unknown): number {
  if (typeof field === "number") return field;
  if (field == null) return 0;
  if (typeof field === "bigint") return Number(field);
  if (typeof field === "object") {
    const text = String(field);
    if (/^-?[0-9]+$/.test(text)) return Number(text);
  }
  throw new TypeError(`not an integer field: ${String(field)}`);
}

/** ISO 8601 time of unix milliseconds, or "" when out of Date's range. */
export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}
