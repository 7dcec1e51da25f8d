// Where each element of one repeated length-delimited field lies in an encoded protobuf message,
// found by walking the top-level wire format without decoding anything. The tx index points at
// (height, index) instead of storing a copy of each tx and its result; a lookup reads the one
// element it needs out of the stored block or BlockResults.
import $protobuf from "protobufjs/minimal.js";
import { StateError } from "./errors.js";

const WIRE_LENGTH_DELIMITED = 2;

/** Byte ranges [starts[i], ends[i]) of the elements of one repeated field, in encoding order. */
export interface FieldSpans {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

/** The spans of every occurrence of length-delimited field `field` at the top level of `bytes`. */
export function repeatedFieldSpans(bytes: Uint8Array, field: number, what: string): FieldSpans {
  const starts: number[] = [];
  const ends: number[] = [];
  const reader = $protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const wireType = tag & 7;
      if (tag >>> 3 === field && wireType === WIRE_LENGTH_DELIMITED) {
        const length = reader.uint32();
        const start = reader.pos;
        reader.skip(length);
        starts.push(start);
        ends.push(start + length);
      } else {
        reader.skipType(wireType);
      }
    }
  } catch (err) {
    throw new StateError(
      "CORRUPT_DATA",
      `stored ${what} is not a protobuf message: ${(err as Error).message}`,
    );
  }
  return { starts, ends };
}

/**
 * Records kept with their spans (first in, first out): a wallet or an explorer asking for txs of
 * the last few blocks in turn reads and scans each block once. Blocks may be up to 64 MB, so the
 * records kept are also bounded in bytes (the last one read is always kept).
 */
const RECENT_RECORDS = 4;
const RECENT_BYTES = 32 * 1024 * 1024;

/**
 * The spans of one repeated field of the last few stored records read, by height: reading every
 * tx of one block by hash (an explorer's walk), or txs of the last few blocks in turn, reads and
 * scans each record once, not once per tx.
 */
export class RecentFieldSpans {
  private readonly records = new Map<number, { bytes: Uint8Array; spans: FieldSpans }>();
  private bytesKept = 0;

  constructor(
    private readonly field: number,
    private readonly what: string,
    private readonly capacity = RECENT_RECORDS,
    private readonly byteBudget = RECENT_BYTES,
  ) {}

  /**
   * A copy of element `index` of the record at `height`, read with `load` unless it is one of the
   * last read (stored records never change once written); undefined if the record or the element
   * is absent.
   */
  async element(
    height: number,
    index: number,
    load: () => Promise<Uint8Array | undefined>,
  ): Promise<Uint8Array | undefined> {
    let record = this.records.get(height);
    if (record === undefined) {
      const bytes = await load();
      if (bytes === undefined) return undefined;
      record = { bytes, spans: repeatedFieldSpans(bytes, this.field, `${this.what} ${height}`) };
      this.records.set(height, record);
      this.bytesKept += bytes.length;
      while (
        this.records.size > this.capacity ||
        (this.bytesKept > this.byteBudget && this.records.size > 1)
      ) {
        const [oldest, dropped] = this.records.entries().next().value as [number, { bytes: Uint8Array }];
        this.records.delete(oldest);
        this.bytesKept -= dropped.bytes.length;
      }
    }
    const start = record.spans.starts[index];
    const end = record.spans.ends[index];
    if (start === undefined || end === undefined) return undefined;
    // A copy, so the caller does not pin the whole record (and Buffer's slice would be a view).
    return Uint8Array.prototype.slice.call(record.bytes, start, end);
  }
}
