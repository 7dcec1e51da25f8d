// A block's txs are handled in runs, with a turn of the event loop in between: a 10k-tx block is a
// second of work on the thread that also carries consensus and gossip.
import { describe, expect, it } from "vitest";
import { verifySignature } from "../crypto/keys.js";
import type { VerifyItem } from "../crypto/verify-pool.js";
import { Tx } from "../proto/index.js";
import { YIELD_EVERY } from "../state/event-loop.js";
import { prepareTxs, prepareTxsVerifying } from "./block-executor.js";
import type { ChainParams } from "./params.js";
import {
  newAccount,
  signBody,
  signedTransfer,
  TEST_CHAIN_ID,
  TEST_TX_PARAMS,
  transferBody,
} from "./test-helpers.js";
import type { DecodedTx } from "./tx/decode.js";
import { DecodedTxCache } from "./tx/decoded-cache.js";
import { SignatureVerifier } from "./tx/verify.js";

describe("prepareTxs", () => {
  it("lets other events run while it decodes a large block, and decodes every tx in order", async () => {
    const from = newAccount();
    const to = newAccount();
    const count = 3 * YIELD_EVERY + 10;
    const txs = Array.from({ length: count }, (_, nonce) =>
      signedTransfer(from, { to: to.address, amount: 1n, nonce }),
    );
    let finished = false;
    const turnsWhileRunning: boolean[] = [];
    const tick = () => {
      turnsWhileRunning.push(!finished);
      if (!finished) setImmediate(tick);
    };
    setImmediate(tick);
    const prepared = await prepareTxs(txs, { chainId: TEST_CHAIN_ID, params: TEST_TX_PARAMS });
    finished = true;
    // One turn per run of YIELD_EVERY txs, all before the block was done.
    expect(turnsWhileRunning.filter(Boolean).length).toBeGreaterThanOrEqual(3);
    expect(prepared.map((t) => t.decoded?.nonce)).toEqual(txs.map((_, nonce) => nonce));
  });
});

describe("prepareTxsVerifying", () => {
  it("hands each run of decoded txs to the verifier before the next run is decoded, and marks bad signatures only when asked", async () => {
    const from = newAccount();
    const to = newAccount();
    const count = 2 * YIELD_EVERY + 10;
    const badAt = YIELD_EVERY + 3;
    const txs = Array.from({ length: count }, (_, nonce) => {
      const tx = signedTransfer(from, { to: to.address, amount: 1n, nonce });
      if (nonce !== badAt) return tx;
      // The same tx with the signature of another body: decodes, does not verify.
      const other = Tx.decode(signBody(from.key, transferBody({ to: to.address, amount: 2n, nonce })));
      return Tx.encode({ ...Tx.decode(tx), signature: other.signature }).finish();
    });
    // Each batch notes how many txs had been decoded when it arrived.
    const decodedWhenSent: number[] = [];
    let decodedSoFar = 0;
    class CountingCache extends DecodedTxCache {
      override set(tx: DecodedTx, params: ChainParams): void {
        decodedSoFar++;
        super.set(tx, params);
      }
    }
    const cache = new CountingCache(10_000);
    const pool = {
      threads: 1,
      async verifyBatch(items: VerifyItem[]) {
        decodedWhenSent.push(decodedSoFar);
        return items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));
      },
    };
    const verifier = new SignatureVerifier(pool, 10_000);
    const ctx = { chainId: TEST_CHAIN_ID, params: TEST_TX_PARAMS };
    const { prepared, checkSignatures } = await prepareTxsVerifying(txs, ctx, verifier, cache);

    expect(decodedWhenSent).toEqual([YIELD_EVERY, 2 * YIELD_EVERY, count]);
    expect(prepared[badAt]?.decoded).toBeDefined(); // checks before signatures see every tx decoded
    await checkSignatures();
    expect(prepared[badAt]?.decoded).toBeUndefined();
    expect(prepared[badAt]?.error?.code).toBe("TX_BAD_SIGNATURE");
    expect(prepared.filter((t) => t.decoded === undefined)).toHaveLength(1);
  });
});
