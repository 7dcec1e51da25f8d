// The hashing rules of the state tree (see PROOFS.md). Everything that ends up in a root hash is
// computed here, so the rules live in one place.
import { hash } from "node:crypto";
import { sha256 } from "../../crypto/hash.js";
import { allocSmall } from "../../crypto/small-bytes.js";

export { sha256 };

/** First byte of a leaf's hash input. */
export const LEAF_DOMAIN = 0x00;
/** First byte of an internal node's hash input. */
export const INTERNAL_DOMAIN = 0x01;
/** Hash of an empty subtree (and of the empty tree): 32 zero bytes. No real hash equals it. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(32);
/** Children of an internal node. */
export const RADIX = 16;
/** Nibbles in a key hash: the deepest a leaf can sit. */
export const MAX_DEPTH = 64;

/** Where a key sits in the tree: sha256 of the key bytes. */
export function keyHashOf(key: Uint8Array): Uint8Array {
  return sha256(key);
}

export function valueHashOf(value: Uint8Array): Uint8Array {
  return sha256(value);
}

/** sha256(0x00 || keyHash || valueHash). A leaf's hash does not depend on its depth. */
export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const input = new Uint8Array(65);
  input[0] = LEAF_DOMAIN;
  input.set(keyHash, 1);
  input.set(valueHash, 33);
  return sha256(input);
}

/** Nibble `i` (0 = high half of byte 0) of a 32-byte key hash. */
export function nibbleAt(keyHash: Uint8Array, i: number): number {
  const b = keyHash[i >> 1]!;
  return (i & 1) === 0 ? b >> 4 : b & 0x0f;
}

/**
 * Hands out byte ranges of large chunks and writes sha256 digests into them. A commit makes
 * ~100k digests and ~35k nodes at 1M keys; one Buffer per digest or node (what crypto.hash and
 * new Uint8Array give) cost ~1 µs each plus GC work, measured. Here a digest is hashed to a latin1
 * string (a plain heap string) and written into the chunk: about half the time of a Buffer digest.
 * A chunk lives as long as any range handed out from it, so long-lived results must be copied.
 */
export class ByteArena {
  private bytes = new Uint8Array(0);
  private writer = Buffer.alloc(0);
  private chunkView = new DataView(new ArrayBuffer(0));
  private used = 0;

  constructor(private readonly chunkSize = 1 << 20) {}

  alloc(size: number): Uint8Array {
    if (this.used + size > this.bytes.length) {
      const chunk = new ArrayBuffer(Math.max(this.chunkSize, size));
      this.bytes = new Uint8Array(chunk);
      this.writer = Buffer.from(chunk);
      this.chunkView = new DataView(chunk);
      this.used = 0;
    }
    const out = this.bytes.subarray(this.used, this.used + size);
    this.used += size;
    return out;
  }

  /**
   * The whole chunk the last alloc() came from, for word-wise access to that range at its
   * byteOffset (see node.ts); a later alloc() may move to a new chunk.
   */
  get view(): DataView {
    return this.chunkView;
  }

  /** sha256(data), in this arena. */
  sha256(data: Uint8Array): Uint8Array {
    const out = this.alloc(32);
    this.writer.write(hash("sha256", data, "binary"), out.byteOffset, "binary");
    return out;
  }

  /** sha256(0x00 || keyHash || sha256(value)): the leaf hash, in this arena. */
  leafHash(keyHash: Uint8Array, value: Uint8Array): Uint8Array {
    leafInput[0] = LEAF_DOMAIN;
    leafInput.set(keyHash, 1);
    leafWriter.write(hash("sha256", value, "binary"), 33, "binary");
    return this.sha256(leafInput);
  }
}

const leafBuffer = new ArrayBuffer(65);
const leafInput = new Uint8Array(leafBuffer);
const leafWriter = Buffer.from(leafBuffer);

/**
 * A copy of `bytes[start, end)` that shares no memory with `bytes` (a small one lives in a slab:
 * see small-bytes.ts). Not `.slice()`: on a Buffer (what LevelDB and node:crypto return)
 * `.slice()` is a view that shares memory.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  const out = allocSmall(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
