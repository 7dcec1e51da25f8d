import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../consensus/driver/transport.js";
import { bytesEqual } from "../../proto/canonical.js";
import {
  encodedBlock,
  encodedEvidence,
  encodedProposal,
  encodedTx,
  encodedVote,
  peerEntry,
  startHost,
  type TestHost,
  waitFor,
} from "./testing/hosts.js";

// Three hosts joined only through persistent_peers: 1 <- 2, 1 <- 3, 2 <- 3.
let hosts: TestHost[] = [];
const inbox = new Map<string, InboundMessage[]>();
const txInbox = new Map<string, { bytes: Uint8Array; from: string }[]>();

beforeAll(async () => {
  const h1 = await startHost();
  const h2 = await startHost({ config: { persistent_peers: peerEntry(h1) } });
  const h3 = await startHost({ config: { persistent_peers: ` ${peerEntry(h1)} , ${peerEntry(h2)} ` } });
  hosts = [h1, h2, h3];
  for (const { host } of hosts) {
    const got: InboundMessage[] = [];
    const txs: { bytes: Uint8Array; from: string }[] = [];
    inbox.set(host.peerId, got);
    txInbox.set(host.peerId, txs);
    host.consensusTransport().onMessage((m) => got.push(m));
    host.txGossip.onTx((bytes, from) => txs.push({ bytes, from }));
  }
  await waitFor(
    () => hosts.every((t) => t.host.gossipPeers().length === 2),
    "every host to see two gossip peers",
  );
});

afterAll(async () => {
  await Promise.all(hosts.map((t) => t.host.stop()));
});

function received(t: TestHost, kind: InboundMessage["kind"], bytes: Uint8Array): InboundMessage | undefined {
  return inbox.get(t.host.peerId)!.find((m) => m.kind === kind && bytesEqual(m.bytes, bytes));
}

describe("gossip between three hosts", () => {
  it("delivers a proposal, a vote and an evidence to the other two with the sender's peer id", async () => {
    const cases = [
      { kind: "proposal" as const, from: 0, bytes: encodedProposal(1) },
      { kind: "vote" as const, from: 1, bytes: encodedVote(1) },
      { kind: "evidence" as const, from: 2, bytes: encodedEvidence(1) },
    ];
    for (const c of cases) {
      const t = hosts[c.from]!.host.consensusTransport();
      if (c.kind === "proposal") t.broadcastProposal(c.bytes);
      if (c.kind === "vote") t.broadcastVote(c.bytes);
      if (c.kind === "evidence") t.broadcastEvidence(c.bytes);
    }
    for (const c of cases) {
      const sender = hosts[c.from]!;
      for (const other of hosts.filter((h) => h !== sender)) {
        await waitFor(() => received(other, c.kind, c.bytes) !== undefined, `${c.kind} at another host`);
        expect(received(other, c.kind, c.bytes)!.from).toBe(sender.host.peerId);
      }
      // The sender's own message does not come back to it.
      expect(received(sender, c.kind, c.bytes)).toBeUndefined();
    }
  });

  it("delivers txs one by one (batched on the wire) with the sender's peer id", async () => {
    const txs = Array.from({ length: 50 }, (_, i) => encodedTx(i));
    for (const tx of txs) hosts[2]!.host.txGossip.broadcastTx(tx);
    for (const other of hosts.slice(0, 2)) {
      const got = txInbox.get(other.host.peerId)!;
      await waitFor(() => got.length >= txs.length, "all txs");
      expect(got.map((g) => Buffer.from(g.bytes).toString("hex"))).toEqual(
        txs.map((t) => Buffer.from(t).toString("hex")),
      );
      expect(new Set(got.map((g) => g.from))).toEqual(new Set([hosts[2]!.host.peerId]));
    }
  });

  it("carries a 3 MB block in parts and delivers it once, byte-identical", async () => {
    const block = encodedBlock(7, 3 * 1024 * 1024);
    expect(block.length).toBeGreaterThan(3 * 1024 * 1024);
    hosts[0]!.host.consensusTransport().broadcastBlock(block);
    for (const other of hosts.slice(1)) {
      await waitFor(() => received(other, "block", block) !== undefined, "the block", 15_000);
      // Parts come directly or relayed by the third host; `from` names their author either way.
      expect(received(other, "block", block)!.from).toBe(hosts[0]!.host.peerId);
    }
    // Give stragglers (relayed parts) a moment: still exactly one delivery per host.
    await new Promise((r) => setTimeout(r, 300));
    for (const other of hosts.slice(1)) {
      expect(inbox.get(other.host.peerId)!.filter((m) => m.kind === "block")).toHaveLength(1);
    }
  });

  it("reports every peer in net_info with its direction and address", () => {
    const info = hosts[0]!.host.netInfo();
    expect(info.peerId).toBe(hosts[0]!.host.peerId);
    expect(info.listenAddresses.some((a) => a.includes(`/tcp/${hosts[0]!.port}`))).toBe(true);
    expect(info.peers.map((p) => p.peerId).sort()).toEqual(
      [hosts[1]!.host.peerId, hosts[2]!.host.peerId].sort(),
    );
    // Host 1 listed nobody: both connections were dialled to it.
    expect(info.peers.every((p) => p.direction === "inbound")).toBe(true);
    expect(info.peers.every((p) => p.address.startsWith("/ip4/127.0.0.1/tcp/"))).toBe(true);
  });
});

describe("a host alone", () => {
  it("broadcasts without peers and without throwing (a one-node chain)", async () => {
    const solo = await startHost();
    try {
      const t = solo.host.consensusTransport();
      expect(() => {
        t.broadcastProposal(encodedProposal(1));
        t.broadcastVote(encodedVote(1));
        t.broadcastEvidence(encodedEvidence(1));
        t.broadcastBlock(encodedBlock(1, 2048));
        solo.host.txGossip.broadcastTx(encodedTx(1));
      }).not.toThrow();
      await new Promise((r) => setTimeout(r, 50));
      expect(solo.host.netInfo().peers).toEqual([]);
    } finally {
      await solo.host.stop();
      await solo.host.stop(); // idempotent
    }
  });
});
