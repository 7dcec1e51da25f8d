import { describe, expect, it } from "vitest";
import { decodeCanonical, encode, NonCanonicalError } from "./canonical.js";
import { Account, MsgSend, Tx, TxBody } from "./index.js";

const body = () =>
  TxBody.create({
    chainId: "kyochi-test",
    nonce: 7,
    fee: "1000",
    gasLimit: 100_000,
    messages: [{ bankSend: MsgSend.create({ to: new Uint8Array(20).fill(1), amount: "5" }) }],
  });

describe("canonical protobuf decoding", () => {
  it("accepts what the encoder produces and gives plain numbers for 64-bit fields", () => {
    const bytes = encode(TxBody, body());
    const decoded = decodeCanonical(TxBody, bytes, "TxBody");
    expect(decoded.nonce).toBe(7);
    expect(decoded.chainId).toBe("kyochi-test");
    // An unset uint64 reads as the number 0, not a Long.
    expect(decodeCanonical(Account, encode(Account, Account.create({ balance: "1" })), "Account").nonce).toBe(
      0,
    );
  });

  it("rejects an explicitly encoded default value", () => {
    // field 2 (nonce), varint 0: valid protobuf, same meaning, different bytes.
    const bytes = encode(TxBody, body());
    const withZero = Uint8Array.from([...bytes, 0x10, 0x00]);
    expect(() => decodeCanonical(TxBody, withZero, "TxBody")).toThrow(NonCanonicalError);
  });

  it("rejects unknown fields, even at the end", () => {
    const bytes = encode(Tx, Tx.create({ body: new Uint8Array([1]), signature: new Uint8Array(64) }));
    const withUnknown = Uint8Array.from([...bytes, 0x78, 0x01]); // field 15, varint 1
    expect(() => decodeCanonical(Tx, withUnknown, "Tx")).toThrow(NonCanonicalError);
  });

  it("rejects reordered fields and padded varints", () => {
    // nonce (field 2) = 1 then chain_id (field 1) = "a": reordered.
    const reordered = Uint8Array.from([0x10, 0x01, 0x0a, 0x01, 0x61]);
    expect(() => decodeCanonical(TxBody, reordered, "TxBody")).toThrow(NonCanonicalError);
    // nonce = 1 written as a two-byte varint.
    const padded = Uint8Array.from([0x10, 0x81, 0x00]);
    expect(() => decodeCanonical(TxBody, padded, "TxBody")).toThrow(NonCanonicalError);
  });

  it("rejects truncated bytes and integers above 2^53-1", () => {
    const bytes = encode(TxBody, body());
    expect(() => decodeCanonical(TxBody, bytes.subarray(0, bytes.length - 3), "TxBody")).toThrow(/malformed/);
    // nonce = 2^60 (exact as a double, so it would re-encode identically).
    const big = Uint8Array.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(() => decodeCanonical(TxBody, big, "TxBody")).toThrow(/2\^53/);
  });
});
