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
  private handler: ((tx: Uint8Array, from: string) => void) | undefined;
  broadcastTx(tx: Uint8Array): void {
    this.published.push(Buffer.from(tx).toString());
  }
  onTx(handler: (tx: Uint8Array, from: string) => void): () => void {
    this.handler = handler;
    return () => {
      this.handler = undefined;
    };
  }
  reportInvalid(peer: string, reason: string): void {
    this.reported.push({ peer, reason });
  }
  deliver(text: string, from: string): void {
    this.handler?.(Buffer.from(text), from);
  }
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe("tx gossip", () => {
  it("publishes the txs of this node's clients, admits peers' txs without publishing them again, and reports only forgeries", async () => {
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
    gossip.deliver("ok:2", "peerA");
    gossip.deliver("bad-sig", "peerB");
    gossip.deliver("stale", "peerC");
    await settle();
    expect(gossip.published).toEqual(["ok:1"]);
    expect(mempool.size()).toBe(2);
    expect(gossip.reported).toEqual([{ peer: "peerB", reason: "tx: TX_BAD_SIGNATURE" }]);
    close();
    gossip.deliver("ok:3", "peerA");
    await mempool.add(Buffer.from("ok:4"));
    await settle();
    expect(mempool.size()).toBe(3);
    expect(gossip.published).toEqual(["ok:1"]);
  });
});
