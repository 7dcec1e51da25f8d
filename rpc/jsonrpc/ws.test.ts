// JSON-RPC over a real WebSocket to a server on the in-memory chain: the HTTP methods work
// there too (batches included), and subscriptions deliver exactly what their filters select.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import type {
  BlockNotificationJson,
  EventNotificationJson,
  TxNotificationJson,
} from "../subscriptions/types.js";
import { WsTestClient } from "../subscriptions/ws-test-client.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type { StatusJson } from "../types.js";
import type { JsonRpcFailure, JsonRpcResponse, JsonRpcSuccess } from "./protocol.js";
import { type JsonRpcServer, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-ws-test";

let server: JsonRpcServer;
let chain: MemoryChain;
let alice: SigningKey;
const bob = generateSigningKey(KeyType.KEY_TYPE_ED25519);
const carol = generateSigningKey(KeyType.KEY_TYPE_ED25519);
let aliceNonce = 0;
const clients: WsTestClient[] = [];

const address = (key: SigningKey) => addressFromPublicKey(key.type, key.publicKey);

async function send(to: SigningKey, amount: bigint): Promise<string> {
  const tx = signTx(alice, [bankSendMsg(address(to), amount)], {
    chainId: CHAIN_ID,
    nonce: aliceNonce++,
    fee: 2000n,
    gasLimit: 1000,
  });
  const result = await chain.broadcastTx(tx.bytes);
  expect(result.accepted).toBe(true);
  return `0x${toHex(result.hash)}`;
}

async function connect(path = "/websocket"): Promise<WsTestClient> {
  const client = await WsTestClient.open(`ws://127.0.0.1:${server.port}${path}`);
  clients.push(client);
  return client;
}

function ok<T>(response: JsonRpcResponse): T {
  if ("error" in response) throw new Error(`unexpected error: ${JSON.stringify(response.error)}`);
  return (response as JsonRpcSuccess<T>).result;
}

function err(response: JsonRpcResponse): JsonRpcFailure["error"] {
  expect("error" in response).toBe(true);
  return (response as JsonRpcFailure).error;
}

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  chain = new MemoryChain({ chainId: CHAIN_ID, genesis: [{ address: address(alice), balance: 10n ** 30n }] });
  await chain.commitBlock();
  server = await startJsonRpcServer({ backend: chain, host: "127.0.0.1", port: 0, maxBodyBytes: 64 * 1024 });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

describe("JSON-RPC methods over WebSocket", () => {
  it("answers the HTTP methods, at / and at /websocket", async () => {
    for (const path of ["/", "/websocket"]) {
      const client = await connect(path);
      const status = ok<StatusJson>(await client.request("chain_status"));
      expect(status.chainId).toBe(CHAIN_ID);
      expect(status.latestBlockHeight).toBe(chain.latestHeight());
    }
  });

  it("answers a batch with one response per request", async () => {
    const client = await connect();
    const before = client.received.length;
    client.sendRaw(
      JSON.stringify([
        { jsonrpc: "2.0", id: "a", method: "chain_status" },
        { jsonrpc: "2.0", id: "b", method: "chain_getBlock", params: { height: 1 } },
        { jsonrpc: "2.0", id: "c", method: "no_such_method" },
      ]),
    );
    const batch = (await client.nextNonNotification(before)) as JsonRpcResponse[];
    expect(batch.map((r) => r.id).sort()).toEqual(["a", "b", "c"]);
    const byId = new Map(batch.map((r) => [r.id, r]));
    expect(ok<{ header: { height: number } }>(byId.get("b")!).header.height).toBe(1);
    expect(err(byId.get("c")!).data.code).toBe("METHOD_NOT_FOUND");
  });

  it("answers malformed JSON with PARSE_ERROR and an unknown method with METHOD_NOT_FOUND, and stays open", async () => {
    const client = await connect();
    const before = client.received.length;
    client.sendRaw('{"jsonrpc":"2.0","id":1,"method":');
    const parse = (await client.nextNonNotification(before)) as JsonRpcFailure;
    expect(parse.id).toBeNull();
    expect(parse.error.code).toBe(-32700);
    expect(parse.error.data.code).toBe("PARSE_ERROR");
    const unknown = err(await client.request("chain_doesNotExist"));
    expect(unknown.code).toBe(-32601);
    expect(unknown.data.methods).toContain("subscribe");
    expect(ok<StatusJson>(await client.request("chain_status")).chainId).toBe(CHAIN_ID);
  });

  it("refuses subscribe over plain HTTP: it needs a connection", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { kind: "blocks" } }),
    });
    const body = (await res.json()) as JsonRpcFailure;
    expect(body.error.data.code).toBe("METHOD_NOT_FOUND");
  });
});

