// Byte-level assembly of the BlockResults commit writes for every block: each TxResult is written
// by hand straight into the block's buffer (the generated encoders, then a buffer per result,
// were a visible share of commit time). The output is byte-for-byte what
// the generated encoders write (fields in number order, proto3 defaults omitted, minimal
// varints); result-encoding.test.ts checks that against them.
import { Event, type TxResult, ValidatorUpdate } from "../proto/index.js";
import { varintLength, writeVarint } from "../proto/varint.js";
import { YIELD_EVERY, yieldToEventLoop } from "../state/event-loop.js";

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
 * Lengths a TxResult's encoding needs, in the order writeTxResult consumes them: each event's
 * length, then each of its attributes' lengths. Computed once by sizeTxResult, so strings are
 * measured once per result.
 */
type Lengths = number[];

/**
 * Size of a TxResult's encoding, as TxResult.encode writes it, pushing the nested lengths onto
 * `lengths`. For results made by execution (TxResult.create), which never carry unknown fields.
 */
function sizeTxResult(result: TxResult, lengths: Lengths): number {
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
function writeTxResult(
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

/**
 * The bytes of BlockResults{height, txResults, finalizeEvents, validatorUpdates, appHash}, with
 * every TxResult written straight into the one output buffer (sized first): no buffer per result
 * and no second copy. It yields to the event loop every YIELD_EVERY results in both passes, as the
 * rest of commit does, so a large block does not hold the node's event loop.
 */
export async function encodeBlockResults(
  height: number,
  txResults: readonly TxResult[],
  finalizeEvents: readonly Event[],
  appHash: Uint8Array,
  validatorUpdates: readonly ValidatorUpdate[] = [],
): Promise<Uint8Array> {
  const eventBytes = finalizeEvents.map((e) => Event.encode(e).finish());
  const updateBytes = validatorUpdates.map((u) => ValidatorUpdate.encode(u).finish());
  const lengths: Lengths = [];
  const resultSizes = new Array<number>(txResults.length);
  let size = 0;
  if (height !== 0) size += 1 + varintLength(height);
  for (let i = 0; i < txResults.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    const resultSize = sizeTxResult(txResults[i] as TxResult, lengths);
    resultSizes[i] = resultSize;
    size += 1 + varintLength(resultSize) + resultSize;
  }
  for (const e of eventBytes) size += delimitedLength(26, e);
  for (const u of updateBytes) size += delimitedLength(34, u);
  if (appHash.length > 0) size += delimitedLength(42, appHash);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (height !== 0) {
    out[at++] = 8;
    at = writeVarint(out, at, height);
  }
  const cursor = { at: 0 };
  for (let i = 0; i < txResults.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    out[at++] = 18;
    at = writeVarint(out, at, resultSizes[i] as number);
    const end = at + (resultSizes[i] as number);
    at = writeTxResult(txResults[i] as TxResult, out, at, lengths, cursor);
    if (at !== end) throw new Error(`TxResult ${i} encoding wrote ${at - end} bytes more than sized`);
  }
  for (const e of eventBytes) at = writeDelimited(out, at, 26, e);
  for (const u of updateBytes) at = writeDelimited(out, at, 34, u);
  if (appHash.length > 0) at = writeDelimited(out, at, 42, appHash);
  if (at !== size) throw new Error(`BlockResults encoding wrote ${at} bytes, sized ${size}`);
  return out;
}
