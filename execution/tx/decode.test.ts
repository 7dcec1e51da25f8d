import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { encode } from "../../proto/canonical.js";
import { KeyType, Msg, MsgSend, Tx, TxBody } from "../../proto/index.js";
import { ExecutionError, type ResultCodeName } from "../errors.js";
import { intrinsicGas } from "../gas.js";
import { keyId } from "../store.js";
import {
  newAccount,
  TEST_TX_PARAMS as params,
  signBody,
  signedTransfer,
  TEST_CHAIN_ID,
  transferBody,
} from "../test-helpers.js";
import { decodeTx } from "./decode.js";

const ctx = { chainId: TEST_CHAIN_ID, params };
const alice = newAccount();
const bob = newAccount();

function decode(bytes: Uint8Array) {
  const hash = sha256(bytes);
  return decodeTx(bytes, hash, keyId(hash), ctx);
}

function codeOf(bytes: Uint8Array): ResultCodeName | "OK" {
  try {
    decode(bytes);
    return "OK";
  } catch (err) {
    if (err instanceof ExecutionError) return err.code;
    throw err;
  }
}

const valid = () => signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 3 });

function bodyWith(
  fields: Partial<{ chainId: string; fee: string; gasLimit: number; memo: string; msgs: Msg[] }>,
) {
  return encode(
    TxBody,
    TxBody.create({
      chainId: fields.chainId ?? TEST_CHAIN_ID,
      nonce: 1,
      fee: fields.fee ?? "50000",
      gasLimit: fields.gasLimit ?? 50_000,
      messages: fields.msgs ?? [Msg.create({ bankSend: MsgSend.create({ to: bob.address, amount: "1" }) })],
      memo: fields.memo ?? "",
    }),
  );
}

