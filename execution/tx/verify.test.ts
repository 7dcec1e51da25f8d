import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import type { VerifyBatchOptions, VerifyItem } from "../../crypto/verify-pool.js";
import { keyId } from "../store.js";
import { newAccount, TEST_TX_PARAMS as params, signedTransfer, TEST_CHAIN_ID } from "../test-helpers.js";
import { type DecodedTx, decodeTx } from "./decode.js";
import { type BatchVerifier, SignatureVerifier } from "./verify.js";

/** A pool that verifies on the spot and records whether each batch came as background work. */
function recordingPool(): BatchVerifier & { calls: { size: number; background: boolean }[] } {
  const calls: { size: number; background: boolean }[] = [];
  return {
    calls,
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
    expect(await Promise.all([verifier.verifyOne(one), verifier.verifyOne(two)])).toEqual([true, true]);
    expect(pool.calls).toEqual([{ size: 2, background: true }]);
    // Already verified: no batch at all.
    expect(await verifier.verifyOne(one)).toBe(true);
    expect(await verifier.verifyMany([one, two, three])).toEqual([true, true, true]);
    expect(pool.calls).toEqual([
      { size: 2, background: true },
      { size: 1, background: false },
    ]);
  });
});
