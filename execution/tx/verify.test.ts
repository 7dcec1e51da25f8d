import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { keyId } from "../store.js";
import { newAccount, TEST_TX_PARAMS as params, signedTransfer, TEST_CHAIN_ID } from "../test-helpers.js";
import { type DecodedTx, decodeTx } from "./decode.js";
import { SignatureVerifier } from "./verify.js";

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
});
