// Fixed-width big-endian integers, as every hashed preimage and state key in the project writes
// them (big-endian so that byte order is numeric order in LevelDB keys).
import { allocSmall } from "./small-bytes.js";

export function u32be(n: number): Uint8Array {
  const out = allocSmall(4);
  new DataView(out.buffer, out.byteOffset, 4).setUint32(0, n);
  return out;
}

/** `n` must be a safe integer (at most 2^53-1), as every height, id and count here is. */
export function u64be(n: number): Uint8Array {
  const out = allocSmall(8);
  new DataView(out.buffer, out.byteOffset, 8).setBigUint64(0, BigInt(n));
  return out;
}

/**
 * `bytes` as a string of one char per byte (latin1): for short byte strings (state keys, tx
 * hashes) the cheapest Map/Set key, and string order is byte order. Every part of the node that
 * keys the same bytes by string uses this form, so the ids one part builds are the ids another
 * looks up.
 */
export function latin1Id(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}
