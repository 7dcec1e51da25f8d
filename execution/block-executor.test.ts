// A block's txs are handled in runs, with a turn of the event loop in between: a 10k-tx block is a
// second of work on the thread that also carries consensus and gossip.
import { describe, expect, it } from "vitest";
import { YIELD_EVERY } from "../state/event-loop.js";
import { prepareTxs } from "./block-executor.js";
import { newAccount, signedTransfer, TEST_CHAIN_ID, TEST_TX_PARAMS } from "./test-helpers.js";

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
