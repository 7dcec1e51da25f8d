import { describe, expect, it } from "vitest";
import { KeyType } from "../proto/index.js";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "./address.js";
import { generateSigningKey, signingKeyFromSecret, verifySignature } from "./keys.js";

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
