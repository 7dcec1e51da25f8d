// The JSON-RPC server's load limits against real sockets on 127.0.0.1: the cap on requests handled
// at once (shared by HTTP and WebSocket; tx_broadcast commit waits hold their slot), connections
// per IP (keep-alive sockets count; WebSocket has its own limit) and open connections in all.
// After every refusal the server answers a normal request.
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import { WsTestClient, waitFor } from "../subscriptions/ws-test-client.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type { BroadcastCommitJson } from "../types.js";
import type { JsonRpcFailure } from "./protocol.js";
import { type JsonRpcServer, type JsonRpcServerOptions, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-rpc-limits";

const servers: JsonRpcServer[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const server of servers.splice(0)) await server.close();
});

const address = (key: SigningKey) => addressFromPublicKey(key.type, key.publicKey);

/** A chain where `senders` keys are funded; blocks are committed only when the test says so. */
function fundedChain(senders: number): { chain: MemoryChain; keys: SigningKey[] } {
  const keys = Array.from({ length: senders }, () => generateSigningKey(KeyType.KEY_TYPE_ED25519));
  const chain = new MemoryChain({
    chainId: CHAIN_ID,
    genesis: keys.map((key) => ({ address: address(key), balance: 10n ** 18n })),
  });
  return { chain, keys };
}

async function start(backend: MemoryChain, opts: Partial<JsonRpcServerOptions>): Promise<JsonRpcServer> {
  const server = await startJsonRpcServer({
    backend,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: 64 * 1024,
    ...opts,
  });
  servers.push(server);
  return server;
}

function transferFrom(key: SigningKey): string {
  const to = address(generateSigningKey(KeyType.KEY_TYPE_ED25519));
  const tx = signTx(key, [bankSendMsg(to, 1n)], { chainId: CHAIN_ID, nonce: 0, fee: 2000n, gasLimit: 1000 });
  return `0x${Buffer.from(tx.bytes).toString("hex")}`;
}

const rpc = (method: string, params: unknown = {}, id: unknown = 1) => ({
  jsonrpc: "2.0",
  id,
  method,
  params,
});
const commitBroadcast = (key: SigningKey, id: number) =>
  rpc("tx_broadcast", { tx: transferFrom(key), mode: "commit" }, id);

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as unknown };
}

