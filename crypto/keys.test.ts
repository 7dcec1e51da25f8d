import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyType } from "../proto/index.js";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "./address.js";
import { ED25519_SPKI_PREFIX, generateSigningKey, signingKeyFromSecret, verifySignature } from "./keys.js";

describe.each([KeyType.KEY_TYPE_ED25519, KeyType.KEY_TYPE_SECP256K1])("keys of type %i", (type) => {
  it("signs and verifies, and rejects a changed message or signature", () => {
    const key = generateSigningKey(type);
    const msg = new TextEncoder().encode("hello kyochi");
    const sig = key.sign(msg);
    expect(verifySignature(type, key.publicKey, msg, sig)).toBe(true);
    expect(verifySignature(type, key.publicKey, new TextEncoder().encode("hello kyochj"), sig)).toBe(false);
    const bad = Uint8Array.from(sig);
    bad[10] ^= 1;
    expect(verifySignature(type, key.publicKey, msg, bad)).toBe(false);
    expect(verifySignature(type, key.publicKey.subarray(1), msg, sig)).toBe(false);
  });

  it("derives the same public key from the same secret", () => {
    const key = generateSigningKey(type);
    expect(signingKeyFromSecret(type, key.secret).publicKey).toEqual(key.publicKey);
  });
});

describe("ed25519 key import", () => {
  /** The answer through an SPKI DER key, the import verifySignature used before it took JWK. */
  function verifyThroughDer(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    try {
      const key = createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
        format: "der",
        type: "spki",
      });
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  }

  const le = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse();
  const P = 2n ** 255n - 19n;

  it("answers as the DER import does, on valid, malformed, non-canonical and small-order keys", () => {
    const signer = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    const message = new TextEncoder().encode("edge keys");
    const identity = le(1n);
    const keys: Uint8Array[] = [
      signer.publicKey,
      Uint8Array.from(signer.publicKey, (b, i) => (i === 31 ? b ^ 0x80 : b)), // the other x sign
      new Uint8Array(32).fill(0xff), // y >= p
      new Uint8Array(32), // y = 0: a small-order point
      identity, // y = 1: the identity
      le(P), // non-canonical 0
      le(P + 1n), // non-canonical identity
      ...Array.from({ length: 24 }, (_, i) =>
        Uint8Array.from({ length: 32 }, (_, j) => (i * 37 + j * 11) & 0xff),
      ),
    ];
    const signatures: Uint8Array[] = [
      signer.sign(message),
      new Uint8Array([...identity, ...new Uint8Array(32)]), // R = identity, S = 0
      new Uint8Array(64),
    ];
    let valid = 0;
    for (const key of keys) {
      for (const signature of signatures) {
        const want = verifyThroughDer(key, message, signature);
        if (want) valid++;
        expect(
          verifySignature(KeyType.KEY_TYPE_ED25519, key, message, signature),
          Buffer.from(key).toString("hex"),
        ).toBe(want);
      }
    }
    expect(valid).toBeGreaterThan(0); // the signer's own signature, at least
  });
});

describe("secp256k1 malleability", () => {
  it("rejects the high-S twin of a valid signature", () => {
    const key = generateSigningKey(KeyType.KEY_TYPE_SECP256K1);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = key.sign(msg);
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
    const twin = Uint8Array.from(sig);
    twin.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32);
    expect(verifySignature(KeyType.KEY_TYPE_SECP256K1, key.publicKey, msg, sig)).toBe(true);
    expect(verifySignature(KeyType.KEY_TYPE_SECP256K1, key.publicKey, msg, twin)).toBe(false);
  });
});

describe("addresses", () => {
  it("round-trips through bech32 with the kyo prefix and rejects others", () => {
    const key = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    const addr = addressFromPublicKey(KeyType.KEY_TYPE_ED25519, key.publicKey);
    const text = encodeAddress(addr);
    expect(text.startsWith("kyo1")).toBe(true);
    expect(decodeAddress(text)).toEqual(addr);
    expect(() => decodeAddress(text.slice(0, -1) + (text.endsWith("q") ? "p" : "q"))).toThrow(
      /INVALID|bech32/i,
    );
    expect(() => decodeAddress("cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a")).toThrow();
  });
});
