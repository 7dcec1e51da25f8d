import { describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { Block } from "../../proto/index.js";
import {
  MemoryHub,
  MemorySyncNetwork,
  type TestNode,
  validatorKeys,
  waitForHeight,
} from "../testing/harness.js";
import { kvTx } from "../testing/kv-app.js";
import { useTempNodes } from "../testing/temp-nodes.js";

const temp = useTempNodes("blocksync");

async function chain(
  n: number,
  height: number,
): Promise<{ nodes: TestNode[]; validators: ReturnType<typeof validatorKeys>["validators"] }> {
  const { keys, validators } = validatorKeys(n);
  const hub = new MemoryHub();
  const nodes: TestNode[] = [];
  for (const [i, key] of keys.entries()) {
    const node = await temp.open(`v${i}`, { key, validators, transport: hub.transport(`v${i}`) });
    nodes.push(node);
  }
  for (let i = 0; i < 20; i++) nodes[i % n]!.txs.add(kvTx(`k${i}`, `v${i}`));
  await Promise.all(nodes.map((node) => node.consensus.start()));
  await Promise.all(nodes.map((node) => waitForHeight(node, height)));
  for (const node of nodes) await node.consensus.stop();
  return { nodes, validators };
}

describe("block sync", () => {
  it("a fresh node fetches every block from several peers, verifies the commits, and ends with the same chain", async () => {
    const { nodes, validators } = await chain(4, 40);
    const top = Math.min(...nodes.map((n) => n.blockStore.height));
    const network = new MemorySyncNetwork(Object.fromEntries(nodes.map((n, i) => [`v${i}`, { node: n }])));
    // A follower without a validator key and without consensus peers: only block sync moves it.
    const fresh = await temp.open("fresh", { key: null, validators, syncNetwork: network });
    await fresh.consensus.start();
    await waitForHeight(fresh, top);
    for (let h = 1; h <= top; h++) {
      expect(toHex((await fresh.blockStore.getBlockHash(h))!)).toBe(
        toHex((await nodes[0]!.blockStore.getBlockHash(h))!),
      );
    }
    expect(fresh.app.appHashHex()).toBe(nodes[0]!.app.appHashHex());
    expect([...network.served.values()].filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(network.invalid).toEqual([]);
  });

  it("a peer that serves a tampered block is reported, and the block is taken from another peer", async () => {
    const { nodes, validators } = await chain(4, 12);
    const top = Math.min(...nodes.map((n) => n.blockStore.height));
    const tamper = (block: Block) => Block.create({ ...block, txs: [...block.txs, kvTx("forged", "tx")] });
    const network = new MemorySyncNetwork({
      liar: { node: nodes[0]!, tamper },
      v1: { node: nodes[1]! },
    });
    const fresh = await temp.open("fresh", { key: null, validators, syncNetwork: network });
    await fresh.consensus.start();
    await waitForHeight(fresh, top);
    expect(network.invalid.length).toBeGreaterThan(0);
    expect(network.invalid.every((r) => r.peer === "liar")).toBe(true);
    for (let h = 1; h <= top; h++) {
      const block = (await fresh.blockStore.getBlock(h))!;
      expect(block.txs.some((tx) => Buffer.from(tx).toString() === "forged=tx")).toBe(false);
    }
    expect(fresh.errors).toEqual([]);
  });
});
