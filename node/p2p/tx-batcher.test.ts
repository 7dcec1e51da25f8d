import { describe, expect, it } from "vitest";
import { decodeCanonical } from "../../proto/canonical.js";
import { TxBatcher } from "./tx-batcher.js";
import { TxBatch } from "./wire.js";

const txsOf = (batch: Uint8Array) => decodeCanonical<TxBatch>(TxBatch, batch, "batch").txs ?? [];

describe("tx batcher", () => {
  it("sends what it collected within the delay as one batch, in order", async () => {
    const sent: Uint8Array[] = [];
    const b = new TxBatcher((x) => sent.push(x), 10_000, 5);
    for (let i = 0; i < 10; i++) expect(b.add(new Uint8Array([i, i]))).toBe(true);
    expect(sent).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 30));
    expect(sent).toHaveLength(1);
    expect(txsOf(sent[0]!).map((t) => t[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("never exceeds the batch cap and refuses a tx that alone exceeds it", () => {
    const sent: Uint8Array[] = [];
    const b = new TxBatcher((x) => sent.push(x), 1000, 1_000_000);
    for (let i = 0; i < 25; i++) b.add(new Uint8Array(197).fill(i)); // 200 bytes encoded each
    b.flush();
    expect(sent.map((x) => x.length)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(sent.flatMap(txsOf)).toHaveLength(25);
    expect(b.add(new Uint8Array(998))).toBe(false);
    b.stop();
  });
});
