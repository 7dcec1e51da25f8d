import { describe, expect, it } from "vitest";
import type { CheckTxResult } from "../../consensus/application.js";
import { sha256 } from "../../crypto/hash.js";
import { createLogger } from "../logger.js";
import { connectTxGossip, type TxGossip } from "./gossip.js";
import { Mempool } from "./mempool.js";

/** checkTx of a toy chain: "ok:<n>" is admitted (sender "s<n>"), "bad-sig" is forged, "stale" is late. */
async function checkTx(tx: Uint8Array): Promise<CheckTxResult> {
  const text = Buffer.from(tx).toString();
  const base = { log: "", nonce: 0, priority: 1n, gasWanted: 1, hash: sha256(tx) };
  if (text.startsWith("ok:")) return { ...base, code: 0, codename: "", sender: `s${text.slice(3)}` };
  const codename = text === "bad-sig" ? "TX_BAD_SIGNATURE" : "TX_NONCE_TOO_LOW";
  return { ...base, code: 1, codename, sender: "" };
}

class FakeGossip implements TxGossip {
  readonly published: string[] = [];
  readonly reported: { peer: string; reason: string }[] = [];
  private admit: ((tx: Uint8Array, from: string, hash: Uint8Array) => Promise<Verdict>) | undefined;
  broadcastTx(tx: Uint8Array, _hash: Uint8Array): void {
    this.published.push(Buffer.from(tx).toString());
  }
  admitWith(admit: (tx: Uint8Array, from: string, hash: Uint8Array) => Promise<Verdict>): () => void {
    this.admit = admit;
    return () => {
      this.admit = undefined;
    };
  }
  find: ((hash: Uint8Array) => Uint8Array | undefined) | undefined;
  findWith(find: (hash: Uint8Array) => Uint8Array | undefined): () => void {
    this.find = find;
    return () => {
      this.find = undefined;
    };
  }
  reportInvalid(peer: string, reason: string): void {
    this.reported.push({ peer, reason });
  }
  /** The verdict that decides whether the tx's batch is relayed (undefined once disconnected). */
  deliver(text: string, from: string): Promise<Verdict> | undefined {
    const tx = Buffer.from(text);
    return this.admit?.(tx, from, sha256(tx));
  }
}

type Verdict = "admitted" | "not-admitted" | "forged";

describe("tx gossip", () => {
  it("publishes the txs of this node's clients, admits peers' txs without publishing them again, relays only admitted ones, and reports only forgeries", async () => {
    const mempool = new Mempool({
      checkTx,
      maxTxs: 100,
      maxBytes: 1 << 20,
      maxTxBytes: 1024,
      maxPerSender: 10,
    });
    const gossip = new FakeGossip();
    const close = connectTxGossip(mempool, gossip, createLogger({ level: "silent", format: "json" }));
    await mempool.add(Buffer.from("ok:1"));
    // The verdicts decide whether each tx's batch is relayed: only what the mempool took in is.
    expect(await gossip.deliver("ok:2", "peerA")).toBe("admitted");
    expect(await gossip.deliver("ok:1", "peerD")).toBe("not-admitted");
    expect(await gossip.deliver("bad-sig", "peerB")).toBe("forged");
    expect(await gossip.deliver("stale", "peerC")).toBe("not-admitted");
    expect(gossip.published).toEqual(["ok:1"]);
    expect(mempool.size()).toBe(2);
    expect(gossip.reported).toEqual([{ peer: "peerB", reason: "tx: TX_BAD_SIGNATURE" }]);
    // Gossip finds the mempool's txs by hash (to rebuild compact blocks), and nothing else.
    expect(Buffer.from(gossip.find?.(sha256(Buffer.from("ok:2"))) ?? []).toString()).toBe("ok:2");
    expect(gossip.find?.(sha256(Buffer.from("stale")))).toBeUndefined();
    close();
    expect(gossip.find).toBeUndefined();
    expect(gossip.deliver("ok:3", "peerA")).toBeUndefined();
    await mempool.add(Buffer.from("ok:4"));
    expect(mempool.size()).toBe(3);
    expect(gossip.published).toEqual(["ok:1"]);
  });
});
