// The fast Tx/TxBody reader may only agree with the generic canonical decoder or defer to it: it
// must never accept bytes the generic path rejects, nor decode them to anything else. Checked on
// real transfers, on the non-canonical forms it must leave to the generic path, and on thousands
// of seeded mutations.
import { describe, expect, it } from "vitest";
import { decodeCanonical, encode } from "../../proto/canonical.js";
import { KeyType, Msg, MsgSend, Tx, TxBody } from "../../proto/index.js";
import { newAccount, signBody, signedTransfer, TEST_CHAIN_ID } from "../test-helpers.js";
import { fastDecodeTx, fastDecodeTxBody } from "./fast-decode.js";

const to = (tag: number) => new Uint8Array(20).fill(tag);

function bodyBytes(fields: Partial<TxBody> & { messages?: Msg[] }): Uint8Array {
  return encode(TxBody, TxBody.create(fields));
}

function send(tag: number, amount: string): Msg {
  return Msg.create({ bankSend: MsgSend.create({ to: to(tag), amount }) });
}

/** The generic verdict: the decoded message, or undefined when it rejects the bytes. */
function generic<T>(
  codec: { decode(b: Uint8Array): T; encode(m: T): { finish(): Uint8Array } },
  bytes: Uint8Array,
) {
  try {
    return decodeCanonical(codec, bytes, "test");
  } catch {
    return undefined;
  }
}

/** xorshift32: the same mutations on every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const at = Math.floor(next() * bytes.length);
  const value = Math.floor(next() * 256);
  const out = Array.from(bytes);
  switch (Math.floor(next() * 6)) {
    case 0:
      out[at] = value;
      break;
    case 1:
      out.splice(at, 0, value);
      break;
    case 2:
      out.splice(at, 1);
      break;
    case 3:
      out.length = at;
      break;
    case 4: {
      // A field-sized slice repeated: duplicated or reordered fields.
      const len = 1 + Math.floor(next() * 24);
      out.splice(at, 0, ...out.slice(at, at + len));
      break;
    }
    default:
      // A small value where a length or varint was: shifts every later field.
      out[at] = value & 0x3f;
  }
  return Uint8Array.from(out);
}

describe("fastDecodeTx / fastDecodeTxBody", () => {
  it("decode transfers exactly as the generic canonical decoder does", () => {
    const ed = newAccount(KeyType.KEY_TYPE_ED25519);
    const secp = newAccount(KeyType.KEY_TYPE_SECP256K1);
    const bodies = [
      bodyBytes({
        chainId: TEST_CHAIN_ID,
        nonce: 0,
        fee: "50000",
        gasLimit: 50_000,
        messages: [send(1, "1")],
      }),
      bodyBytes({
        chainId: TEST_CHAIN_ID,
        nonce: Number.MAX_SAFE_INTEGER,
        fee: "340282366920938463463374607431768211455",
        gasLimit: 2 ** 40,
        messages: [send(2, "7"), send(3, "99999999999999999999"), send(2, "1")],
        memo: "invoice 42",
      }),
      bodyBytes({ chainId: TEST_CHAIN_ID, nonce: 300, messages: [send(4, "5")] }),
    ];
    for (const body of bodies) {
      const fast = fastDecodeTxBody(body);
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(generic(TxBody, body));
      expect(encode(TxBody, fast as TxBody)).toEqual(body);
      // Execution dispatches on the oneof's name.
      for (const msg of (fast as TxBody).messages) expect((msg as Msg).sum).toBe("bankSend");
      for (const account of [ed, secp]) {
        const tx = signBody(account.key, body);
        const envelope = fastDecodeTx(tx);
        expect(envelope).toBeDefined();
        expect(envelope).toStrictEqual(generic(Tx, tx));
      }
    }
    const transfer = signedTransfer(ed, { to: to(9), amount: 10n, nonce: 3, gasLimit: 50_000 });
    expect(fastDecodeTx(transfer)).toStrictEqual(generic(Tx, transfer));
  });

  it("leave every other form to the generic path", () => {
    const valid = bodyBytes({
      chainId: TEST_CHAIN_ID,
      nonce: 1,
      fee: "10",
      gasLimit: 10,
      messages: [send(1, "1")],
    });
    // Forms the generic path accepts but this reader does not read: non-ASCII text, other messages.
    const unicodeMemo = bodyBytes({
      chainId: TEST_CHAIN_ID,
      nonce: 1,
      messages: [send(1, "1")],
      memo: "café",
    });
    const staking = bodyBytes({
      chainId: TEST_CHAIN_ID,
      nonce: 1,
      messages: [Msg.create({ stakingAddStake: { amount: "5" } })],
    });
    const emptySend = Uint8Array.from([0x2a, 0x02, 0x0a, 0x00]); // Msg{bankSend: {}}
    for (const body of [unicodeMemo, staking, emptySend]) {
      expect(fastDecodeTxBody(body)).toBeUndefined();
      expect(generic(TxBody, body)).toBeDefined();
    }
    // Non-canonical forms: the generic path rejects them and says why.
    const withMemo = bodyBytes({ chainId: TEST_CHAIN_ID, nonce: 1, messages: [send(1, "1")], memo: "x" });
    const messageEntry = bodyBytes({ messages: [send(2, "1")] });
    const nonCanonical = [
      Uint8Array.from([...valid, 0x10, 0x00]), // explicit zero nonce, after the memo's place
      Uint8Array.from([0x10, 0x81, 0x00]), // nonce 1 as a padded varint
      Uint8Array.from([0x10, 0x01, 0x0a, 0x01, 0x61]), // nonce before chain id
      Uint8Array.from([0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62]), // chain id twice
      Uint8Array.from([0x0a, 0x00]), // explicit empty chain id
      Uint8Array.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]), // nonce of 2^53
      Uint8Array.from([0x38, 0x01]), // unknown field 7
      Uint8Array.from([...withMemo, ...messageEntry]), // a message after the memo
    ];
    for (const body of nonCanonical) {
      expect(fastDecodeTxBody(body)).toBeUndefined();
      expect(generic(TxBody, body)).toBeUndefined();
    }
    // The envelope: key type zero written out, and a key type that is a negative int32.
    expect(fastDecodeTx(Uint8Array.from([0x18, 0x00]))).toBeUndefined();
    const negativeKeyType = Uint8Array.from([0x18, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(fastDecodeTx(negativeKeyType)).toBeUndefined();
  });

  it("never accept a mutated tx or body the generic path rejects, nor read one differently", () => {
    const account = newAccount();
    const body = bodyBytes({
      chainId: TEST_CHAIN_ID,
      nonce: 70_000,
      fee: "123456",
      gasLimit: 123_456,
      messages: [send(5, "1000"), send(6, "2")],
      memo: "m",
    });
    const tx = signBody(account.key, body);
    const next = rng(0x5eed);
    let fastAccepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const useBody = i % 2 === 0;
      const bytes = mutate(useBody ? body : tx, next);
      const fast = useBody ? fastDecodeTxBody(bytes) : fastDecodeTx(bytes);
      if (fast === undefined) continue;
      fastAccepted++;
      const slow = useBody ? generic(TxBody, bytes) : generic(Tx, bytes);
      expect(slow, `mutation ${i}: ${Buffer.from(bytes).toString("hex")}`).toStrictEqual(fast);
    }
    // Many mutations (a changed byte inside a value) stay canonical: the check above ran on them.
    expect(fastAccepted).toBeGreaterThan(2_000);
  });
});
