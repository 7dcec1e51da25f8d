import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytesEqual } from "../../proto/canonical.js";
import type { GossipTxVerdict } from "./options.js";
import {
  encodedBlock,
  encodedTx,
  isConnected,
  peerEntry,
  startHost,
  type TestHost,
  waitFor,
} from "./testing/hosts.js";

// A line of three hosts, author - relay - end: the end hears the author's txs only through the
// relay, and the relay's mempool (here a table of verdicts by memo) decides what it relays.
let author: TestHost;
let relay: TestHost;
let end: TestHost;
const verdicts = new Map<string, GossipTxVerdict>();
const admittedAtRelay: string[] = [];
const heardAtEnd: string[] = [];
const blocksAtEnd: Uint8Array[] = [];

function memo(tx: Uint8Array): string {
  return /tx-\d+/.exec(Buffer.from(tx).toString("latin1"))?.[0] ?? "?";
}

beforeAll(async () => {
  author = await startHost();
  relay = await startHost({ config: { persistent_peers: peerEntry(author) } });
  end = await startHost({ config: { persistent_peers: peerEntry(relay) } });
  relay.host.txGossip.admitWith(async (tx) => {
    // As the mempool's checks do, the verdict comes after other work (signatures on the workers).
    await new Promise((r) => setTimeout(r, 5));
    const m = memo(tx);
    admittedAtRelay.push(m);
    return verdicts.get(m) ?? "admitted";
  });
  end.host.txGossip.onTx((tx) => heardAtEnd.push(memo(tx)));
  end.host.consensusTransport().onMessage((m) => {
    if (m.kind === "block") blocksAtEnd.push(m.bytes);
  });
  await waitFor(
    () => relay.host.gossipPeers().length === 2 && end.host.gossipPeers().length === 1,
    "the line's gossip meshes",
  );
  expect(isConnected(author.host, end.host)).toBe(false);
});

afterAll(async () => {
  await Promise.all([author, relay, end].map((t) => t.host.stop()));
});

/** Publishes one batch of `nonces` from the author and waits until the relay has judged all of it. */
async function publishBatch(nonces: number[]): Promise<void> {
  for (const n of nonces) author.host.txGossip.broadcastTx(encodedTx(n));
  await waitFor(
    () => nonces.every((n) => admittedAtRelay.includes(`tx-${n}`)),
    `the relay's verdicts on ${nonces}`,
  );
}

describe("tx batches are relayed only after the relay's mempool took them in", () => {
  it("relays a batch with an admitted tx, and stops one that brings nothing new or holds a forgery", async () => {
    verdicts.set("tx-1", "not-admitted"); // known already, or a stale nonce
    verdicts.set("tx-3", "forged");
    verdicts.set("tx-5", "not-admitted");
    await publishBatch([1]); // nothing new: not relayed
    await publishBatch([2, 3]); // a forgery with a valid tx: the whole batch stops here
    await publishBatch([4, 5]); // one admitted tx: the batch goes on, stale tx and all
    await waitFor(() => heardAtEnd.includes("tx-4"), "the admitted batch at the end of the line");
    // Gossip keeps a batch's order on one connection: the earlier batches would have arrived first.
    expect(heardAtEnd).toEqual(["tx-4", "tx-5"]);
  });
});

describe("a compact block two hops from its author", () => {
  it("is rebuilt with txs only the author had, fetched through the relay", async () => {
    // Random txs no host saw on the wire: the relay fetches them from the author, and the end,
    // which is not connected to the author, from the relay.
    const block = encodedBlock(4, 64 * 1024);
    author.host.consensusTransport().broadcastBlock(block);
    await waitFor(() => blocksAtEnd.length > 0, "the block at the end of the line");
    expect(bytesEqual(blocksAtEnd[0]!, block)).toBe(true);
  });
});
