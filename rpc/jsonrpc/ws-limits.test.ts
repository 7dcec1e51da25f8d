// The WebSocket endpoint's limits, each on a server configured with a small value: a slow
// subscriber is cut off (1008) while another keeps every block and the server keeps answering;
// too many subscriptions, connections per IP and oversized messages get clear errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import type { RpcLogger } from "../logger.js";
import type { BlockNotificationJson } from "../subscriptions/types.js";
import { UpgradeRefused, WsTestClient, waitFor } from "../subscriptions/ws-test-client.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type { StatusJson } from "../types.js";
import type { JsonRpcFailure, JsonRpcResponse } from "./protocol.js";
import { type JsonRpcServer, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-ws-limits";
const SEND_BUFFER = 1024 * 1024;
const MAX_MESSAGE = 4096;

let server: JsonRpcServer;
let chain: MemoryChain;
let alice: SigningKey;
let aliceNonce = 0;
const clients: WsTestClient[] = [];
const warnings: string[] = [];

const address = (key: SigningKey) => addressFromPublicKey(key.type, key.publicKey);

async function connect(): Promise<WsTestClient> {
  const client = await WsTestClient.open(`ws://127.0.0.1:${server.port}/websocket`);
  clients.push(client);
  return client;
}

function errorOf(response: JsonRpcResponse): JsonRpcFailure["error"] {
  expect("error" in response).toBe(true);
  return (response as JsonRpcFailure).error;
}

/** A block of 10 transfers with 30 KB memos: about 300 KB of JSON per block notification. */
async function commitLargeBlock(): Promise<number> {
  const to = address(generateSigningKey(KeyType.KEY_TYPE_ED25519));
  for (let i = 0; i < 10; i++) {
    const tx = signTx(alice, [bankSendMsg(to, 1n)], {
      chainId: CHAIN_ID,
      nonce: aliceNonce++,
      fee: 2000n,
      gasLimit: 1000,
      memo: `${i}`.padEnd(30_000, "m"),
    });
    expect((await chain.broadcastTx(tx.bytes)).accepted).toBe(true);
  }
  return chain.commitBlock();
}

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  chain = new MemoryChain({ chainId: CHAIN_ID, genesis: [{ address: address(alice), balance: 10n ** 30n }] });
  const ignore = () => {};
  const logger: RpcLogger = {
    debug: ignore,
    info: ignore,
    warn: (_obj, msg) => void warnings.push(msg ?? ""),
    error: ignore,
  };
  server = await startJsonRpcServer({
    backend: chain,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: 64 * 1024,
    websocket: {
      maxSubscriptionsPerConnection: 3,
      maxConnectionsPerIp: 4,
      maxMessageBytes: MAX_MESSAGE,
      maxSendBufferBytes: SEND_BUFFER,
      closeGraceMs: 10_000,
    },
    logger,
  });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
});

describe("WebSocket limits", () => {
  it("cuts off a subscriber that stops reading; another keeps every block and the server keeps working", async () => {
    const slow = await connect();
    const steady = await connect();
    await slow.subscribe("blocks");
    const steadyId = await steady.subscribe("blocks");
    slow.ws.pause();
    const first = chain.latestHeight() + 1;
    let blocks = 0;
    // Kernel socket buffers absorb a few MB before the server's own queue grows past the bound.
    while (!warnings.some((w) => w.includes("too slow")) && blocks < 300) {
      const height = await commitLargeBlock();
      blocks++;
      // The steady subscriber reads everything before the next block.
      await steady.until(
        () => steady.resultsOf<BlockNotificationJson>(steadyId).at(-1)?.height === height,
        `block ${height} at the steady subscriber`,
      );
    }
    expect(warnings.filter((w) => w.includes("too slow"))).toHaveLength(1);
    expect(server.websocketStats().subscriptions).toBe(1);

    // The steady subscriber goes on receiving, in order, and the server answers requests.
    const more = await commitLargeBlock();
    await steady.until(
      () => steady.resultsOf<BlockNotificationJson>(steadyId).at(-1)?.height === more,
      "the block after the cut",
    );
    const heights = steady.resultsOf<BlockNotificationJson>(steadyId).map((b) => b.height);
    expect(heights).toEqual(Array.from({ length: blocks + 1 }, (_, i) => first + i));
    const status = await steady.request("chain_status");
    expect((status as { result: StatusJson }).result.latestBlockHeight).toBe(more);

    // Once it reads again, the slow client finds the close frame with the reason.
    slow.ws.resume();
    const closed = await slow.closed();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/too slow/);
    // What it got before the cut is a gap-free prefix of the chain.
    const got = slow
      .resultsOf<BlockNotificationJson>(slow.notifications[0]?.params.id ?? "")
      .map((b) => b.height);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => first + i));
    expect(got.length).toBeLessThanOrEqual(blocks);
    expect(got.length).toBeLessThan(heights.length);
    await waitFor(() => server.websocketStats().connections === 1, "the slow socket to go");
  });

  it("refuses a subscription beyond the per-connection limit", async () => {
    const client = await connect();
    for (let i = 0; i < 3; i++) await client.subscribe("blocks");
    const error = errorOf(await client.request("subscribe", { kind: "txs" }));
    expect(error.code).toBe(-32600);
    expect(error.data).toMatchObject({ code: "TOO_MANY_SUBSCRIPTIONS", maxSubscriptions: 3 });
    // Unsubscribing makes room again.
    expect((await client.request("unsubscribe", { id: "1" })) as { result: unknown }).toMatchObject({
      result: true,
    });
    expect(typeof (await client.subscribe("txs"))).toBe("string");
    client.close();
  });

  it("refuses a connection beyond the per-IP limit with HTTP 429, and accepts again once one closes", async () => {
    for (const c of clients) c.close();
    await waitFor(() => server.websocketStats().connections === 0, "earlier connections to close");
    const open: WsTestClient[] = [];
    for (let i = 0; i < 4; i++) open.push(await connect());
    const refused = await connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UpgradeRefused);
    expect((refused as UpgradeRefused).status).toBe(429);
    const body = JSON.parse((refused as UpgradeRefused).body) as JsonRpcFailure;
    expect(body.error.data).toMatchObject({ code: "TOO_MANY_CONNECTIONS", maxConnectionsPerIp: 4 });
    open[0]!.close();
    await waitFor(() => server.websocketStats().connections === 3, "a connection to go");
    const again = await connect();
    expect((await again.request("chain_status")) as { result: unknown }).toHaveProperty("result");
    for (const c of open) c.close();
    again.close();
  });

  it("closes a connection that sends a message over the size limit with 1009", async () => {
    await waitFor(() => server.websocketStats().connections === 0, "earlier connections to close");
    const client = await connect();
    client.sendRaw(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "chain_status",
        params: { pad: "x".repeat(MAX_MESSAGE) },
      }),
    );
    const closed = await client.closed();
    expect(closed.code).toBe(1009);
    // The server is fine: a new connection is served.
    const other = await connect();
    expect((await other.request("chain_status")) as { result: unknown }).toHaveProperty("result");
  });

  it("answers an upgrade to another path with 404", async () => {
    const refused = await WsTestClient.open(`ws://127.0.0.1:${server.port}/nope`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((refused as UpgradeRefused).status).toBe(404);
    expect((JSON.parse((refused as UpgradeRefused).body) as JsonRpcFailure).error.data.code).toBe(
      "INVALID_REQUEST",
    );
  });
});
