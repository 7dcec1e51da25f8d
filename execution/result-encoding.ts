// Byte-level assembly of the records commit writes for every tx: each TxResult is encoded by hand
// and the block's BlockResults is assembled from those bytes (the generated encoders were a
// visible share of commit time). The output is byte-for-byte what
// the generated encoders write (fields in number order, proto3 defaults omitted, minimal
// varints); result-encoding.test.ts checks that against them.
import { Event, type TxResult, ValidatorUpdate } from "../proto/index.js";
import { varintLength, writeVarint } from "../proto/varint.js";

/** Size of a length-delimited field: tag, length, bytes. */
function delimitedLength(tagByte: number, bytes: Uint8Array): number {
  return varintLength(tagByte) + varintLength(bytes.length) + bytes.length;
}

function writeDelimited(out: Uint8Array, at: number, tagByte: number, bytes: Uint8Array): number {
  at = writeVarint(out, at, tagByte);
  at = writeVarint(out, at, bytes.length);
  out.set(bytes, at);
  return at + bytes.length;
}

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
 * The bytes of a TxResult, as TxResult.encode writes them, without the generated encoder's
 * per-field writer operations (a result is encoded for every tx of every block). For results made
 * by execution (TxResult.create), which never carry unknown fields.
 */
export function encodeTxResult(result: TxResult): Uint8Array {
  const eventLengths: number[] = [];
  const attributeLengths: number[] = [];
  let size = 0;
  if (result.code !== 0) size += 1 + varintLength(result.code);
  size += stringFieldLength(result.codespace) + stringFieldLength(result.log);
  if (result.gasWanted !== 0) size += 1 + varintLength(result.gasWanted);
  if (result.gasUsed !== 0) size += 1 + varintLength(result.gasUsed);
  for (const e of result.events) {
    let eventLength = stringFieldLength(e.type);
    for (const a of e.attributes ?? []) {
      const attributeLength = stringFieldLength(a.key) + stringFieldLength(a.value);
      attributeLengths.push(attributeLength);
      eventLength += 1 + varintLength(attributeLength) + attributeLength;
    }
    eventLengths.push(eventLength);
    size += 1 + varintLength(eventLength) + eventLength;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
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
  let attributeIndex = 0;
  for (let i = 0; i < result.events.length; i++) {
    const e = result.events[i] as Event;
    out[at++] = 50;
    at = writeVarint(out, at, eventLengths[i] as number);
    at = writeStringField(out, at, 10, e.type);
    for (const a of e.attributes ?? []) {
      out[at++] = 18;
      at = writeVarint(out, at, attributeLengths[attributeIndex++] as number);
      at = writeStringField(out, at, 10, a.key);
      at = writeStringField(out, at, 18, a.value);
    }
  }
  if (at !== size) throw new Error(`TxResult encoding wrote ${at} bytes, sized ${size}`);
  return out;
}

/** The bytes of BlockResults{height, txResults, finalizeEvents, validatorUpdates, appHash}. */
export function encodeBlockResults(
  height: number,
  resultBytes: readonly Uint8Array[],
  finalizeEvents: readonly Event[],
  appHash: Uint8Array,
  validatorUpdates: readonly ValidatorUpdate[] = [],
): Uint8Array {
  const eventBytes = finalizeEvents.map((e) => Event.encode(e).finish());
  const updateBytes = validatorUpdates.map((u) => ValidatorUpdate.encode(u).finish());
  let size = 0;
  if (height !== 0) size += 1 + varintLength(height);
  for (const r of resultBytes) size += delimitedLength(18, r);
  for (const e of eventBytes) size += delimitedLength(26, e);
  for (const u of updateBytes) size += delimitedLength(34, u);
  if (appHash.length > 0) size += delimitedLength(42, appHash);
  const out = new Uint8Array(size);
  let at = 0;
  if (height !== 0) {
    out[at++] = 8;
    at = writeVarint(out, at, height);
  }
  for (const r of resultBytes) at = writeDelimited(out, at, 18, r);
  for (const e of eventBytes) at = writeDelimited(out, at, 26, e);
  for (const u of updateBytes) at = writeDelimited(out, at, 34, u);
  if (appHash.length > 0) writeDelimited(out, at, 42, appHash);
  return out;
}
