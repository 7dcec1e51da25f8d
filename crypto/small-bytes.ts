// Small byte arrays (keys, hashes, account values) carved out of shared slabs of external memory.
//
// V8 keeps a `new Uint8Array(n)` of at most 64 bytes inside the JS heap. That is cheap until the
// array reaches native code: LevelDB's batch put, node:crypto's hash, `.buffer`. Then V8 moves it
// out of the heap, allocating and tracking a backing store for those few bytes. Measured: a
// LevelDB batch of 60k puts spends about 1 µs more per op on the main thread with heap-allocated
// 41-byte keys than with views into one buffer, and the garbage collector sweeps every moved
// store. A hash that came back as its own Buffer cost 2.3 µs of CPU against 0.4 µs this way.
//
// A view keeps its whole slab alive, like Node's own Buffer pool: slabs are small (16 KiB), so a
// few long-lived arrays cannot pin much.
const SLAB_BYTES = 16 * 1024;
/** Arrays above this size get their own memory: V8 allocates those outside the heap anyway. */
const SMALL_MAX = 64;

let slab = new ArrayBuffer(SLAB_BYTES);
let used = 0;

/** A zeroed Uint8Array of `size` bytes whose memory native code can use without a copy. */
export function allocSmall(size: number): Uint8Array {
  if (size > SMALL_MAX) return new Uint8Array(size);
  if (used + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = new Uint8Array(slab, used, size);
  used += size;
  return out;
}

/** A copy of `bytes` (any size) in memory native code can use without a copy. */
export function copySmall(bytes: Uint8Array): Uint8Array {
  const out = allocSmall(bytes.length);
  out.set(bytes);
  return out;
}
