// Client-side proof verification, following PROOFS.md step by step. It uses nothing of the tree
// but the hashing rules, so a light client (rpc/client) can import it alone.
import {
  EMPTY_HASH,
  equalBytes,
  INTERNAL_DOMAIN,
  keyHashOf,
  leafHash,
  MAX_DEPTH,
  nibbleAt,
  RADIX,
  sha256,
  valueHashOf,
} from "./hashing.js";
import type { TreeProof } from "./types.js";

const SIBLINGS_PER_LEVEL = RADIX - 1;
const HASH_HEX = /^[0-9a-f]{64}$/;

function parseHash(hex: unknown): Uint8Array | null {
  if (typeof hex !== "string" || !HASH_HEX.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/**
 * True when `proof` shows that, in the tree whose root hash is `root`, `key` holds `value`
 * (inclusion) or is absent (`value` undefined, exclusion). Never throws on malformed proofs.
 */
export function verifyProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | undefined,
  proof: TreeProof,
): boolean {
  if (typeof proof !== "object" || proof === null || !Array.isArray(proof.siblings)) return false;
  const keyHash = keyHashOf(key);
  const claimed = parseHash(proof.keyHash);
  if (claimed === null || !equalBytes(claimed, keyHash)) return false;
  if (proof.siblings.length % SIBLINGS_PER_LEVEL !== 0) return false;
  const depth = proof.siblings.length / SIBLINGS_PER_LEVEL;
  if (depth > MAX_DEPTH) return false;

  let current: Uint8Array;
  if (proof.kind === "inclusion") {
    if (value === undefined || proof.otherLeaf != null) return false;
    const valueHash = valueHashOf(value);
    const claimedValue = parseHash(proof.valueHash);
    if (claimedValue === null || !equalBytes(claimedValue, valueHash)) return false;
    current = leafHash(keyHash, valueHash);
  } else if (proof.kind === "exclusion") {
    if (value !== undefined || proof.valueHash != null) return false;
    if (proof.otherLeaf != null) {
      const otherKey = parseHash(proof.otherLeaf.keyHash);
      const otherValue = parseHash(proof.otherLeaf.valueHash);
      if (otherKey === null || otherValue === null || equalBytes(otherKey, keyHash)) return false;
      // The other leaf must sit where `key` would be: same first `depth` nibbles.
      for (let i = 0; i < depth; i++) if (nibbleAt(otherKey, i) !== nibbleAt(keyHash, i)) return false;
      current = leafHash(otherKey, otherValue);
    } else {
      current = EMPTY_HASH;
    }
  } else {
    return false;
  }

  const input = new Uint8Array(1 + 32 * RADIX);
  for (let level = depth - 1; level >= 0; level--) {
    const n = nibbleAt(keyHash, level);
    const first = (depth - 1 - level) * SIBLINGS_PER_LEVEL;
    input[0] = INTERNAL_DOMAIN;
    for (let m = 0; m < RADIX; m++) {
      let h: Uint8Array | null;
      if (m === n) h = current;
      else h = parseHash(proof.siblings[first + (m < n ? m : m - 1)]);
      if (h === null) return false;
      input.set(h, 1 + 32 * m);
    }
    current = sha256(input);
  }
  return equalBytes(current, root);
}
