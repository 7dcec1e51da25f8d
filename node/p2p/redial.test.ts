import { afterEach, describe, expect, it } from "vitest";
import type { InboundMessage } from "../../consensus/driver/transport.js";
import { bytesEqual } from "../../proto/canonical.js";
import { P2PHost } from "./host.js";
import {
  encodedVote,
  isConnected,
  MemoryChain,
  newNodeKey,
  p2pConfig,
  peerEntry,
  recordingLogger,
  startHost,
  type TestHost,
  waitFor,
} from "./testing/hosts.js";

const running: P2PHost[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

describe("persistent peers", () => {
  it("are redialled when they come back on the same key and port", async () => {
    const b1 = await startHost();
    running.push(b1.host);
    const a = await startHost({ config: { persistent_peers: peerEntry(b1) } });
    running.push(a.host);
    await waitFor(() => isConnected(a.host, b1.host), "a connected to b");

    await b1.host.stop();
    await waitFor(() => !isConnected(a.host, b1.host), "a to notice b is gone");
    // Down for a while: a's redials fail and back off (capped at 400 ms here).
    await new Promise((r) => setTimeout(r, 800));

    const b2 = await startHost({ privateKey: b1.key, config: { laddr: `127.0.0.1:${b1.port}` } });
    running.push(b2.host);
    expect(b2.host.peerId).toBe(b1.host.peerId);
    await waitFor(() => isConnected(a.host, b2.host), "a to redial b");

    // And gossip flows again over the new connection. b2 can learn that a subscribed before
    // its own stream to a is open, and gossipsub drops a publish to a peer it has no stream
    // to (consensus re-sends its votes), so b2 sends a new vote until one arrives.
    const got: InboundMessage[] = [];
    a.host.consensusTransport().onMessage((m) => got.push(m));
    await waitFor(() => b2.host.gossipPeers().includes(a.host.peerId), "a subscribed at b");
    const sent: Uint8Array[] = [];
    const arrived = () => got.some((m) => sent.some((v) => bytesEqual(m.bytes, v)));
    for (let height = 9; !arrived(); height++) {
      if (height > 9 + 40) throw new Error("no vote from the restarted b arrived at a");
      const vote = encodedVote(height);
      sent.push(vote);
      b2.host.consensusTransport().broadcastVote(vote);
      await waitFor(arrived, "a vote from the restarted b", 500).catch(() => undefined);
    }
  });

  it("a bad persistent_peers or seeds entry is a typed error naming it", async () => {
    const { logger } = recordingLogger();
    const make = (over: Parameters<typeof p2pConfig>[0]) =>
      P2PHost.create({
        privateKey: newNodeKey(),
        chainId: "c",
        config: p2pConfig(over),
        logger,
        sync: new MemoryChain(0),
      });
    await expect(make({ persistent_peers: "nonsense@127.0.0.1:1" })).rejects.toMatchObject({
      code: "P2P_BAD_PEER_ADDRESS",
      message: expect.stringContaining("nonsense@127.0.0.1:1"),
    });
    await expect(
      make({ seeds: "12D3KooWB75pjhEf8573fah2iBpv8un9tP1UFCWHoRVdyVmHM4t1@host" }),
    ).rejects.toMatchObject({
      code: "P2P_BAD_PEER_ADDRESS",
      message: expect.stringContaining("p2p.seeds"),
    });
  });

  it("announces external_address instead of the listen address", async () => {
    const t = await startHost({ config: { external_address: "203.0.113.7:26656" } });
    running.push(t.host);
    expect(t.host.listenAddresses()).toEqual([`/ip4/203.0.113.7/tcp/26656/p2p/${t.host.peerId}`]);
  });

  it("a listen address in use is a typed error", async () => {
    const first: TestHost = await startHost();
    running.push(first.host);
    const { logger } = recordingLogger();
    const second = await P2PHost.create({
      privateKey: newNodeKey(),
      chainId: "c",
      config: p2pConfig({ laddr: `127.0.0.1:${first.port}` }),
      logger,
      sync: new MemoryChain(0),
    });
    await expect(second.start()).rejects.toMatchObject({ code: "P2P_LISTEN_FAILED" });
    await second.stop();
  });
});