describe("subscribe", () => {
  it("delivers every block in order, without a gap, across 100 blocks", async () => {
    const client = await connect();
    const id = await client.subscribe("blocks");
    const first = chain.latestHeight() + 1;
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) await send(bob, 1n);
      await chain.commitBlock();
    }
    await client.until(() => client.resultsOf(id).length >= 100, "100 block notifications");
    const blocks = client.resultsOf<BlockNotificationJson>(id);
    expect(blocks.map((b) => b.height)).toEqual(Array.from({ length: 100 }, (_, i) => first + i));
    for (const b of blocks) {
      const stored = await chain.getBlock(b.height);
      expect(b.block.blockHash).toBe(`0x${toHex(stored!.blockHash)}`);
      expect(b.block.header.height).toBe(b.height);
      expect(b.results.height).toBe(b.height);
      expect(b.block.txs).toHaveLength(b.results.txResults.length);
    }
    // Each block links to the one before it: nothing was skipped or reordered.
    for (let i = 1; i < blocks.length; i++) {
      expect(blocks[i]!.block.header.lastBlockHash).toBe(blocks[i - 1]!.block.blockHash);
    }
    expect(blocks.filter((b) => b.block.txs.length === 1)).toHaveLength(10);
  });

  it("delivers exactly the txs and events its filters select", async () => {
    const client = await connect();
    const carolHex = toHex(address(carol));
    const subs = {
      allTxs: await client.subscribe("txs"),
      bankTxs: await client.subscribe("txs", { module: "bank" }),
      stakingTxs: await client.subscribe("txs", { module: "staking" }),
      toCarol: await client.subscribe("txs", { attribute: { key: "recipient", value: carolHex } }),
      toCarol7: await client.subscribe("txs", {
        eventType: "transfer",
        attribute: [
          { key: "recipient", value: carolHex },
          { key: "amount", value: "7" },
        ],
      }),
      transfers7: await client.subscribe("events", {
        eventType: "transfer",
        attribute: { key: "amount", value: "7" },
      }),
      bankEvents: await client.subscribe("events", { module: "bank" }),
      blockEvents: await client.subscribe("events", { eventType: "block" }),
    };
    const toBob5 = await send(bob, 5n);
    const toCarol7 = await send(carol, 7n);
    const toCarol9 = await send(carol, 9n);
    const h1 = await chain.commitBlock();
    const toBob7 = await send(bob, 7n);
    const h2 = await chain.commitBlock();
    // The block events of both blocks mark the end of what these two blocks deliver.
    await client.until(() => client.resultsOf(subs.blockEvents).length >= 2, "the block events");
    // A request answered after the notifications were queued: everything due has arrived.
    await client.request("chain_status");

    const hashes = (id: string) => client.resultsOf<TxNotificationJson>(id).map((t) => t.hash);
    expect(hashes(subs.allTxs)).toEqual([toBob5, toCarol7, toCarol9, toBob7]);
    expect(hashes(subs.bankTxs)).toEqual([toBob5, toCarol7, toCarol9, toBob7]);
    expect(hashes(subs.stakingTxs)).toEqual([]);
    expect(hashes(subs.toCarol)).toEqual([toCarol7, toCarol9]);
    expect(hashes(subs.toCarol7)).toEqual([toCarol7]);
    const tx = client.resultsOf<TxNotificationJson>(subs.allTxs)[1]!;
    expect(tx.height).toBe(h1);
    expect(tx.index).toBe(1);
    expect(tx.result.code).toBe(0);
    expect(tx.tx.body?.messages[0]?.type).toBe("kyochi.bank.v1.MsgSend");

    const events7 = client.resultsOf<EventNotificationJson>(subs.transfers7);
    expect(events7.map((e) => [e.height, e.txHash])).toEqual([
      [h1, toCarol7],
      [h2, toBob7],
    ]);
    expect(events7[0]!.source).toBe("tx");
    expect(events7[0]!.event.attributes).toContainEqual({ key: "amount", value: "7" });
    expect(client.resultsOf<EventNotificationJson>(subs.bankEvents).map((e) => e.txHash)).toEqual([
      toBob5,
      toCarol7,
      toCarol9,
      toBob7,
    ]);
    const blockEvents = client.resultsOf<EventNotificationJson>(subs.blockEvents);
    expect(blockEvents.map((e) => [e.height, e.source, e.txHash])).toEqual([
      [h1, "block", undefined],
      [h2, "block", undefined],
    ]);
  });

  it("stops a subscription at unsubscribe, and only that one", async () => {
    const client = await connect();
    const stopped = await client.subscribe("blocks");
    const kept = await client.subscribe("blocks");
    await chain.commitBlock();
    await client.until(() => client.resultsOf(stopped).length === 1, "the first block");
    expect(ok<boolean>(await client.request("unsubscribe", { id: stopped }))).toBe(true);
    for (let i = 0; i < 3; i++) await chain.commitBlock();
    await client.until(() => client.resultsOf(kept).length === 4, "the kept subscription's blocks");
    await client.request("chain_status");
    expect(client.resultsOf(stopped)).toHaveLength(1);
    const again = err(await client.request("unsubscribe", { id: stopped }));
    expect(again.data.code).toBe("NOT_FOUND");
  });

  it("refuses invalid filters with INVALID_PARAMS naming the param and the reason", async () => {
    const client = await connect();
    const cases: [unknown, string, string][] = [
      [{ kind: "blockz" }, "kind", "BAD_VALUE"],
      [{}, "kind", "MISSING"],
      [{ kind: "txs", filter: { module: "nosuch" } }, "filter.module", "BAD_VALUE"],
      [{ kind: "txs", filter: { modul: "bank" } }, "filter.modul", "UNKNOWN_PARAM"],
      [{ kind: "events", filter: { eventType: 5 } }, "filter.eventType", "WRONG_TYPE"],
      [{ kind: "events", filter: { attribute: { key: "amount" } } }, "filter.attribute.value", "MISSING"],
      [{ kind: "events", filter: { attribute: [] } }, "filter.attribute", "OUT_OF_RANGE"],
      [{ kind: "events", filter: "transfer" }, "filter", "WRONG_TYPE"],
      [{ kind: "blocks", filter: { module: "bank" } }, "filter", "CONFLICT"],
      [["blocks"], "params", "NOT_AN_OBJECT"],
    ];
    for (const [params, param, reason] of cases) {
      const error = err(await client.request("subscribe", params));
      expect(error.code, JSON.stringify(params)).toBe(-32602);
      expect(error.data, JSON.stringify(params)).toMatchObject({ code: "INVALID_PARAMS", param, reason });
    }
    expect(err(await client.request("unsubscribe", { id: 1 })).data).toMatchObject({
      param: "id",
      reason: "WRONG_TYPE",
    });
  });
});
