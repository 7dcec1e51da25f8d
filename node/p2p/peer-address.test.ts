import { describe, expect, it } from "vitest";
import { announceMultiaddr, listenMultiaddr, parsePeerList } from "./peer-address.js";

const ID1 = "12D3KooWB75pjhEf8573fah2iBpv8un9tP1UFCWHoRVdyVmHM4t1";
const ID2 = "12D3KooWLE3odTKp3rUDQECJ6fGsSg3SpM8RowDchJZeYwxQb6xH";

describe("peer addresses from the config", () => {
  it("parses comma-separated entries with whitespace, IPv4, [IPv6] and DNS names", () => {
    const peers = parsePeerList(
      ` ${ID1}@127.0.0.1:26656 ,, ${ID2}@[::1]:7000,${ID1}@node-1.example.com:26656 `,
      "x",
    );
    expect(peers.map((p) => p.multiaddr.toString())).toEqual([
      `/ip4/127.0.0.1/tcp/26656/p2p/${ID1}`,
      `/ip6/::1/tcp/7000/p2p/${ID2}`,
      `/dns/node-1.example.com/tcp/26656/p2p/${ID1}`,
    ]);
    expect(peers[0]).toMatchObject({ peerId: ID1, host: "127.0.0.1", port: 26656 });
    expect(parsePeerList("  ", "x")).toEqual([]);
  });

  it("rejects a bad entry with a typed error that names the key and the entry", () => {
    const bad = [
      "127.0.0.1:26656",
      `${ID1}127.0.0.1:26656`,
      `notapeerid@127.0.0.1:26656`,
      `${ID1}@127.0.0.1`,
      `${ID1}@127.0.0.1:0`,
      `${ID1}@127.0.0.1:70000`,
      `${ID1}@300.1.1.1:1`,
      `${ID1}@::1:1`,
      `${ID1}@bad_host:1`,
    ];
    for (const entry of bad) {
      expect(() => parsePeerList(`${ID2}@127.0.0.1:1, ${entry}`, "p2p.persistent_peers")).toThrow(
        expect.objectContaining({
          name: "P2PError",
          code: "P2P_BAD_PEER_ADDRESS",
          message: expect.stringContaining(`p2p.persistent_peers: "${entry}"`),
        }),
      );
    }
  });

  it("turns laddr and external_address into multiaddrs", () => {
    expect(listenMultiaddr("0.0.0.0:26656")).toBe("/ip4/0.0.0.0/tcp/26656");
    expect(listenMultiaddr("127.0.0.1:0")).toBe("/ip4/127.0.0.1/tcp/0");
    expect(listenMultiaddr("localhost:5")).toBe("/ip4/127.0.0.1/tcp/5");
    expect(() => listenMultiaddr("example.com:5")).toThrow(
      expect.objectContaining({ code: "P2P_LISTEN_FAILED" }),
    );
    expect(announceMultiaddr("203.0.113.7:26656")).toBe("/ip4/203.0.113.7/tcp/26656");
    expect(announceMultiaddr("node.example.com:26656")).toBe("/dns/node.example.com/tcp/26656");
  });
});
