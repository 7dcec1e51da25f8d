// A fast path for the decodes every tx pays: the Tx envelope, and the TxBody of a tx whose messages
// are all transfers (MsgSend), by far the most common kind.
//
// The generic path (proto/canonical.ts) decodes with the generated code, walks the result for
// unknown fields and unsafe integers, re-encodes it and compares the bytes: about 4 µs and 3 KB of
// short-lived objects per transfer. This reader accepts only the one canonical form of the fields
// it knows: single-byte tags in ascending field order (a repeated field's entries side by side),
// no field holding its default, minimal varints at most 2^53-1, ASCII text. Anything else (an
// unknown field, an explicit default, a padded varint, non-ASCII text, another message kind) makes
// it answer undefined, and the caller takes the generic path, which alone tells valid, malformed
// and non-canonical apart. So it can agree with the generic path or defer to it, never overrule
// it; fast-decode.test.ts holds it to that on mutated txs.
import { Msg, MsgSend, Tx, TxBody } from "../../proto/index.js";

// Tags (field number << 3 | wire type) of the fields read here.
const TX_BODY_BYTES = 0x0a;
const TX_PUBLIC_KEY = 0x12;
const TX_KEY_TYPE = 0x18;
const TX_SIGNATURE = 0x22;
const BODY_CHAIN_ID = 0x0a;
const BODY_NONCE = 0x10;
const BODY_FEE = 0x1a;
const BODY_GAS_LIMIT = 0x20;
const BODY_MESSAGES = 0x2a;
const BODY_MEMO = 0x32;
const MSG_BANK_SEND = 0x0a;
const SEND_TO = 0x0a;
const SEND_AMOUNT = 0x12;

/**
 * Thrown by the reader when the bytes are not in the one form it reads; the two entry points turn
 * it into undefined. One preallocated value: nothing is built when it is thrown.
 */
const NOT_READ_HERE: unique symbol = Symbol("not read here");

/** Reads canonical protobuf values from `bytes[pos, end)`; throws NOT_READ_HERE otherwise. */
class CanonicalReader {
  pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A minimally encoded varint of at most 2^53-1 (integer steps only: each term is exact). */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8 && this.pos < this.end; i++) {
      const b = this.bytes[this.pos++] as number;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        // A last byte of zero after others pads the varint.
        if ((b === 0 && i > 0) || value > Number.MAX_SAFE_INTEGER) throw NOT_READ_HERE;
        return value;
      }
      scale *= 128;
    }
    throw NOT_READ_HERE;
  }

  /** A non-zero varint (zero is the default, which the canonical form omits). */
  nonZeroVarint(): number {
    const v = this.varint();
    if (v === 0) throw NOT_READ_HERE;
    return v;
  }

  /** An enum (an int32): only small positive values are sure to re-encode the same here. */
  smallEnum(): number {
    const v = this.nonZeroVarint();
    if (v > 0x7f) throw NOT_READ_HERE;
    return v;
  }

  /** The end of a non-empty length-delimited value starting at pos. */
  private lengthEnd(): number {
    const length = this.varint();
    if (length === 0 || length > this.end - this.pos) throw NOT_READ_HERE;
    return this.pos + length;
  }

  /** A reader over a non-empty embedded message starting at pos; this one moves past it. */
  embedded(): CanonicalReader {
    const end = this.lengthEnd();
    const inner = new CanonicalReader(this.bytes, this.pos, end);
    this.pos = end;
    return inner;
  }

  /** Non-empty bytes, as a view of the input (what the generated decoder returns). */
  bytesField(): Uint8Array {
    const end = this.lengthEnd();
    const value = this.bytes.subarray(this.pos, end);
    this.pos = end;
    return value;
  }

  /** Non-empty ASCII text (anything else goes to the generic decoder's UTF-8 check). */
  asciiField(): string {
    const end = this.lengthEnd();
    for (let i = this.pos; i < end; i++) if ((this.bytes[i] as number) >= 0x80) throw NOT_READ_HERE;
    const text = recentText(this.bytes, this.pos, end);
    this.pos = end;
    return text;
  }

  /** The next tag if its field comes after `lastTag`'s (or repeats it when `repeatable`). */
  tagAfter(lastTag: number, repeatable: number): number {
    const tag = this.bytes[this.pos++] as number;
    // Single-byte tags only: every field read here is numbered below 16.
    if (tag < 0x80 && (tag >>> 3 > lastTag >>> 3 || (tag === lastTag && tag === repeatable))) return tag;
    throw NOT_READ_HERE;
  }
}