describe("decodeTx", () => {
  it("decodes a valid transfer and derives the sender from the public key", () => {
    const tx = decode(valid());
    expect(tx.sender).toEqual(alice.address);
    expect(tx.nonce).toBe(3);
    expect(tx.fee).toBe(50_000n);
    expect(tx.messages).toHaveLength(1);
    expect(tx.intrinsicGas).toBe(intrinsicGas(valid().length, KeyType.KEY_TYPE_ED25519, 1));
    expect(verifySignature(tx.keyType, tx.publicKey, tx.bodyBytes, tx.signature)).toBe(true);
  });

  it("gives the signer's key, the signature and the signed body of a tx inside a larger buffer", () => {
    const bytes = valid();
    const envelope = Tx.decode(bytes);
    // As a block's tx is: a view with other bytes before and after it.
    const block = new Uint8Array(bytes.length + 20).fill(0xee);
    block.set(bytes, 7);
    const inBlock = block.subarray(7, 7 + bytes.length);
    // And a body the fast decoder hands to the generic one (a memo that is not ASCII).
    const memoBody = encode(TxBody, TxBody.create({ ...TxBody.decode(envelope.body), memo: "café" }));
    const memoSignature = alice.key.sign(memoBody);
    const generic = encode(Tx, Tx.create({ ...envelope, body: memoBody, signature: memoSignature }));
    for (const [raw, body, signature] of [
      [inBlock, envelope.body, envelope.signature],
      [generic, memoBody, memoSignature],
    ] as const) {
      const tx = decode(raw);
      expect([...tx.publicKey]).toEqual([...alice.key.publicKey]);
      expect([...tx.signature]).toEqual([...signature]);
      expect([...tx.bodyBytes]).toEqual([...body]);
      expect(verifySignature(tx.keyType, tx.publicKey, tx.bodyBytes, tx.signature)).toBe(true);
    }
  });

  it("tells truncated or garbage bytes (TX_MALFORMED) from non-canonical ones (TX_NON_CANONICAL)", () => {
    const bytes = valid();
    expect(codeOf(bytes.subarray(0, bytes.length - 1))).toBe("TX_MALFORMED");
    expect(codeOf(new Uint8Array(0))).toBe("TX_MALFORMED");
    expect(codeOf(Uint8Array.of(0xff, 0xff, 0xff))).toBe("TX_MALFORMED");
    // duplicated key_type field: valid protobuf (last one wins) but not the canonical encoding
    expect(codeOf(Uint8Array.from([...bytes, 0x18, 0x01]))).toBe("TX_NON_CANONICAL");
    // an unknown field
    expect(codeOf(Uint8Array.from([...bytes, 0x28, 0x01]))).toBe("TX_NON_CANONICAL");
    // an explicit default (memo = "") appended to the body, signed properly
    const body = transferBody({ to: bob.address, amount: 5n, nonce: 3 });
    expect(codeOf(signBody(alice.key, Uint8Array.from([...body, 0x32, 0x00])))).toBe("TX_NON_CANONICAL");
    // a padded varint for the nonce (field 2): 0x82 0x00 is a two-byte encoding of 2
    const padded = Uint8Array.from([...body, 0x10, 0x82, 0x00]);
    expect(codeOf(signBody(alice.key, padded))).toBe("TX_NON_CANONICAL");
  });

  it("applies every stateless rule with its own code", () => {
    const sign = (b: Uint8Array) => signBody(alice.key, b);
    expect(codeOf(sign(bodyWith({ chainId: "other-chain" })))).toBe("TX_WRONG_CHAIN_ID");
    expect(codeOf(sign(bodyWith({ msgs: [] })))).toBe("TX_NO_MESSAGES");
    const m = Msg.create({ bankSend: MsgSend.create({ to: bob.address, amount: "1" }) });
    expect(codeOf(sign(bodyWith({ msgs: [m, m, m] })))).toBe("TX_TOO_MANY_MESSAGES");
    expect(codeOf(sign(bodyWith({ msgs: [Msg.create({})] })))).toBe("TX_UNKNOWN_MESSAGE");
    expect(codeOf(sign(bodyWith({ memo: "x".repeat(17) })))).toBe("TX_MEMO_TOO_LONG");
    expect(codeOf(sign(bodyWith({ memo: "é".repeat(9) })))).toBe("TX_MEMO_TOO_LONG"); // 18 UTF-8 bytes
    expect(codeOf(sign(bodyWith({ memo: "x".repeat(16) })))).toBe("OK");
    expect(codeOf(sign(bodyWith({ fee: "-1" })))).toBe("TX_INVALID_FEE");
    expect(codeOf(sign(bodyWith({ fee: "340282366920938463463374607431768211456" })))).toBe("TX_INVALID_FEE");
    expect(codeOf(sign(bodyWith({ fee: "49999" })))).toBe("TX_FEE_TOO_LOW");
    expect(codeOf(sign(bodyWith({ gasLimit: 1_000_001, fee: "1000001" })))).toBe("TX_GAS_LIMIT_TOO_HIGH");
    expect(codeOf(sign(bodyWith({ gasLimit: 100, fee: "100" })))).toBe("TX_GAS_LIMIT_TOO_LOW");
    const badAmount = (amount: string) =>
      codeOf(
        sign(bodyWith({ msgs: [Msg.create({ bankSend: MsgSend.create({ to: bob.address, amount }) })] })),
      );
    expect(badAmount("0")).toBe("INVALID_AMOUNT");
    expect(badAmount("340282366920938463463374607431768211456")).toBe("INVALID_AMOUNT");
    expect(badAmount("340282366920938463463374607431768211455")).toBe("OK");
    expect(badAmount("007")).toBe("INVALID_AMOUNT");
    const badTo = codeOf(
      sign(
        bodyWith({
          msgs: [Msg.create({ bankSend: MsgSend.create({ to: bob.address.subarray(1), amount: "1" }) })],
        }),
      ),
    );
    expect(badTo).toBe("INVALID_ADDRESS");
  });

  it("checks size first, then key type, key length and signature length", () => {
    const big = signBody(alice.key, bodyWith({ memo: "x".repeat(2000) }));
    expect(codeOf(big)).toBe("TX_TOO_LARGE");
    const body = bodyWith({});
    const wrap = (fields: Partial<{ keyType: number; publicKey: Uint8Array; signature: Uint8Array }>) =>
      encode(
        Tx,
        Tx.create({
          body,
          publicKey: fields.publicKey ?? alice.key.publicKey,
          keyType: (fields.keyType ?? KeyType.KEY_TYPE_ED25519) as KeyType,
          signature: fields.signature ?? alice.key.sign(body),
        }),
      );
    expect(codeOf(wrap({}))).toBe("OK");
    expect(codeOf(wrap({ keyType: 7 }))).toBe("TX_UNSUPPORTED_KEY_TYPE");
    expect(codeOf(wrap({ keyType: 0 }))).toBe("TX_UNSUPPORTED_KEY_TYPE");
    expect(codeOf(wrap({ publicKey: alice.key.publicKey.subarray(1) }))).toBe("TX_INVALID_PUBLIC_KEY");
    expect(codeOf(wrap({ signature: new Uint8Array(63) }))).toBe("TX_BAD_SIGNATURE");
  });

  it("accepts secp256k1 signers", () => {
    const carol = newAccount(KeyType.KEY_TYPE_SECP256K1);
    const tx = decode(signedTransfer(carol, { to: bob.address, amount: 1n, nonce: 0 }));
    expect(tx.sender).toEqual(carol.address);
    expect(verifySignature(tx.keyType, tx.publicKey, tx.bodyBytes, tx.signature)).toBe(true);
  });

  it("on arbitrary bytes throws only ExecutionErrors, and what it accepts is canonical", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decode(bytes);
        } catch (err) {
          return err instanceof ExecutionError;
        }
        const again = encode(Tx, Tx.decode(bytes));
        return Buffer.compare(again, bytes) === 0;
      }),
    );
  });

  it("no single-byte change of a signed tx yields another tx that decodes and verifies", () => {
    const bytes = valid();
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (pos, delta) => {
        const mutated = Uint8Array.from(bytes);
        mutated[pos] = ((mutated[pos] as number) + delta) & 0xff;
        let tx: ReturnType<typeof decode>;
        try {
          tx = decode(mutated);
        } catch (err) {
          return err instanceof ExecutionError;
        }
        return !verifySignature(tx.keyType, tx.publicKey, tx.bodyBytes, tx.signature);
      }),
      { numRuns: 500 },
    );
  });
});
