// The value records one version of the tree wrote, packed like its nodes (see node-log.ts): no JS
// object, view or Map entry per value while the version stays in memory.
//
// Each entry is the versioned key, TreeValue | keyHash | version u64, followed by the record
// (0x01 | value, or 0x00 for a delete). The latest-value key, TreeValue | keyHash, is the first 33
// bytes of the versioned key, so one entry gives both puts. A version is looked up by key hash
// (reads of state not flushed yet) through an open-addressing table of entry numbers, built on the
// first lookup.
import type { PackedPuts } from "../db.js";
import { ByteChunks } from "./byte-chunks.js";
import { LATEST_VALUE_KEY_BYTES, VALUE_KEY_BYTES, writeValueKey } from "./keys.js";
import { bytesEqualAt, readU32 } from "./node.js";

/** Numbers per entry in the index: chunk, offset, record length. */
const FIELDS = 3;

export class ValueLog implements PackedPuts {
  private readonly bytes = new ByteChunks();
  private readonly index: number[] = [];
  private deletes = 0;
  /** entry number + 1 by slot (0 = empty), built by the first get() */
  private slots: Int32Array | undefined;

  /** Records `value` (null: deleted) for `keyHash` at `version`. At most one entry per key hash. */
  add(keyHash: Uint8Array, version: number, value: Uint8Array | null): void {
    const recordLength = value === null ? 1 : 1 + value.length;
    const at = this.bytes.reserve(VALUE_KEY_BYTES + recordLength);
    const chunk = this.bytes.last;
    writeValueKey(chunk, at, keyHash, version);
    const record = at + VALUE_KEY_BYTES;
    if (value === null) {
      chunk[record] = 0;
      this.deletes++;
    } else {
      chunk[record] = 1;
      chunk.set(value, record + 1);
    }
    this.index.push(this.bytes.chunks.length - 1, at, recordLength);
    this.slots = undefined;
  }

  /** Entries recorded. */
  get entries(): number {
    return this.index.length / FIELDS;
  }

  /** Puts forEach() hands out: the versioned record of every entry, the latest value of each put. */
  get count(): number {
    return 2 * this.entries - this.deletes;
  }

  forEach(put: (key: Uint8Array, value: Uint8Array) => void): void {
    const index = this.index;
    for (let i = 0; i < index.length; i += FIELDS) {
      const chunk = this.bytes.chunks[index[i]!]!;
      const at = index[i + 1]!;
      const record = at + VALUE_KEY_BYTES;
      const end = record + index[i + 2]!;
      put(chunk.subarray(at, record), chunk.subarray(record, end));
      if (chunk[record] === 1)
        put(chunk.subarray(at, at + LATEST_VALUE_KEY_BYTES), chunk.subarray(record + 1, end));
    }
  }

  /** The latest-value keys of the deleted entries (they go into a batch as deletes). */
  forEachDeletedLatestKey(del: (key: Uint8Array) => void): void {
    if (this.deletes === 0) return;
    const index = this.index;
    for (let i = 0; i < index.length; i += FIELDS) {
      const chunk = this.bytes.chunks[index[i]!]!;
      const at = index[i + 1]!;
      if (chunk[at + VALUE_KEY_BYTES] === 0) del(chunk.subarray(at, at + LATEST_VALUE_KEY_BYTES));
    }
  }

  /** The record written for `keyHash` (a view), or undefined when this version did not write it. */
  get(keyHash: Uint8Array): Uint8Array | undefined {
    const entries = this.entries;
    if (entries === 0) return undefined;
    const slots = this.slots ?? this.buildSlots();
    const mask = slots.length - 1;
    // Key hashes are sha256 output: their first four bytes spread entries evenly over the slots.
    for (let s = readU32(keyHash, 0) & mask; ; s = (s + 1) & mask) {
      const n = slots[s]!;
      if (n === 0) return undefined;
      const i = (n - 1) * FIELDS;
      const chunk = this.bytes.chunks[this.index[i]!]!;
      const at = this.index[i + 1]!;
      if (bytesEqualAt(chunk, at + 1, keyHash)) {
        const record = at + VALUE_KEY_BYTES;
        return chunk.subarray(record, record + this.index[i + 2]!);
      }
    }
  }

  private buildSlots(): Int32Array {
    let size = 16;
    while (size < 2 * this.entries) size *= 2;
    const slots = new Int32Array(size);
    const mask = size - 1;
    for (let e = 0; e < this.entries; e++) {
      const chunk = this.bytes.chunks[this.index[e * FIELDS]!]!;
      let s = readU32(chunk, this.index[e * FIELDS + 1]! + 1) & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
    return slots;
  }
}
