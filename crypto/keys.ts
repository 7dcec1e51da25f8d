// Account and validator keys. Signing and secp256k1 verification use Node's native crypto
// (OpenSSL), measurably faster than pure JS for the same algorithms (secp256k1 verify ~3,100/s vs
// ~780/s per core here); @noble/curves derives secp256k1 public keys, which OpenSSL cannot do from
// raw. Ed25519 signatures are verified by libsodium (sodium-native): 20,761/s against OpenSSL's
// 12,046/s per core here (crypto-ceiling), on raw keys (no KeyObject to build), and by its
// stricter rule, which is Kyochi's: S canonical, the key and R canonical and not of small order.
// OpenSSL accepts, for the identity key, R = identity and S = 0 over any message: anyone could
// sign for that address.
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign, verify } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import sodium from "sodium-native";
import { KeyType } from "../proto/index.js";
import { CryptoError } from "./errors.js";

// The SPKI prefixes and the low-S bound are exported so crypto/verify-pool.ts can reproduce
// verifySignature exactly inside its worker threads.
export const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
// SubjectPublicKeyInfo for a compressed secp256k1 point (id-ecPublicKey, secp256k1).
export const SECP256K1_SPKI_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
// SEC1 ECPrivateKey wrapped as PKCS#8 (without the optional public key).
const SECP256K1_PKCS8_PREFIX = Buffer.from(
  "303e020100301006072a8648ce3d020106052b8104000a042730250201010420",
  "hex",
);
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

export const PUBLIC_KEY_LENGTH: Record<number, number> = {
  [KeyType.KEY_TYPE_ED25519]: 32,
  [KeyType.KEY_TYPE_SECP256K1]: 33,
};
export const SIGNATURE_LENGTH = 64;

export function keyTypeName(type: KeyType): "ed25519" | "secp256k1" {
  if (type === KeyType.KEY_TYPE_ED25519) return "ed25519";
  if (type === KeyType.KEY_TYPE_SECP256K1) return "secp256k1";
  throw new CryptoError("UNSUPPORTED_KEY_TYPE", `unsupported key type ${type}`);
}

export function keyTypeFromName(name: string): KeyType {
  if (name === "ed25519") return KeyType.KEY_TYPE_ED25519;
  if (name === "secp256k1") return KeyType.KEY_TYPE_SECP256K1;
  throw new CryptoError("UNSUPPORTED_KEY_TYPE", `unsupported key type "${name}" (ed25519 or secp256k1)`);
}

export interface SigningKey {
  readonly type: KeyType;
  /** 32-byte secret (Ed25519 seed or secp256k1 scalar). */
  readonly secret: Uint8Array;
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

export function generateSigningKey(type: KeyType): SigningKey {
  if (type === KeyType.KEY_TYPE_SECP256K1)
    return signingKeyFromSecret(type, secp256k1.utils.randomSecretKey());
  return signingKeyFromSecret(type, new Uint8Array(randomBytes(32)));
}

export function signingKeyFromSecret(type: KeyType, secret: Uint8Array): SigningKey {
  if (secret.length !== 32) throw new CryptoError("INVALID_PRIVATE_KEY", "private key must be 32 bytes");
  if (type === KeyType.KEY_TYPE_ED25519) {
    const key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, secret]),
      format: "der",
      type: "pkcs8",
    });
    const spki = createPublicKey(key).export({ format: "der", type: "spki" });
    const publicKey = new Uint8Array(spki.subarray(ED25519_SPKI_PREFIX.length));
    return {
      type,
      secret: Uint8Array.from(secret),
      publicKey,
      sign: (message) => new Uint8Array(sign(null, message, key)),
    };
  }
  if (type === KeyType.KEY_TYPE_SECP256K1) {
    if (!secp256k1.utils.isValidSecretKey(secret))
      throw new CryptoError("INVALID_PRIVATE_KEY", "invalid secp256k1 key");
    const key = createPrivateKey({
      key: Buffer.concat([SECP256K1_PKCS8_PREFIX, secret]),
      format: "der",
      type: "pkcs8",
    });
    const publicKey = secp256k1.getPublicKey(secret, true);
    return {
      type,
      secret: Uint8Array.from(secret),
      publicKey,
      sign: (message) => toLowS(new Uint8Array(sign("sha256", message, { key, dsaEncoding: "ieee-p1363" }))),
    };
  }
  throw new CryptoError("UNSUPPORTED_KEY_TYPE", `unsupported key type ${type}`);
}

// secp256k1 KeyObjects are costly to build (from DER); verification of many txs from the same
// senders reuses them. Bounded so a flood of new keys cannot grow memory.
const KEY_CACHE_LIMIT = 50_000;
const keyCache = new Map<string, KeyObject>();

function secp256k1KeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString("base64");
  let key = keyCache.get(id);
  if (key) return key;
  key = importSecp256k1Key(publicKey);
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

/** A KeyObject for a raw secp256k1 public key (a compressed point, so DER: JWK cannot carry it). */
function importSecp256k1Key(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SECP256K1_SPKI_PREFIX, publicKey]),
    format: "der",
    type: "spki",
  });
}

/**
 * Verifies `signature` over `message`. Ed25519 signs the message itself; secp256k1 signs
 * sha256(message) and must be low-S (so a tx has one valid signature). Malformed keys or
 * signatures verify as false; an unknown key type throws.
 */
export function verifySignature(
  type: KeyType,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const expectedKeyLength = PUBLIC_KEY_LENGTH[type];
  if (expectedKeyLength === undefined)
    throw new CryptoError("UNSUPPORTED_KEY_TYPE", `unsupported key type ${type}`);
  if (publicKey.length !== expectedKeyLength || signature.length !== SIGNATURE_LENGTH) return false;
  // The bindings answer undefined, not false, for views of a SharedArrayBuffer (see verify-pool.ts).
  if (type === KeyType.KEY_TYPE_ED25519)
    return sodium.crypto_sign_verify_detached(signature, message, publicKey) === true;
  let key: KeyObject;
  try {
    key = secp256k1KeyObject(publicKey);
  } catch {
    return false;
  }
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
  if (s === 0n || s > SECP256K1_HALF_N) return false;
  return verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
}

function toLowS(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
  if (s <= SECP256K1_HALF_N) return signature;
  const out = Uint8Array.from(signature);
  out.set(Buffer.from((SECP256K1_N - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}
