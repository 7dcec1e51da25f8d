import { afterEach, describe, expect, it } from "vitest";
import { hexBlocks, MemoryChain, peerEntry, startHost, type TestHost, waitFor } from "./testing/hosts.js";

const running: TestHost[] = [];
async function host(...args: Parameters<typeof startHost>): Promise<TestHost> {
  const t = await startHost(...args);
  running.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.host.stop()));
});

describe("status exchange", () => {
  it("keeps every connected peer's latest base and height", async () => {
    const chainB = new MemoryChain(100);
    const a = await host({ sync: new MemoryChain(3) });
    const b = await host({ sync: chainB, config: { persistent_peers: peerEntry(a) } });
    const sync = a.host.syncNetwork();
    await waitFor(() => sync.peerStatuses().some((s) => s.height === 100), "b's status at a");
    expect(sync.peerStatuses()).toEqual([{ peer: b.host.peerId, base: 1, height: 100 }]);
    // b's store grows: a's view follows within a poll interval.
    chainB.height = 105;
    chainB.base = 4;
    await waitFor(() => sync.peerStatuses()[0]?.height === 105, "b's new height at a");
    expect(sync.peerStatuses()[0]).toEqual({ peer: b.host.peerId, base: 4, height: 105 });
    // And b sees a's status the other way round; net_info shows the height.
    await waitFor(() => b.host.syncNetwork().peerStatuses()[0]?.height === 3, "a's status at b");
    expect(a.host.netInfo().peers[0]).toMatchObject({ peerId: b.host.peerId, height: 105, score: 0 });
    // A peer that disconnects drops out of the statuses.
    await b.host.stop();
    await waitFor(() => sync.peerStatuses().length === 0, "b gone from a's statuses");
  });

  it("disconnects a peer of another chain", async () => {
    const a = await host();
    const other = await host({ chainId: "another-chain", config: { seeds: peerEntry(a) } });
    await waitFor(
      () =>
        a.records.some(
          (r) => r.peer === other.host.peerId && String(r.msg).includes("does not serve this chain"),
        ),
      "a to notice the other chain",
    );
    await waitFor(() => a.host.netInfo().peers.length === 0, "the connection to close");
    expect(a.host.syncNetwork().peerStatuses()).toEqual([]);
  });
});

describe("block sync requests", () => {
  it("returns the provider's blocks in order, fewer at the tip, and caps the count", async () => {
    const chainB = new MemoryChain(300, 2000);
    const a = await host();
    const b = await host({ sync: chainB, config: { persistent_peers: peerEntry(a) } });
    await waitFor(() => a.host.syncNetwork().peerStatuses().length === 1, "b's status");
    const sync = a.host.syncNetwork();

    const five = await sync.fetchBlocks(b.host.peerId, 10, 5);
    expect(hexBlocks(five)).toEqual(hexBlocks([10, 11, 12, 13, 14].map((h) => chainB.blockAt(h))));

    const tip = await sync.fetchBlocks(b.host.peerId, 298, 10);
    expect(tip.map((x) => new TextDecoder().decode(x.commit))).toEqual([
      "commit-298",
      "commit-299",
      "commit-300",
    ]);

    const capped = await sync.fetchBlocks(b.host.peerId, 1, 1000);
    expect(capped).toHaveLength(64);
    expect(hexBlocks(capped)).toEqual(hexBlocks(await chainB.getBlocks(1, 64)));

    expect(await sync.fetchBlocks(b.host.peerId, 301, 5)).toEqual([]);
  });

  it("caps the response bytes but always serves at least one block", async () => {
    const chainB = new MemoryChain(20, 300_000);
    const a = await host();
    const b = await host({
      sync: chainB,
      config: { persistent_peers: peerEntry(a) },
      limits: { maxBlocksResponseBytes: 1_000_000 },
    });
    await waitFor(() => a.host.netInfo().peers.length === 1, "connection");
    const got = await a.host.syncNetwork().fetchBlocks(b.host.peerId, 1, 20);
    expect(hexBlocks(got)).toEqual(hexBlocks([1, 2, 3].map((h) => chainB.blockAt(h))));
    const huge = new MemoryChain(1, 1_500_000);
    const c = await host({
      sync: huge,
      config: { persistent_peers: peerEntry(a) },
      limits: { maxBlocksResponseBytes: 1_000_000 },
    });
    await waitFor(() => a.host.netInfo().peers.length === 2, "connection to c");
    expect(hexBlocks(await a.host.syncNetwork().fetchBlocks(c.host.peerId, 1, 5))).toEqual(
      hexBlocks([huge.blockAt(1)]),
    );
  });

  it("rejects with a typed error on timeout and for an unreachable peer", async () => {
    const chainB = new MemoryChain(10);
    let release = () => {};
    chainB.stall = new Promise<void>((r) => {
      release = r;
    });
    const a = await host({ timing: { requestTimeoutMs: 400 } });
    const b = await host({ sync: chainB, config: { persistent_peers: peerEntry(a) } });
    await waitFor(() => a.host.netInfo().peers.length === 1, "connection");
    await expect(a.host.syncNetwork().fetchBlocks(b.host.peerId, 1, 5)).rejects.toMatchObject({
      name: "P2PError",
      code: "P2P_TIMEOUT",
    });
    release();
    const stranger = (await host()).host.peerId;
    await running[running.length - 1]!.host.stop();
    await expect(a.host.syncNetwork().fetchBlocks(stranger, 1, 5)).rejects.toMatchObject({
      name: "P2PError",
      code: "P2P_REQUEST_FAILED",
    });
  });
});

describe("connection limit", () => {
  it("never holds more than p2p.max_connections connections", async () => {
    const a = await host({ config: { max_connections: 2 } });
    for (let i = 0; i < 4; i++) await host({ config: { seeds: peerEntry(a) } });
    await waitFor(() => a.host.netInfo().peers.length === 2, "a to fill its two slots");
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      expect(a.host.netInfo().peers.length).toBeLessThanOrEqual(2);
    }
  });
});
