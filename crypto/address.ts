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

export function encodeAddress(address: Uint8Array): string {
  if (address.length !== ADDRESS_LENGTH) throw new CryptoError("INVALID_ADDRESS", "address must be 20 bytes");
  return bech32.encode(ADDRESS_PREFIX, bech32.toWords(address));
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
