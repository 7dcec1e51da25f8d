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
 * The spans of one repeated field of the last stored record read, by height: reading every tx of
 * one block by hash (an explorer's walk) reads and scans that block once, not once per tx.
 */
export class RecentFieldSpans {
  private height = -1;
  private bytes: Uint8Array | undefined;
  private spans: FieldSpans | undefined;

  constructor(
    private readonly field: number,
    private readonly what: string,
  ) {}

  /**
   * A copy of element `index` of the record at `height`, read with `load` unless it is the last
   * one read (stored records never change once written); undefined if the record or the element
   * is absent.
   */
  async element(
    height: number,
    index: number,
    load: () => Promise<Uint8Array | undefined>,
  ): Promise<Uint8Array | undefined> {
    if (this.height !== height || this.bytes === undefined || this.spans === undefined) {
      const bytes = await load();
      if (bytes === undefined) return undefined;
      this.spans = repeatedFieldSpans(bytes, this.field, `${this.what} ${height}`);
      this.bytes = bytes;
      this.height = height;
    }
    const start = this.spans.starts[index];
    const end = this.spans.ends[index];
    if (start === undefined || end === undefined) return undefined;
    // A copy, so the caller does not pin the whole record (and Buffer's slice would be a view).
    return Uint8Array.prototype.slice.call(this.bytes, start, end);
  }
}
