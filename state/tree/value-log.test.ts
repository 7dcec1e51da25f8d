import { describe, expect, it } from "vitest";
import { sha256 } from "./hashing.js";
import { encodeValueRecord, latestValueKey, valueKey } from "./keys.js";
import { ValueLog } from "./value-log.js";

const keyHash = (i: number) => sha256(Uint8Array.of(i & 0xff, i >> 8));
const value = (i: number, length: number) => Uint8Array.from({ length }, (_, k) => (i + k) & 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("a version's value log", () => {
  it("puts each value's versioned record and latest value, and only a delete's versioned record", () => {
    const log = new ValueLog();
    log.add(keyHash(1), 5, value(1, 3));
    log.add(keyHash(2), 5, null);
    log.add(keyHash(3), 5, value(3, 0));
    expect(log.entries).toBe(3);
    expect(log.count).toBe(5);
    const puts: [string, string][] = [];
    log.forEach((key, v) => {
      puts.push([hex(key), hex(v)]);
    });
    expect(puts).toEqual([
      [hex(valueKey(keyHash(1), 5)), hex(encodeValueRecord(value(1, 3)))],
      [hex(latestValueKey(keyHash(1))), hex(value(1, 3))],
      [hex(valueKey(keyHash(2), 5)), hex(encodeValueRecord(null))],
      [hex(valueKey(keyHash(3), 5)), hex(encodeValueRecord(value(3, 0)))],
      [hex(latestValueKey(keyHash(3))), ""],
    ]);
    const deleted: string[] = [];
    log.forEachDeletedLatestKey((key) => {
      deleted.push(hex(key));
    });
    expect(deleted).toEqual([hex(latestValueKey(keyHash(2)))]);
  });

  it("finds the record of every key hash it holds and nothing for others, across chunks", () => {
    const log = new ValueLog();
    // ~2.5 MB of records: chunks of every size, and a table rebuilt after a lookup.
    for (let i = 0; i < 3_000; i++) log.add(keyHash(i), 9, i % 7 === 0 ? null : value(i, 1 + (i % 1_500)));
    expect(log.get(keyHash(5))).toBeDefined();
    log.add(keyHash(3_000), 9, value(3_000, 2_000_000)); // larger than a chunk
    for (let i = 0; i <= 3_000; i++) {
      const expected = i % 7 === 0 && i < 3_000 ? null : value(i, i === 3_000 ? 2_000_000 : 1 + (i % 1_500));
      expect(hex(log.get(keyHash(i)) as Uint8Array)).toBe(hex(encodeValueRecord(expected)));
    }
    expect(log.get(keyHash(3_001))).toBeUndefined();
    expect(new ValueLog().get(keyHash(1))).toBeUndefined();
  });

  it("copies what it is given: the caller may reuse its buffers", () => {
    const log = new ValueLog();
    const k = keyHash(4);
    const v = value(4, 10);
    log.add(k, 2, v);
    k.fill(0);
    v.fill(0);
    expect(hex(log.get(keyHash(4)) as Uint8Array)).toBe(hex(encodeValueRecord(value(4, 10))));
  });
});
