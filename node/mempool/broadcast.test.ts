import { describe, expect, it } from "vitest";
import type { CheckTxResult } from "../../consensus/application.js";
import { sha256 } from "../../crypto/hash.js";
import { broadcastToMempool } from "./broadcast.js";
import { Mempool } from "./mempool.js";

// checkTx of a toy app: a tx is [senderByte, nonce, fee]; fee 0 is refused.
async function checkTx(tx: Uint8Array): Promise<CheckTxResult> {
  const ok = tx[2] !== 0;
  return {
    code: ok ? 0 : 14,
    codename: ok ? "" : "TX_FEE_TOO_LOW",
    log: ok ? "" : "fee below the minimum",
    sender: String(tx[0]),
    nonce: tx[1] ?? 0,
    priority: BigInt(tx[2] ?? 0),
    gasWanted: 100,
    hash: sha256(tx),
  };
}

describe("broadcastToMempool", () => {
  it("turns admissions and refusals into broadcast results with stable codes", async () => {
    const pool = new Mempool({ checkTx, maxTxs: 10, maxBytes: 1000, maxTxBytes: 8, maxPerSender: 5 });
    const tx = Uint8Array.of(1, 0, 5);
    expect(await broadcastToMempool(pool, tx)).toEqual({
      accepted: true,
      hash: sha256(tx),
      gasWanted: 100,
      log: "",
    });
    expect(await broadcastToMempool(pool, tx)).toMatchObject({
      accepted: false,
      rejectedBy: "mempool",
      codename: "MEMPOOL_DUPLICATE",
    });
    expect(await broadcastToMempool(pool, Uint8Array.of(2, 0, 0))).toMatchObject({
      accepted: false,
      rejectedBy: "app",
      code: 14,
      codename: "TX_FEE_TOO_LOW",
      log: "fee below the minimum",
    });
    expect(await broadcastToMempool(pool, new Uint8Array(9))).toMatchObject({
      codename: "MEMPOOL_TX_TOO_LARGE",
    });
    expect(pool.size()).toBe(1);
  });
});
