import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { SeenTxs } from "./seen-txs.js";

const tx = (n: number, size = 100) => new Uint8Array(size).fill(n);

describe("the record of recently seen txs", () => {
  it("finds txs by sha256, oldest dropped first once over its byte budget", () => {
    const seen = new SeenTxs(250);
    for (const n of [1, 2, 3]) seen.add(tx(n));
    expect(seen.size).toBe(2);
    expect(seen.get(sha256(tx(1)))).toBeUndefined();
    expect(seen.get(sha256(tx(3)))).toEqual(tx(3));
    // Seen again: kept where it was, not counted twice.
    seen.add(tx(2));
    seen.add(tx(4, 50));
    expect([2, 3].map((n) => seen.get(sha256(tx(n))) !== undefined)).toEqual([true, true]);
  });

  it("once over its budget, drops the oldest txs until a sixteenth of it is free", () => {
    const seen = new SeenTxs(1600);
    for (let n = 1; n <= 16; n++) seen.add(tx(n));
    expect(seen.size).toBe(16);
    seen.add(tx(17));
    // 1,700 bytes over a budget of 1,600: down to 1,500, the two oldest gone.
    expect(seen.size).toBe(15);
    expect([1, 2, 3].map((n) => seen.get(sha256(tx(n))) !== undefined)).toEqual([false, false, true]);
    // The room made takes the next tx without dropping any.
    seen.add(tx(18));
    expect(seen.size).toBe(16);
    expect(seen.get(sha256(tx(3)))).toEqual(tx(3));
  });

  it("keeps a copy, not a view of the message the tx came in", () => {
    const message = new Uint8Array(1000).fill(7);
    const view = message.subarray(10, 110);
    const seen = new SeenTxs(1 << 20);
    seen.add(view);
    const kept = seen.get(sha256(view))!;
    expect(kept.buffer).not.toBe(message.buffer);
    expect(kept.byteLength).toBe(100);
  });
});
