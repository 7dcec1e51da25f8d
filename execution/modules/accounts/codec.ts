// The bytes of an Account leaf, written and read without protobufjs's Writer and Reader. A
// transfer reads its two accounts and the fee payer's, and writes three: through the generated
// codec that is a Writer with its op list, a Reader, a decimal string and a regex per account, on
// every tx of every block. The bytes are exactly those of `Account.encode` (field 1 nonce as a
// varint when non-zero, field 2 balance as a decimal string), and decoding falls back to the
// generated decoder for anything but that layout.
import { allocSmall } from "../../../crypto/small-bytes.js";
import { Account } from "../../../proto/index.js";
import { varintLength, writeVarint } from "../../../proto/varint.js";
import { formatAmount, MAX_AMOUNT, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";

const NONCE_TAG = 0x08; // field 1, varint
const BALANCE_TAG = 0x12; // field 2, length-delimited
/** 2^128-1 has 39 decimal digits. */
const MAX_BALANCE_DIGITS = 39;
const ZERO = 0x30;

/** Account{nonce, balance} as Account.encode writes it. `balance` must be in 0..=2^128-1. */
export function encodeAccountBytes(nonce: number, balance: bigint): Uint8Array {
  if (!Number.isSafeInteger(nonce) || nonce < 0) throw new ExecutionError("INTERNAL", `bad nonce ${nonce}`);
  const digits = formatAmount(balance);
  const nonceBytes = nonce === 0 ? 0 : 1 + varintLength(nonce);
  // At most 1 + 8 + 1 + 1 + 39 bytes, written to LevelDB and hashed: see small-bytes.ts.
  const out = allocSmall(nonceBytes + 2 + digits.length);
  let at = 0;
  if (nonce !== 0) {
    out[at++] = NONCE_TAG;
    at = writeVarint(out, at, nonce);
  }
  out[at++] = BALANCE_TAG;
  out[at++] = digits.length;
  for (let i = 0; i < digits.length; i++) out[at++] = digits.charCodeAt(i);
  return out;
}

/**
 * Reads the layout encodeAccountBytes writes: `[0x08 varint] 0x12 len digits`, canonical digits
 * (no leading zero but "0" itself). Returns undefined for any other bytes, which the caller then
 * decodes with the generated decoder.
 */
export function decodeAccountFast(bytes: Uint8Array): { nonce: number; balance: bigint } | undefined {
  let at = 0;
  let nonce = 0;
  if (bytes[0] === NONCE_TAG) {
    at = 1;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined || at > 9) return undefined; // 8 varint bytes cover 2^56 > 2^53
      nonce += (b & 0x7f) * scale;
      scale *= 0x80;
      if ((b & 0x80) === 0) {
        // A final zero byte after others is a padded varint; a lone zero is an explicit default.
        if (b === 0) return undefined;
        break;
      }
    }
    if (!Number.isSafeInteger(nonce)) return undefined;
  }
  if (bytes[at] !== BALANCE_TAG) return undefined;
  const len = bytes[at + 1];
  if (len === undefined || len === 0 || len > MAX_BALANCE_DIGITS || at + 2 + len !== bytes.length)
    return undefined;
  const start = at + 2;
  if (bytes[start] === ZERO && len > 1) return undefined;
  // Up to 15 digits fit a double exactly; longer balances go through BigInt in 15-digit pieces.
  let balance = 0n;
  let i = start;
  const end = start + len;
  while (i < end) {
    const pieceEnd = Math.min(end, i + 15);
    let piece = 0;
    let scale = 1;
    for (; i < pieceEnd; i++) {
      const d = bytes[i]! - ZERO;
      if (d < 0 || d > 9) return undefined;
      piece = piece * 10 + d;
      scale *= 10;
    }
    balance = balance === 0n ? BigInt(piece) : balance * BigInt(scale) + BigInt(piece);
  }
  if (balance > MAX_AMOUNT) return undefined;
  return { nonce, balance };
}

/** Any Account bytes, through the generated decoder: the fallback of decodeAccountFast. */
export function decodeAccountGeneric(bytes: Uint8Array): { nonce: number; balance: bigint } {
  let a: Account;
  try {
    a = Account.decode(bytes);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored account does not decode: ${(err as Error).message}`);
  }
  return {
    nonce: a.nonce,
    balance: parseAmount(a.balance === "" ? "0" : a.balance, "stored balance", "INTERNAL"),
  };
}
