import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import type { ChainParams } from "../params.js";
import { keyId } from "../store.js";
import { newAccount, signedTransfer, TEST_CHAIN_ID } from "../test-helpers.js";
import { type DecodedTx, decodeTx } from "./decode.js";
import { SignatureVerifier } from "./verify.js";

const params: ChainParams = {
  bank: { minGasPrice: 1n },
  staking: { powerReduction: 1_000_000n, maxValidators: 100, unbondingBlocks: 100, minSelfStake: 1_000_000n },
  slashing: {
    signedBlocksWindow: 100,
    minSignedPerWindowBps: 5_000,
    slashFractionDoubleSignBps: 500,
    slashFractionDowntimeBps: 1,
    downtimeJailBlocks: 50,
    maxEvidenceAgeBlocks: 100,
  },
  tx: { maxTxBytes: 1024, maxMemoBytes: 16, maxMsgs: 2, maxNonceGap: 16 },
  block: { maxBytes: 1 << 20, maxGas: 1_000_000 },
};

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
