// Protobuf varints for the hand-written encoders (proto/tx-result-encoding.ts,
// execution/result-encoding.ts, the account codec): the same minimal encoding protobufjs's Writer
// produces.

/** Length of `value` (a safe non-negative integer) as a protobuf varint. */
export function varintLength(value: number): number {
  let n = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes `value` (a safe non-negative integer) as a varint at `at`; returns the offset after it. */
export function writeVarint(out: Uint8Array, at: number, value: number): number {
  while (value >= 128) {
    out[at++] = (value % 128) | 128;
    value = Math.floor(value / 128);
  }
  out[at++] = value;
  return at;
}

/**
 * Reads an unsigned varint of at most 32 bits (a length) at `at`; returns it and the offset after
 * it. Throws on a truncated or longer varint.
 */
export function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (at >= bytes.length) throw new Error("varint: truncated");
    const b = bytes[at++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (value > 0xffffffff) throw new Error("varint: above 32 bits");
      return [value, at];
    }
  }
  throw new Error("varint: above 32 bits");
}
