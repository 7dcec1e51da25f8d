// Subscriptions against a real node (consensus, LevelDB, the application), started in this
// process with fast blocks: a subscriber sees 100 consecutive blocks in order, linked by their
// hashes, equal to what chain_getBlock serves; a filtered events subscription sees a transfer; a
// subscriber that stops reading is cut off while the node keeps committing and serving.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { loadConfig } from "../../node/config.js";
import { homePaths } from "../../node/home.js";
import { type RunningNode, startNode } from "../../node/node.js";
import { createTestDevnet, type TestDevnet } from "../../test/helpers/devnet.js";
import { removeDir } from "../../test/helpers/process-node.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import type { BlockNotificationJson, EventNotificationJson } from "../subscriptions/types.js";
import { WsTestClient } from "../subscriptions/ws-test-client.js";
import type { AccountJson, BlockJson, BroadcastSyncJson, StatusJson } from "../types.js";
import type { JsonRpcResponse, JsonRpcSuccess } from "./protocol.js";

let net: TestDevnet;
let node: RunningNode;
let client: WsTestClient;
/** The node's warning log lines. */
const warnings: string[] = [];

function ok<T>(response: JsonRpcResponse): T {
  if ("error" in response) throw new Error(`unexpected error: ${JSON.stringify(response.error)}`);
  return (response as JsonRpcSuccess<T>).result;
}

beforeAll(async () => {
  net = createTestDevnet("ws-node");
  const config = loadConfig(homePaths(net.nodeHome).configToml);
  config.consensus.timeout_commit_ms = 10;
  config.rpc.laddr = "127.0.0.1:0";
  // The smallest send queue allowed, so a stalled reader overflows it within seconds.
  config.rpc.ws_send_buffer_bytes = 64 * 1024;
  const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
  node = await startNode(net.nodeHome, config, logger);
  client = await WsTestClient.open(`${node.rpcUrl.replace("http://", "ws://")}/websocket`);
}, 60_000);

afterAll(async () => {
  client?.close();
  await node?.stop();
  if (net) removeDir(net.root);
});

describe("subscriptions on a running node", () => {
  it("deliver 100 consecutive blocks in order, and a transfer's events to a filtered subscriber", async () => {
    const blocksId = await client.subscribe("blocks");
    const bob = net.addresses.bob!;
    const eventsId = await client.subscribe("events", {
      module: "bank",
      eventType: "transfer",
      attribute: { key: "recipient", value: bob },
    });
    const status = ok<StatusJson>(await client.request("chain_status"));
    const alice = ok<AccountJson>(await client.request("account_get", { address: net.addresses.alice }));
    const tx = signTx(net.keys.alice!, [bankSendMsg(decodeAddress(bob), 4321n)], {
      chainId: status.chainId,
      nonce: alice.nonce,
      fee: 100_000n,
      gasLimit: 100_000,
    });
    const sent = ok<BroadcastSyncJson>(await client.request("tx_broadcast", { tx: `0x${toHex(tx.bytes)}` }));

    await client.until(() => client.resultsOf(blocksId).length >= 100, "100 blocks");
    const blocks = client.resultsOf<BlockNotificationJson>(blocksId).slice(0, 100);
    const first = blocks[0]!.height;
    expect(first).toBeGreaterThan(status.latestBlockHeight);
    expect(blocks.map((b) => b.height)).toEqual(Array.from({ length: 100 }, (_, i) => first + i));
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i]!.block.header.lastBlockHash).toBe(blocks[i - 1]!.block.blockHash);
    }
    for (const b of [blocks[0]!, blocks[50]!, blocks[99]!]) {
      const served = ok<BlockJson>(await client.request("chain_getBlock", { height: b.height }));
      expect(served).toEqual(b.block);
    }

    await client.until(() => client.resultsOf(eventsId).length >= 1, "the transfer event");
    const [event] = client.resultsOf<EventNotificationJson>(eventsId);
    expect(event!.txHash).toBe(sent.hash);
    expect(event!.event.attributes).toContainEqual({ key: "amount", value: "4321" });
    const withTx = blocks.find((b) => b.height === event!.height);
    expect(withTx?.block.txs.map((t) => t.hash)).toEqual([sent.hash]);
  });

  it("cut off a subscriber that stops reading, while the node keeps committing and serving", async () => {
    const url = `${node.rpcUrl.replace("http://", "ws://")}/websocket`;
    const slow = await WsTestClient.open(url);
    const steady = await WsTestClient.open(url);
    try {
      // A hundred block subscriptions on one socket whose reader stops: each block goes out a
      // hundred times (about 150 KB), the kernel's socket buffers fill, then the server's queue.
      for (let i = 0; i < 100; i++) await slow.subscribe("blocks");
      const steadyId = await steady.subscribe("blocks");
      slow.ws.pause();
      await steady.until(() => warnings.some((w) => w.includes("too slow")), "the slow subscriber's cut-off");
      // Reading again (within the close grace), the slow client drains what the kernel held and
      // finds the close frame with the reason.
      slow.ws.resume();
      const closed = await slow.closed();
      expect(closed.code).toBe(1008);
      expect(closed.reason).toMatch(/too slow/);
      // The steady subscriber saw every block in order, and the node still answers and commits.
      const heights = steady.resultsOf<BlockNotificationJson>(steadyId).map((b) => b.height);
      expect(heights).toEqual(Array.from({ length: heights.length }, (_, i) => heights[0]! + i));
      const last = heights.at(-1)!;
      await steady.until(
        () => (steady.resultsOf<BlockNotificationJson>(steadyId).at(-1)?.height ?? 0) > last,
        "a block after the cut",
      );
      expect(ok<StatusJson>(await steady.request("chain_status")).latestBlockHeight).toBeGreaterThan(last);
    } finally {
      slow.close();
      steady.close();
    }
  }, 120_000);
});
