import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { bytesEqual, encode } from "../../proto/canonical.js";
import { Block, BlockHeader } from "../../proto/index.js";
import { BadTxsAnswer, type RebuildDeps, rebuildBlock } from "./block-rebuild.js";
import { compactBlock } from "./compact-block.js";

const TXS = Array.from({ length: 5 }, () => new Uint8Array(randomBytes(190)));
const BLOCK = encode(
  Block,
  Block.create({ header: BlockHeader.create({ chainId: "kyochi-rebuild-test", height: 3 }), txs: TXS }),
);
const COMPACT = compactBlock(BLOCK).bytes;
const key = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Peers each holding some of TXS (by index), or answering wrongly, or failing. */
function network(opts: {
  local: number[];
  peers: Record<string, number[] | "fails" | "lies">;
  maxTxsPerRequest?: number;
  maxBlockBytes?: number;
}) {
  const byHash = new Map(TXS.map((t) => [key(sha256(t)), t]));
  const asked: { peer: string; n: number }[] = [];
  const reported: string[] = [];
  const local = new Set(opts.local.map((i) => key(sha256(TXS[i]!))));
  const deps: RebuildDeps = {
    find: (h) => (local.has(key(h)) ? byHash.get(key(h)) : undefined),
    peersToAsk: (author) => {
      const peers = Object.keys(opts.peers);
      return peers.includes(author) ? [author, ...peers.filter((p) => p !== author)] : peers;
    },
    fetchTxs: async (peer, hashes) => {
      asked.push({ peer, n: hashes.length });
      const has = opts.peers[peer]!;
      if (has === "fails") throw new Error("stream reset");
      if (has === "lies") throw new BadTxsAnswer("tx 0 does not hash to what was asked");
      const held = new Set(has.map((i) => key(sha256(TXS[i]!))));
      return hashes.map((h) => (held.has(key(h)) ? byHash.get(key(h)) : undefined));
    },
    reportBadAnswer: (peer) => reported.push(peer),
    maxBlockBytes: opts.maxBlockBytes ?? 1 << 20,
    maxTxsPerRequest: opts.maxTxsPerRequest ?? 100,
    retryDelaysMs: [],
  };
  return { deps, asked, reported };
}

describe("rebuilding a compact block", () => {
  it("needs no peer when this node holds every tx", async () => {
    const { deps, asked } = network({ local: [0, 1, 2, 3, 4], peers: { author: [] } });
    const r = await rebuildBlock(COMPACT, "author", deps);
    expect(r.kind === "block" && bytesEqual(r.bytes, BLOCK)).toBe(true);
    expect(asked).toEqual([]);
  });

  it("asks the author first, then other peers, only for what is still missing", async () => {
    const { deps, asked, reported } = network({
      local: [0],
      peers: { other: [2, 3, 4], author: [1], liar: "lies", down: "fails" },
    });
    const r = await rebuildBlock(COMPACT, "author", deps);
    expect(r.kind === "block" && bytesEqual(r.bytes, BLOCK) && r.fetched).toBe(4);
    // Peers in the order given after the author: other, liar, down; `other` had all that was left.
    expect(asked).toEqual([
      { peer: "author", n: 4 },
      { peer: "other", n: 3 },
    ]);
    expect(reported).toEqual([]);
  });

  it("reports a peer whose txs are not the ones asked for, and passes over one that fails", async () => {
    const { deps, asked, reported } = network({
      local: [],
      peers: { liar: "lies", down: "fails", good: [0, 1, 2, 3, 4] },
    });
    const r = await rebuildBlock(COMPACT, "absent-author", deps);
    expect(r.kind).toBe("block");
    expect(asked.map((a) => a.peer)).toEqual(["liar", "down", "good"]);
    expect(reported).toEqual(["liar"]);
  });

  it("asks in requests of at most maxTxsPerRequest txs", async () => {
    const { deps, asked } = network({ local: [], peers: { author: [0, 1, 2, 3, 4] }, maxTxsPerRequest: 2 });
    expect((await rebuildBlock(COMPACT, "author", deps)).kind).toBe("block");
    expect(asked.map((a) => a.n)).toEqual([2, 2, 1]);
  });

  it("asks again later, and takes txs that gossip brought meanwhile", async () => {
    const net = network({ local: [0, 1, 2], peers: { author: [3] } });
    let tries = 0;
    const deps: RebuildDeps = {
      ...net.deps,
      retryDelaysMs: [5, 5],
      peersToAsk: (a) => {
        tries++;
        return net.deps.peersToAsk(a);
      },
      // tx 4 arrives by gossip while the first try runs
      find: (h) => (tries >= 1 && bytesEqual(h, sha256(TXS[4]!)) ? TXS[4] : net.deps.find(h)),
    };
    const r = await rebuildBlock(COMPACT, "author", deps);
    expect(r.kind === "block" && bytesEqual(r.bytes, BLOCK)).toBe(true);
    expect(tries).toBe(1);
  });

  it("gives up, counting what is missing, when no peer has the txs after every try", async () => {
    // The author is not a neighbour: the neighbours may be fetching the txs themselves.
    const net = network({ local: [0, 1], peers: { relay: [2] } });
    const r = await rebuildBlock(COMPACT, "absent-author", { ...net.deps, retryDelaysMs: [1, 1] });
    expect(r).toEqual({ kind: "incomplete", missing: 2 });
    expect(net.asked).toEqual([
      { peer: "relay", n: 3 },
      { peer: "relay", n: 2 },
      { peer: "relay", n: 2 },
    ]);
  });

  it("blames an author that answers without the txs of its own block", async () => {
    const net = network({ local: [0, 1], peers: { author: [2], relay: [] } });
    const r = await rebuildBlock(COMPACT, "author", { ...net.deps, retryDelaysMs: [1] });
    expect(r).toEqual({ kind: "bad", reason: "its author does not have 2 of its txs" });
    // An author that fails to answer is not blamed: it may be slow or gone.
    const down = network({ local: [0, 1], peers: { author: "fails" } });
    expect(await rebuildBlock(COMPACT, "author", down.deps)).toEqual({ kind: "incomplete", missing: 3 });
  });

  it("refuses a malformed compact block and one that rebuilds larger than the block limit", async () => {
    const { deps } = network({ local: [0, 1, 2, 3, 4], peers: {} });
    expect((await rebuildBlock(Uint8Array.of(0x0a, 0x09), "author", deps)).kind).toBe("bad");
    const small = network({ local: [0, 1, 2, 3, 4], peers: {}, maxBlockBytes: 500 });
    const r = await rebuildBlock(COMPACT, "author", small.deps);
    expect(r.kind === "bad" && r.reason).toMatch(/limit 500/);
  });
});