// The texts of consecutive txs mostly repeat (the chain id always, the fee and the amount often):
// a few recent ones are compared in place before a new string is built.
const RECENT_TEXTS = 8;
const recentTexts: string[] = [];
let nextRecent = 0;

function recentText(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  for (const text of recentTexts) {
    if (text.length !== length) continue;
    let i = 0;
    while (i < length && text.charCodeAt(i) === bytes[start + i]) i++;
    if (i === length) return text;
  }
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i] as number);
  recentTexts[nextRecent] = text;
  nextRecent = (nextRecent + 1) % RECENT_TEXTS;
  return text;
}

/** The Tx envelope, or undefined: take the generic path. */
export function fastDecodeTx(bytes: Uint8Array): Tx | undefined {
  return readWhole(bytes, readTx);
}

/** The TxBody of a tx whose messages are all MsgSend, or undefined: take the generic path. */
export function fastDecodeTxBody(bytes: Uint8Array): TxBody | undefined {
  return readWhole(bytes, readTransferBody);
}

/** `read` over all of `bytes`; undefined where the bytes are not in the form it reads. */
function readWhole<T>(bytes: Uint8Array, read: (r: CanonicalReader) => T): T | undefined {
  try {
    return read(new CanonicalReader(bytes, 0, bytes.length));
  } catch (err) {
    if (err === NOT_READ_HERE) return undefined;
    throw err;
  }
}

function readTx(r: CanonicalReader): Tx {
  const tx = new Tx();
  for (let tag = 0; r.pos < r.end; ) {
    tag = r.tagAfter(tag, 0);
    if (tag === TX_BODY_BYTES) tx.body = r.bytesField();
    else if (tag === TX_PUBLIC_KEY) tx.publicKey = r.bytesField();
    else if (tag === TX_KEY_TYPE) tx.keyType = r.smallEnum();
    else if (tag === TX_SIGNATURE) tx.signature = r.bytesField();
    else throw NOT_READ_HERE;
  }
  return tx;
}

function readTransferBody(r: CanonicalReader): TxBody {
  const body = new TxBody();
  for (let tag = 0; r.pos < r.end; ) {
    tag = r.tagAfter(tag, BODY_MESSAGES);
    if (tag === BODY_CHAIN_ID) body.chainId = r.asciiField();
    else if (tag === BODY_NONCE) body.nonce = r.nonZeroVarint();
    else if (tag === BODY_FEE) body.fee = r.asciiField();
    else if (tag === BODY_GAS_LIMIT) body.gasLimit = r.nonZeroVarint();
    else if (tag === BODY_MESSAGES) body.messages.push(readBankSendMsg(r.embedded()));
    else if (tag === BODY_MEMO) body.memo = r.asciiField();
    else throw NOT_READ_HERE;
  }
  return body;
}

/** One `messages` entry holding exactly a MsgSend, built as the generated decoder builds it. */
function readBankSendMsg(msg: CanonicalReader): Msg {
  if (msg.tagAfter(0, 0) !== MSG_BANK_SEND) throw NOT_READ_HERE;
  const fields = msg.embedded();
  // The MsgSend must be all the Msg holds (a second oneof member would replace it).
  if (msg.pos !== msg.end) throw NOT_READ_HERE;
  const send = new MsgSend();
  for (let tag = 0; fields.pos < fields.end; ) {
    tag = fields.tagAfter(tag, 0);
    if (tag === SEND_TO) send.to = fields.bytesField();
    else if (tag === SEND_AMOUNT) send.amount = fields.asciiField();
    else throw NOT_READ_HERE;
  }
  const built = new Msg();
  // The generated decoder also assigns `sum`, a prototype setter that deletes the oneof's 26 other
  // fields; a fresh Msg has none, and `sum` reads whichever field is present.
  built.bankSend = send;
  return built;
}
