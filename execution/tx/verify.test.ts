import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { BACKGROUND_CHUNK, type VerifyBatchOptions, type VerifyItem } from "../../crypto/verify-pool.js";
import { keyId } from "../store.js";
import { newAccount, TEST_TX_PARAMS as params, signedTransfer, TEST_CHAIN_ID } from "../test-helpers.js";
import { type DecodedTx, decodeTx } from "./decode.js";
import { type BatchVerifier, SignatureVerifier } from "./verify.js";

/** A pool that verifies on the spot and records whether each batch came as background work. */
function recordingPool(): BatchVerifier & { calls: { size: number; background: boolean }[] } {
  const calls: { size: number; background: boolean }[] = [];
  return {
    calls,
    threads: 1,
    verifyBatch: async (items: VerifyItem[], opts?: VerifyBatchOptions) => {
      calls.push({ size: items.length, background: opts?.background === true });
      return items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));
    },
  };
}

function transfers(count: number): DecodedTx[] {
  const from = newAccount();
  const to = newAccount();
  return Array.from({ length: count }, (_, nonce) => {
    const bytes = signedTransfer(from, { to: to.address, amount: 1n, nonce, chainId: TEST_CHAIN_ID });
    const hash = sha256(bytes);
    return decodeTx(bytes, hash, keyId(hash), { chainId: TEST_CHAIN_ID, params });
  });
}

describe("SignatureVerifier", () => {
  it("remembers verified txs up to its capacity, keeping the most recent", async () => {
    const verifier = new SignatureVerifier(undefined, 32);
    const txs = transfers(100);
    expect(await verifier.verifyMany(txs)).toEqual(txs.map(() => true));
    expect(verifier.size).toBeLessThanOrEqual(32);
    expect(verifier.isVerified(txs[99] as DecodedTx)).toBe(true);
    expect(verifier.isVerified(txs[0] as DecodedTx)).toBe(false);
  });

  it("does not remember a tx whose signature fails", async () => {
    const verifier = new SignatureVerifier(undefined, 32);
    const [good, other] = transfers(2) as [DecodedTx, DecodedTx];
    const forged: DecodedTx = { ...good, signature: other.signature, hashId: "forged" };
    expect(await verifier.verifyMany([good, forged])).toEqual([true, false]);
    expect(verifier.isVerified(forged)).toBe(false);
  });

  it("sends checkTx's checks as background work, and block batches as urgent", async () => {
    const pool = recordingPool();
    const verifier = new SignatureVerifier(pool, 1_000);
    const [one, two, three] = transfers(3) as [DecodedTx, DecodedTx, DecodedTx];
    // Two checks in the same tick share one batch, which must not be verified on the main thread.
    expect(await Promise.all([verifier.verifyOne(one), verifier.verifyOne(two)])).toEqual(["valid", "valid"]);
    expect(pool.calls).toEqual([{ size: 2, background: true }]);
    // Already verified: no batch at all.
    expect(await verifier.verifyOne(one)).toBe("valid");
    expect(await verifier.verifyMany([one, two, three])).toEqual([true, true, true]);
    expect(pool.calls).toEqual([
      { size: 2, background: true },
      { size: 1, background: false },
    ]);
  });

  it("hands waiting checks to the pool a chunk per worker, skipping those settled meanwhile", async () => {
    const gates: (() => void)[] = [];
    let gated = true;
    const calls: number[] = [];
    const pool: BatchVerifier = {
      threads: 2,
      verifyBatch: async (items: VerifyItem[], opts?: VerifyBatchOptions) => {
        if (opts?.background === true) {
          calls.push(items.length);
          if (gated) await new Promise<void>((r) => gates.push(r));
        }
        return items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));
      },
    };
    const verifier = new SignatureVerifier(pool, 10_000);
    const txs = transfers(BACKGROUND_CHUNK * 3 + 2);
    const stale = new Set([txs[BACKGROUND_CHUNK * 2] as DecodedTx]);
    const verdicts = Promise.all(txs.map((tx) => verifier.verifyOne(tx, () => stale.has(tx))));
    await new Promise((r) => setImmediate(r));
    // Two workers, two chunks; the rest waits in the verifier.
    expect(calls).toEqual([BACKGROUND_CHUNK, BACKGROUND_CHUNK]);
    // A block verifies the first waiting tx meanwhile.
    const blockTx = txs[BACKGROUND_CHUNK * 2 + 1] as DecodedTx;
    expect(await verifier.verifyMany([blockTx])).toEqual([true]);
    (gates.shift() as () => void)();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // The freed worker's next chunk left out the stale check and the one the block verified.
    expect(calls).toEqual([BACKGROUND_CHUNK, BACKGROUND_CHUNK, BACKGROUND_CHUNK - 2]);
    gated = false;
    for (const open of gates.splice(0)) open();
    const answers = await verdicts;
    expect(calls).toEqual([BACKGROUND_CHUNK, BACKGROUND_CHUNK, BACKGROUND_CHUNK - 2, 2]);
    expect(answers.filter((v) => v === "stale")).toHaveLength(1);
    expect(answers[BACKGROUND_CHUNK * 2]).toBe("stale");
    expect(answers.filter((v) => v === "valid")).toHaveLength(txs.length - 1);
  });
});
