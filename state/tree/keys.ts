// LevelDB keys of the state tree. Versions are u64 BE so that LevelDB order is version order.
import { allocSmall } from "../../crypto/small-bytes.js";
import { Prefix } from "../db.js";
import { StateError } from "../errors.js";
import { writeU64 } from "./node.js";

const META_LATEST = 0x4c; // 'L'
const META_OLDEST = 0x4f; // 'O'
const META_ROOT = 0x52; // 'R'

/**
 * Node at (version, nibble path): TreeNode | version u64 | depth u8 | the path's nibbles packed
 * two per byte (an odd last nibble is followed by a zero nibble). The path is the first `depth`
 * nibbles of `keyHash`, any key hash below the node.
 */
export function nodeKey(version: number, keyHash: Uint8Array, depth: number): Uint8Array {
  const out = allocSmall(nodeKeyLength(depth));
  writeNodeKey(out, 0, version, keyHash, depth);
  return out;
}

/** Length of a node's key at `depth` (see nodeKey). */
export function nodeKeyLength(depth: number): number {
  return 10 + ((depth + 1) >> 1);
}

/** Writes nodeKey(version, keyHash, depth) into `out` at `offset`. */
export function writeNodeKey(
  out: Uint8Array,
  offset: number,
  version: number,
  keyHash: Uint8Array,
  depth: number,
): void {
  const pathBytes = (depth + 1) >> 1;
  out[offset] = Prefix.TreeNode;
  writeU64(out, offset + 1, version);
  out[offset + 9] = depth;
  for (let i = 0; i < pathBytes; i++) out[offset + 10 + i] = keyHash[i]!;
  if ((depth & 1) === 1) out[offset + 9 + pathBytes] = out[offset + 9 + pathBytes]! & 0xf0;
}

/** The first possible key of the nodes written by `version` (or any later version). */
export function nodeVersionStart(version: number): Uint8Array {
  const out = allocSmall(9);
  out[0] = Prefix.TreeNode;
  writeU64(out, 1, version);
  return out;
}

/** Length of a valueKey. */
export const VALUE_KEY_BYTES = 41;
/** Length of a latestValueKey: the first bytes of every valueKey of the same key hash. */
export const LATEST_VALUE_KEY_BYTES = 33;

/** Value of a key hash written by `version`: TreeValue | keyHash(32) | version u64. */
export function valueKey(keyHash: Uint8Array, version: number): Uint8Array {
  const out = allocSmall(VALUE_KEY_BYTES);
  writeValueKey(out, 0, keyHash, version);
  return out;
}

/** Writes valueKey(keyHash, version) into `out` at `offset`. */
export function writeValueKey(out: Uint8Array, offset: number, keyHash: Uint8Array, version: number): void {
  out[offset] = Prefix.TreeValue;
  out.set(keyHash, offset + 1);
  writeU64(out, offset + 1 + keyHash.length, version);
}

/**
 * The latest value of a key hash: TreeValue | keyHash(32) -> the value (absent when deleted). It
 * sorts before all of the key's versioned records, so range scans over those never meet it; it
 * turns a read of the current state into one exact get instead of a tree walk or a seek.
 */
export function latestValueKey(keyHash: Uint8Array): Uint8Array {
  const out = allocSmall(LATEST_VALUE_KEY_BYTES);
  out[0] = Prefix.TreeValue;
  out.set(keyHash, 1);
  return out;
}

/**
 * The db keys a version made unreachable, as one record: TreeStale | version u64 -> the keys,
 * each as length u8 | key. One record per version keeps a block's write count down (a version
 * at 1M keys makes ~50k records stale); prune() reads them back with a range scan.
 */
export function staleKey(version: number): Uint8Array {
  const out = allocSmall(9);
  out[0] = Prefix.TreeStale;
  writeU64(out, 1, version);
  return out;
}

/**
 * Builds a stale list record in place (length u8 | key, repeated) without one object per key:
 * a block at 1M keys makes ~55k records stale, and each object would live until the version
 * is pruned or leaves the in-memory window.
 */
export class StaleListWriter {
  private bytes = new Uint8Array(4096);
  private length = 0;
  count = 0;

  add(key: Uint8Array): void {
    const at = this.reserve(key.length);
    this.bytes.set(key, at);
  }

  /** Adds valueKey(keyHash, version) without materializing it. */
  addValueKey(keyHash: Uint8Array, version: number): void {
    const at = this.reserve(41);
    this.bytes[at] = Prefix.TreeValue;
    this.bytes.set(keyHash, at + 1);
    writeU64(this.bytes, at + 33, version);
  }

  /** The encoded list (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  private reserve(keyLength: number): number {
    const need = this.length + 1 + keyLength;
    if (need > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes[this.length] = keyLength;
    const at = this.length + 1;
    this.length = need;
    this.count++;
    return at;
  }
}

export function decodeStaleList(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    const len = bytes[off]!;
    if (off + 1 + len > bytes.length) throw new StateError("CORRUPT_DATA", "bad stale list record");
    out.push(bytes.subarray(off + 1, off + 1 + len));
    off += 1 + len;
  }
  return out;
}

export function rootKey(version: number): Uint8Array {
  const out = allocSmall(10);
  out[0] = Prefix.TreeMeta;
  out[1] = META_ROOT;
  writeU64(out, 2, version);
  return out;
}

export const latestVersionKey: Uint8Array = Uint8Array.of(Prefix.TreeMeta, META_LATEST);
export const oldestVersionKey: Uint8Array = Uint8Array.of(Prefix.TreeMeta, META_OLDEST);

/** Map key for in-memory lookups of a db key (latin1 keeps one char per byte). */
export function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.length).toString("latin1");
}

/** Value records: 0x01 || value, or 0x00 for "deleted at this version". */
export function encodeValueRecord(value: Uint8Array | null): Uint8Array {
  if (value === null) return Uint8Array.of(0);
  const out = allocSmall(value.length + 1);
  out[0] = 1;
  out.set(value, 1);
  return out;
}
