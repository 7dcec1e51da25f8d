// The hashing rules of the state tree (see PROOFS.md). Everything that ends up in a root hash is
// computed here, so the rules live in one place.
import { hash } from "node:crypto";

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

/**
 * sha256 through Node's one-shot `crypto.hash` (Node >= 20.12): about twice as fast as a
 * createHash object for the 65- and 513-byte inputs the tree hashes tens of thousands of times
 * per block. Same digest as crypto/hash.ts `sha256`.
 */
export function sha256(data: Uint8Array): Uint8Array {
  // A Buffer is a Uint8Array; returning it as is saves wrapping every digest in a new view.
  return hash("sha256", data, "buffer");
}

/** Where a key sits in the tree: sha256 of the key bytes. */
export function keyHashOf(key: Uint8Array): Uint8Array {
  return sha256(key);
}

export function valueHashOf(value: Uint8Array): Uint8Array {
  return sha256(value);
}

const leafInput = new Uint8Array(65);

/** sha256(0x00 || keyHash || valueHash). A leaf's hash does not depend on its depth. */
export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  leafInput[0] = LEAF_DOMAIN;
  leafInput.set(keyHash, 1);
  leafInput.set(valueHash, 33);
  return sha256(leafInput);
}

/**
 * sha256(0x01 || child_0 || ... || child_15) where `childHashes` holds the 16 child hashes in
 * nibble order, EMPTY_HASH for an empty child. `input` must be 513 bytes with byte 0 free.
 */
export function internalHashOfInput(input: Uint8Array): Uint8Array {
  input[0] = INTERNAL_DOMAIN;
  return sha256(input);
}

/** Nibble `i` (0 = high half of byte 0) of a 32-byte key hash. */
export function nibbleAt(keyHash: Uint8Array, i: number): number {
  const b = keyHash[i >> 1]!;
  return (i & 1) === 0 ? b >> 4 : b & 0x0f;
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
