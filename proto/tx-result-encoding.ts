// A TxResult's bytes written by hand, exactly as the generated encoder writes them (fields in
// number order, proto3 defaults omitted, minimal varints): every tx of every block has one, and
// the generated encoder, with a buffer per result, was a visible share of commit time. Used for
// the stored BlockResults (execution/result-encoding.ts) and for last_results_hash (consensus).
// execution/result-encoding.test.ts holds both to the generated encoder.
import { type Event, TxResult } from "./index.js";
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

/** An event as the encoders read it (an Event, or the plain object TxResult.events may hold). */
interface EventFields {
  type?: string | null;
  attributes?: readonly { key?: string | null; value?: string | null }[] | null;
}

/** TxResult.events (field 6, length-delimited). */
const EVENTS_TAG = 50;

/** Size of `events` as TxResult's field 6 entries, pushing the nested lengths onto `lengths`. */
function sizeEvents(events: readonly EventFields[], lengths: Lengths): number {
  let size = 0;
  for (const e of events) {
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

function writeEvents(
  events: readonly EventFields[],
  out: Buffer,
  at: number,
  lengths: Lengths,
  cursor: { at: number },
): number {
  for (const e of events) {
    out[at++] = EVENTS_TAG;
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

const EMPTY = new Uint8Array(0);

/**
 * A TxResult whose events are kept as their encoded bytes (TxResult's field 6, as the generated
 * encoder writes it) until something reads or sets `events`, which then holds them as Event
 * objects, decoded once. Execution makes one per tx: a block's results live from its execution
 * until its commit has written them, and as objects (two events and six attributes per transfer,
 * with their strings) they were a large part of what V8's scavenges copied and promoted, block
 * after block. As bytes they are one array per tx, which the encoders below copy as they are.
 */
export class PackedTxResult extends TxResult {
  declare private packed: Uint8Array | null;
  declare private unpacked: Event[] | null;

  constructor(
    code: number,
    codespace: string,
    log: string,
    gasWanted: number,
    gasUsed: number,
    events: readonly Event[],
  ) {
    super();
    this.code = code;
    this.codespace = codespace;
    this.log = log;
    this.gasWanted = gasWanted;
    this.gasUsed = gasUsed;
    this.packed = packEvents(events);
    this.unpacked = null;
  }

  /** The events as TxResult's field 6 bytes; null once `events` was read or set. */
  get packedEvents(): Uint8Array | null {
    return this.packed;
  }

  static {
    // An accessor on the prototype, so TxResult's constructor (`this.events = []`) and every
    // reader go through it. Decoded objects replace the bytes: a reader may change them.
    Object.defineProperty(PackedTxResult.prototype, "events", {
      get(this: PackedTxResult): Event[] {
        if (this.unpacked === null) {
          this.unpacked = unpackEvents(this.packed ?? EMPTY);
          this.packed = null;
        }
        return this.unpacked;
      },
      set(this: PackedTxResult, events: Event[]) {
        this.unpacked = events;
        this.packed = null;
      },
    });
  }
}

/** `events` as TxResult's field 6 entries. */
function packEvents(events: readonly EventFields[]): Uint8Array {
  if (events.length === 0) return EMPTY;
  const lengths: Lengths = [];
  const size = sizeEvents(events, lengths);
  return writeExactly(size, (out) => writeEvents(events, out, 0, lengths, { at: 0 }), "events");
}

/** Field 6 entries alone are a TxResult that has only events: the generated decoder reads them. */
function unpackEvents(bytes: Uint8Array): Event[] {
  return TxResult.decode(bytes).events as Event[];
}

/** A buffer of `size` bytes filled by `write` (which returns where it stopped), checked to be full. */
function writeExactly(size: number, write: (out: Buffer) => number, what: string): Buffer {
  const out = Buffer.allocUnsafe(size);
  const at = write(out);
  if (at !== size) throw new Error(`${what} encoding wrote ${at} bytes, sized ${size}`);
  return out;
}

/** The packed events of `result`; null when it holds them as objects. */
function eventsOf(result: TxResult): Uint8Array | null {
  return result instanceof PackedTxResult ? result.packedEvents : null;
}

/**
 * Size of a TxResult's encoding, as TxResult.encode writes it, pushing the nested lengths onto
 * `lengths`. For results made by execution (TxResult instances), which never carry unknown fields.
 */
export function sizeTxResult(result: TxResult, lengths: Lengths): number {
  let size = 0;
  if (result.code !== 0) size += 1 + varintLength(result.code);
  size += stringFieldLength(result.codespace) + stringFieldLength(result.log);
  if (result.gasWanted !== 0) size += 1 + varintLength(result.gasWanted);
  if (result.gasUsed !== 0) size += 1 + varintLength(result.gasUsed);
  const packed = eventsOf(result);
  return size + (packed !== null ? packed.length : sizeEvents(result.events, lengths));
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
  const packed = eventsOf(result);
  if (packed === null) return writeEvents(result.events, out, at, lengths, cursor);
  out.set(packed, at);
  return at + packed.length;
}

/** The bytes of a TxResult, as TxResult.encode writes them. */
export function encodeTxResult(result: TxResult): Uint8Array {
  const lengths: Lengths = [];
  const size = sizeTxResult(result, lengths);
  return writeExactly(size, (out) => writeTxResult(result, out, 0, lengths, { at: 0 }), "TxResult");
}