/** A POST through `agent` (node:http, so the test decides which socket carries it). */
function postVia(
  agent: Agent | false,
  url: string,
  body: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": text.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(Buffer.concat(chunks).toString("utf8")),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/** Two requests at once through a keep-alive agent of two sockets: both stay open, idle, afterwards. */
async function holdIdleKeepAliveSockets(url: string, count: number): Promise<Agent> {
  const agent = new Agent({ keepAlive: true, maxSockets: count });
  cleanups.push(() => agent.destroy());
  const answers = await Promise.all(
    Array.from({ length: count }, (_, i) => postVia(agent, url, rpc("chain_status", {}, i))),
  );
  for (const answer of answers) expect(answer.status).toBe(200);
  expect(Object.values(agent.freeSockets).flat()).toHaveLength(count);
  return agent;
}

function errorOf(reply: unknown): JsonRpcFailure["error"] {
  expect(reply).toHaveProperty("error");
  return (reply as JsonRpcFailure).error;
}

async function expectServing(server: JsonRpcServer): Promise<void> {
  const reply = await post(server.url, rpc("chain_status"));
  expect(reply.status).toBe(200);
  expect(reply.json).toHaveProperty("result.chainId", CHAIN_ID);
}

describe("concurrent requests", () => {
  it("refuses requests over the cap with 503 SERVER_BUSY while commit waits hold HTTP and WebSocket slots", async () => {
    const { chain, keys } = fundedChain(3);
    // Commit waits last up to a minute: only the test's commit ends them.
    const server = await start(chain, { maxConcurrentRequests: 3, commitTimeoutMs: 60_000 });
    const ws = await WsTestClient.open(server.wsUrl);
    cleanups.push(() => ws.close());

    // Two commit waits over HTTP and one over WebSocket: no block is made until the test commits.
    const heldHttp = [
      post(server.url, commitBroadcast(keys[0]!, 1)),
      post(server.url, commitBroadcast(keys[1]!, 2)),
    ];
    const heldWs = ws.request("tx_broadcast", {
      tx: transferFrom(keys[2]!),
      mode: "commit",
      timeoutMs: 60_000,
    });
    await waitFor(() => server.requestsInFlight() === 3, "three commit waits in progress");

    const busy = await post(server.url, rpc("chain_status", {}, "status-1"));
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("1");
    const error = errorOf(busy.json);
    expect(error.code).toBe(-32005);
    expect(error.data).toMatchObject({ code: "SERVER_BUSY", maxConcurrentRequests: 3 });
    expect((busy.json as JsonRpcFailure).id).toBe("status-1");

    // A batch is refused as a whole, with an error per request so each id is answered.
    const batch = await post(server.url, [rpc("chain_status", {}, 7), rpc("chain_status", {}, 8)]);
    expect(batch.status).toBe(503);
    const answers = batch.json as JsonRpcFailure[];
    expect(answers.map((a) => [a.id, a.error.data?.code])).toEqual([
      [7, "SERVER_BUSY"],
      [8, "SERVER_BUSY"],
    ]);

    // Over WebSocket, the same error in the response; the connection stays open.
    expect(errorOf(await ws.request("chain_status")).data).toMatchObject({ code: "SERVER_BUSY" });
    expect(ws.closeEvent).toBeUndefined();

    // Once the block is committed the waits answer, their slots are free and requests pass again.
    const height = await chain.commitBlock();
    for (const held of await Promise.all(heldHttp)) {
      expect(held.status).toBe(200);
      expect((held.json as { result: BroadcastCommitJson }).result).toMatchObject({ mode: "commit", height });
    }
    expect(await heldWs).toHaveProperty("result.height", height);
    expect(server.requestsInFlight()).toBe(0);
    await expectServing(server);
    expect(await ws.request("chain_status")).toHaveProperty("result.chainId", CHAIN_ID);
  });

  it("counts a batch as one request: it passes while one slot is free", async () => {
    const { chain, keys } = fundedChain(1);
    const server = await start(chain, { maxConcurrentRequests: 2, commitTimeoutMs: 60_000 });
    const held = post(server.url, commitBroadcast(keys[0]!, 1));
    await waitFor(() => server.requestsInFlight() === 1, "a commit wait in progress");
    const reply = await post(
      server.url,
      [1, 2, 3, 4, 5].map((id) => rpc("chain_status", {}, id)),
    );
    expect(reply.status).toBe(200);
    expect(
      (reply.json as { id: number; result: unknown }[]).map((r) => [r.id, r.result !== undefined]),
    ).toEqual([1, 2, 3, 4, 5].map((id) => [id, true]));
    await chain.commitBlock();
    expect((await held).status).toBe(200);
  });
});

describe("connections", () => {
  it("answers a connection over the per-IP limit with 429 TOO_MANY_CONNECTIONS; idle keep-alive sockets count", async () => {
    const { chain } = fundedChain(0);
    const server = await start(chain, { maxConnectionsPerIp: 2 });
    const agent = await holdIdleKeepAliveSockets(server.url, 2);

    const refused = await postVia(false, server.url, rpc("chain_status", {}, 5));
    expect(refused.status).toBe(429);
    expect(refused.headers.connection).toBe("close");
    const error = errorOf(refused.json);
    expect(error.code).toBe(-32005);
    expect(error.data).toMatchObject({ code: "TOO_MANY_CONNECTIONS", maxConnectionsPerIp: 2 });
    expect(error.message).toMatch(/127\.0\.0\.1/);

    // The held sockets keep working.
    expect((await postVia(agent, server.url, rpc("chain_status"))).status).toBe(200);
    // Closing them frees the address's count: a new connection is served.
    agent.destroy();
    await untilServed(server);
  });

  it("does not count WebSocket connections against the HTTP limit (they have their own)", async () => {
    const { chain } = fundedChain(0);
    const server = await start(chain, { maxConnectionsPerIp: 2, websocket: { maxConnectionsPerIp: 5 } });
    await holdIdleKeepAliveSockets(server.url, 2);
    const sockets: WsTestClient[] = [];
    for (let i = 0; i < 4; i++) sockets.push(await WsTestClient.open(server.wsUrl));
    cleanups.push(() => {
      for (const ws of sockets) ws.close();
    });
    for (const ws of sockets)
      expect(await ws.request("chain_status")).toHaveProperty("result.chainId", CHAIN_ID);
    expect(server.websocketStats().connections).toBe(4);
  });

  it("closes connections beyond max open connections as soon as they are accepted", async () => {
    const { chain } = fundedChain(0);
    const server = await start(chain, { maxOpenConnections: 2, maxConnectionsPerIp: 10 });
    const agent = await holdIdleKeepAliveSockets(server.url, 2);
    await expect(postVia(false, server.url, rpc("chain_status"))).rejects.toThrow();
    agent.destroy();
    await untilServed(server);
  });
});

/** Retries a fresh-connection request until it is served (the server sees closes a little later). */
async function untilServed(server: JsonRpcServer): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const reply = await postVia(false, server.url, rpc("chain_status")).catch(() => undefined);
    if (reply?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the server never served a new connection");
}
