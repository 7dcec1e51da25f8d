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
