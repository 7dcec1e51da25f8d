import { describe, expect, it } from "vitest";
import { sha256 } from "../crypto/hash.js";
import { TxRecord } from "../proto/index.js";
import { RpcBackendError } from "./backend.js";
import { TxCommitWaiter } from "./tx-commit-waiter.js";

const record = (tag: number, height: number) =>
  TxRecord.create({ hash: sha256(Uint8Array.of(tag)), height, index: 0, tx: Uint8Array.of(tag) });

describe("TxCommitWaiter", () => {
  it("resolves with the record the index already has", async () => {
    const waiter = new TxCommitWaiter();
    const r = record(1, 5);
    expect(await waiter.wait(r.hash, 10_000, async () => r)).toBe(r);
    expect(waiter.pending).toBe(0);
  });

  it("resolves when the block commits, even if it commits while the index is being read", async () => {
    const waiter = new TxCommitWaiter();
    const r = record(2, 7);
    let release!: () => void;
    const slowLookup = () =>
      new Promise<undefined>((resolve) => {
        release = () => resolve(undefined);
      });
    const waiting = waiter.wait(r.hash, 10_000, slowLookup);
    // The commit lands between subscription and the (empty) index answer.
    waiter.notify([record(3, 7), r]);
    release();
    expect(await waiting).toBe(r);
    expect(waiter.pending).toBe(0);
  });

  it("resolves undefined on timeout or close, and refuses waiters beyond its limit", async () => {
    const waiter = new TxCommitWaiter(1);
    expect(await waiter.wait(record(4, 1).hash, 5, async () => undefined)).toBeUndefined();
    const open = waiter.wait(record(5, 1).hash, 10_000, async () => undefined);
    await expect(waiter.wait(record(6, 1).hash, 10_000, async () => undefined)).rejects.toBeInstanceOf(
      RpcBackendError,
    );
    waiter.close();
    expect(await open).toBeUndefined();
    expect(waiter.pending).toBe(0);
  });

  it("answers a wait that starts after close at once, without looking up the index", async () => {
    // A commit-mode broadcast still in checkTx when the node began to stop: its wait must not hold
    // a timer that keeps the stopped process alive (seen: a devnet node that did not exit).
    const waiter = new TxCommitWaiter();
    waiter.close();
    let looked = false;
    const answer = await waiter.wait(record(7, 1).hash, 60_000, async () => {
      looked = true;
      return undefined;
    });
    expect(answer).toBeUndefined();
    expect(looked).toBe(false);
    expect(waiter.pending).toBe(0);
  });
});
