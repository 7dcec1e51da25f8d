import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KeyType } from "../proto/index.js";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "./address.js";
import { ED25519_SPKI_PREFIX, generateSigningKey, signingKeyFromSecret, verifySignature } from "./keys.js";
import { ed25519EdgeCases } from "./test-helpers.js";

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

describe("ed25519 verification rule", () => {
  function verifyWithOpenSsl(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
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

  it("accepts only the honest signature among the edge cases, stricter than OpenSSL", () => {
    const cases = ed25519EdgeCases();
    const honest = cases[0]!;
    const accepted = cases.filter((c) =>
      verifySignature(KeyType.KEY_TYPE_ED25519, c.key, c.message, c.signature),
    );
    expect(accepted).toEqual([honest]);
    // Whatever Kyochi accepts, OpenSSL does too; the converse fails for the identity key, where
    // OpenSSL takes R = identity and S = 0 over any message: a signature anyone can make.
    for (const c of accepted) expect(verifyWithOpenSsl(c.key, c.message, c.signature)).toBe(true);
    const forgery = cases.find(
      (c) => c.key[0] === 1 && c.key.subarray(1).every((b) => b === 0) && c.signature[0] === 1,
    )!;
    expect(verifyWithOpenSsl(forgery.key, forgery.message, forgery.signature)).toBe(true);
    expect(verifySignature(KeyType.KEY_TYPE_ED25519, forgery.key, forgery.message, forgery.signature)).toBe(
      false,
    );
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
