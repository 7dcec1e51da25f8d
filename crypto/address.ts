// Addresses: 20 bytes = sha256(key type byte || public key)[0..20], shown as bech32 with prefix kyo.
import { bech32 } from "@scure/base";
import type { KeyType } from "../proto/index.js";
import { CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";

export const ADDRESS_PREFIX = "kyo";
export const ADDRESS_LENGTH = 20;

export function addressFromPublicKey(keyType: KeyType, publicKey: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(keyType), publicKey).subarray(0, ADDRESS_LENGTH);
}

// encodeAddress runs for every transfer's recipient event, every fee payer and every query
// answer; @scure/base's general encoder builds word arrays and strings per call (about 1.4 KB of
// garbage per address). This one is specialised to 20 bytes and the "kyo" prefix: the checksum
// state after the prefix is computed once, the 32 data words are read straight from the bytes. The
// tests hold it to @scure/base's output.
const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const CHARSET_CODES = Array.from(CHARSET, (c) => c.charCodeAt(0));
const GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** Data words of a 20-byte address (160 bits / 5), and the checksum's 6 words. */
const DATA_WORDS = 32;
const CHECKSUM_WORDS = 6;

function polymodStep(chk: number, value: number): number {
  const top = chk >>> 25;
  chk = ((chk & 0x1ffffff) << 5) ^ value;
  for (let i = 0; i < 5; i++) if (((top >>> i) & 1) !== 0) chk ^= GENERATOR[i]!;
  return chk;
}

/** The checksum state after the human-readable prefix (its high bits, a zero, its low bits). */
const PREFIX_CHECKSUM = (() => {
  let chk = 1;
  for (let i = 0; i < ADDRESS_PREFIX.length; i++) chk = polymodStep(chk, ADDRESS_PREFIX.charCodeAt(i) >> 5);
  chk = polymodStep(chk, 0);
  for (let i = 0; i < ADDRESS_PREFIX.length; i++) chk = polymodStep(chk, ADDRESS_PREFIX.charCodeAt(i) & 31);
  return chk;
})();
const PREFIX_CODES = Array.from(`${ADDRESS_PREFIX}1`, (c) => c.charCodeAt(0));
const addressCodes: number[] = new Array(PREFIX_CODES.length + DATA_WORDS + CHECKSUM_WORDS).fill(0);
const group: number[] = new Array(8).fill(0);
PREFIX_CODES.forEach((c, i) => {
  addressCodes[i] = c;
});

export function encodeAddress(address: Uint8Array): string {
  if (address.length !== ADDRESS_LENGTH) throw new CryptoError("INVALID_ADDRESS", "address must be 20 bytes");
  let chk = PREFIX_CHECKSUM;
  let at = PREFIX_CODES.length;
  // Five bytes make eight 5-bit words; 20 bytes are four such groups.
  for (let g = 0; g < ADDRESS_LENGTH; g += 5) {
    const b0 = address[g]!;
    const b1 = address[g + 1]!;
    const b2 = address[g + 2]!;
    const b3 = address[g + 3]!;
    const b4 = address[g + 4]!;
    group[0] = b0 >> 3;
    group[1] = ((b0 & 7) << 2) | (b1 >> 6);
    group[2] = (b1 >> 1) & 31;
    group[3] = ((b1 & 1) << 4) | (b2 >> 4);
    group[4] = ((b2 & 15) << 1) | (b3 >> 7);
    group[5] = (b3 >> 2) & 31;
    group[6] = ((b3 & 3) << 3) | (b4 >> 5);
    group[7] = b4 & 31;
    for (const w of group) {
      chk = polymodStep(chk, w);
      addressCodes[at++] = CHARSET_CODES[w]!;
    }
  }
  for (let i = 0; i < CHECKSUM_WORDS; i++) chk = polymodStep(chk, 0);
  chk ^= 1; // bech32's constant (not bech32m's)
  for (let i = 0; i < CHECKSUM_WORDS; i++) addressCodes[at++] = CHARSET_CODES[(chk >>> (5 * (5 - i))) & 31]!;
  return String.fromCharCode.apply(null, addressCodes);
}

/** Parses a `kyo1...` address; throws CryptoError("INVALID_ADDRESS") with the reason. */
export function decodeAddress(text: string): Uint8Array {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(text as `${string}1${string}`);
  } catch (err) {
    throw new CryptoError("INVALID_ADDRESS", `invalid bech32 address "${text}": ${(err as Error).message}`);
  }
  if (decoded.prefix !== ADDRESS_PREFIX) {
    throw new CryptoError(
      "INVALID_ADDRESS",
      `address prefix must be "${ADDRESS_PREFIX}", got "${decoded.prefix}"`,
    );
  }
  const bytes = bech32.fromWords(decoded.words);
  if (bytes.length !== ADDRESS_LENGTH) throw new CryptoError("INVALID_ADDRESS", "address must be 20 bytes");
  return bytes;
}
