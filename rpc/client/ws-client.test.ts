// The SDK's WebSocket client against a real server on the in-memory chain: calls, block
// subscriptions in order, filtered event subscriptions, unsubscribe, and typed errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { generateSigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { type JsonRpcServer, startJsonRpcServer } from "../jsonrpc/server.js";
import type { BlockNotificationJson, EventNotificationJson } from "../subscriptions/types.js";
import { MemoryChain } from "../testing/memory-chain.js";
import { RpcClientError } from "./errors.js";
import { bankSendMsg, signTx } from "./tx-builder.js";
import { KyochiWsClient } from "./ws-client.js";

const CHAIN_ID = "kyochi-ws-sdk";
const alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
const bob = generateSigningKey(KeyType.KEY_TYPE_ED25519);
const address = (key: typeof alice) => addressFromPublicKey(key.type, key.publicKey);
let chain: MemoryChain;
let server: JsonRpcServer;
let client: KyochiWsClient;

const until = async (cond: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeAll(async () => {
  chain = new MemoryChain({ chainId: CHAIN_ID, genesis: [{ address: address(alice), balance: 10n ** 20n }] });
  await chain.commitBlock();
  server = await startJsonRpcServer({ backend: chain, host: "127.0.0.1", port: 0, maxBodyBytes: 64 * 1024 });
  client = await KyochiWsClient.connect(`ws://127.0.0.1:${server.port}/websocket`);
});

afterAll(async () => {
  client.close();
  await server.close();
});

describe("KyochiWsClient (rpc/client)", () => {
  it("calls methods and delivers every block of a subscription in order, until unsubscribed", async () => {
    expect((await client.call("chain_status", {})).chainId).toBe(CHAIN_ID);
    const heights: number[] = [];
    const id = await client.subscribe("blocks", (b: BlockNotificationJson) => heights.push(b.height));
    const from = chain.latestHeight();
    for (let i = 0; i < 20; i++) await chain.commitBlock();
    await until(() => heights.length === 20, "20 blocks");
    expect(heights).toEqual(Array.from({ length: 20 }, (_, i) => from + 1 + i));
    await client.unsubscribe(id);
    await chain.commitBlock();
    await new Promise((r) => setTimeout(r, 50));
    expect(heights).toHaveLength(20);
  });

  it("delivers only the events its filter selects", async () => {
    // The in-memory chain names accounts by hex in its events.
    const bobHex = toHex(address(bob));
    const got: EventNotificationJson[] = [];
    await client.subscribe("events", (e: EventNotificationJson) => got.push(e), {
      eventType: "transfer",
      attribute: { key: "recipient", value: bobHex },
    });
    const tx = signTx(alice, [bankSendMsg(address(bob), 77n)], {
      chainId: CHAIN_ID,
      nonce: 0,
      fee: 2000n,
      gasLimit: 1000,
    });
    expect((await chain.broadcastTx(tx.bytes)).accepted).toBe(true);
    await chain.commitBlock();
    await until(() => got.length > 0, "the transfer event");
    expect(got).toHaveLength(1);
    expect(got[0]!.event.type).toBe("transfer");
  });

  it("rejects a bad subscription with the node's typed error, and calls after close", async () => {
    const refused = await client
      .subscribe("events", () => {}, { eventType: "" })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(refused).toBeInstanceOf(RpcClientError);
    expect((refused as RpcClientError).kyochiCode).toBe("INVALID_PARAMS");
    const other = await KyochiWsClient.connect(`ws://127.0.0.1:${server.port}/websocket`);
    const closed = new Promise<number>((r) => {
      other.onClose = (code) => r(code);
    });
    other.close();
    expect(await closed).toBe(1000);
    await expect(other.call("chain_status", {})).rejects.toBeInstanceOf(RpcClientError);
  });
});
