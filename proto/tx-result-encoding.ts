// A TxResult's bytes written by hand, exactly as the generated encoder writes them (fields in
// number order, proto3 defaults omitted, minimal varints): every tx of every block has one, and
// the generated encoder, with a buffer per result, was a visible share of commit time. Used for
// the stored BlockResults (execution/result-encoding.ts) and for last_results_hash (consensus).
// execution/result-encoding.test.ts holds both to the generated encoder.
import type { TxResult } from "./index.js";
import { varintLength, writeVarint } from "./varint.js";

/** Unset (null/undefined) string fields are skipped like empty ones, as the generated encoder does. */
type MaybeString = string | null | undefined;

/**
 * Strings are written exactly as protobufjs's BufferWriter writes them: under 40 UTF-16 units with
 * its own UTF-8 loop (which writes a lone surrogate as its 3-byte form), longer ones with
 * Buffer#write (which writes U+FFFD for it). Both give the same byte length.
 */
const SHORT_STRING = 40;

function utf8Length(s: string): number {
  if (s.length >= SHORT_STRING) return Buffer.byteLength(s, "utf8");
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) n += 1;
    else if (c < 2048) n += 2;
    else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++;
      n += 4;
    } else n += 3;
  }
  return n;
}

/** protobufjs's util.utf8.write, for short strings. */
function writeShortUtf8(s: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 128) {
      out[at++] = c;
    } else if (c < 2048) {
      out[at++] = (c >> 6) | 192;
      out[at++] = (c & 63) | 128;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(i + 1) & 0x03ff);
      i++;
      out[at++] = (c >> 18) | 240;
      out[at++] = ((c >> 12) & 63) | 128;
      out[at++] = ((c >> 6) & 63) | 128;
      out[at++] = (c & 63) | 128;
    } else {
      out[at++] = (c >> 12) | 224;
      out[at++] = ((c >> 6) & 63) | 128;
      out[at++] = (c & 63) | 128;
    }
  }
  return at;
}

function stringFieldLength(s: MaybeString): number {
  if (s == null || s === "") return 0;
  const n = utf8Length(s);
  return 1 + varintLength(n) + n;
}

function writeStringField(out: Buffer, at: number, tagByte: number, s: MaybeString): number {
  if (s == null || s === "") return at;
  out[at++] = tagByte;
  at = writeVarint(out, at, utf8Length(s));
  if (s.length < SHORT_STRING) return writeShortUtf8(s, out, at);
  return at + out.write(s, at, "utf8");
}

/**
 * Lengths a TxResult's encoding needs, in the order writeTxResult consumes them: each event's
 * length, then each of its attributes' lengths. Computed once by sizeTxResult, so strings are
 * measured once per result.
 */
export type Lengths = number[];

/**
 * Size of a TxResult's encoding, as TxResult.encode writes it, pushing the nested lengths onto
 * `lengths`. For results made by execution (TxResult.create), which never carry unknown fields.
 */
export function sizeTxResult(result: TxResult, lengths: Lengths): number {
  let size = 0;
  if (result.code !== 0) size += 1 + varintLength(result.code);
  size += stringFieldLength(result.codespace) + stringFieldLength(result.log);
  if (result.gasWanted !== 0) size += 1 + varintLength(result.gasWanted);
  if (result.gasUsed !== 0) size += 1 + varintLength(result.gasUsed);
  for (const e of result.events) {
    const eventAt = lengths.length;
    lengths.push(0);
    let eventLength = stringFieldLength(e.type);
    for (const a of e.attributes ?? []) {
      const attributeLength = stringFieldLength(a.key) + stringFieldLength(a.value);
      lengths.push(attributeLength);
      eventLength += 1 + varintLength(attributeLength) + attributeLength;
    }
    lengths[eventAt] = eventLength;
    size += 1 + varintLength(eventLength) + eventLength;
  }
  return size;
}

/** Writes `result` at `at` with the lengths sizeTxResult pushed from `cursor.at` on; returns the end. */
export function writeTxResult(
  result: TxResult,
  out: Buffer,
  at: number,
  lengths: Lengths,
  cursor: { at: number },
): number {
  if (result.code !== 0) {
    out[at++] = 8;
    at = writeVarint(out, at, result.code);
  }
  at = writeStringField(out, at, 18, result.codespace);
  at = writeStringField(out, at, 26, result.log);
  if (result.gasWanted !== 0) {
    out[at++] = 32;
    at = writeVarint(out, at, result.gasWanted);
  }
  if (result.gasUsed !== 0) {
    out[at++] = 40;
    at = writeVarint(out, at, result.gasUsed);
  }
  for (const e of result.events) {
    out[at++] = 50;
    at = writeVarint(out, at, lengths[cursor.at++] as number);
    at = writeStringField(out, at, 10, e.type);
    for (const a of e.attributes ?? []) {
      out[at++] = 18;
      at = writeVarint(out, at, lengths[cursor.at++] as number);
      at = writeStringField(out, at, 10, a.key);
      at = writeStringField(out, at, 18, a.value);
    }
  }
  return at;
}

/** The bytes of a TxResult, as TxResult.encode writes them. */
export function encodeTxResult(result: TxResult): Uint8Array {
  const lengths: Lengths = [];
  const size = sizeTxResult(result, lengths);
  const out = Buffer.allocUnsafe(size);
  const at = writeTxResult(result, out, 0, lengths, { at: 0 });
  if (at !== size) throw new Error(`TxResult encoding wrote ${at} bytes, sized ${size}`);
  return out;
}
