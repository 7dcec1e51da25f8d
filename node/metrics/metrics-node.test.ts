// The metrics endpoint of a real node (consensus, LevelDB, the application, JSON-RPC), started in
// this process with fast blocks: after a transfer commits, /metrics shows the height, the tx, the
// RPC requests made (HTTP and WebSocket) and the refusal of a replayed tx; gRPC calls by method and
// status (a stream once it ends); other paths are 404; a node with metrics
// disabled opens no port, and a taken metrics port stops the start with a clear error.
import { createServer, type Server } from "node:net";
import { status as grpcStatus } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { kyochi } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import { failureOf, RawGrpcClient } from "../../rpc/grpc/client-fixture.js";
import { CHAIN_SERVICE, TX_SERVICE } from "../../rpc/grpc/server.js";
import { WsTestClient } from "../../rpc/subscriptions/ws-test-client.js";
import type { AccountJson, StatusJson } from "../../rpc/types.js";
import { createTestDevnet, type TestDevnet } from "../../test/helpers/devnet.js";
import { freePort, removeDir, rpc, waitFor } from "../../test/helpers/process-node.js";
import { loadConfig, type NodeConfig } from "../config.js";
import { homePaths } from "../home.js";
import { createLogger } from "../logger.js";
import { type RunningNode, startNode } from "../node.js";

const silent = createLogger({ level: "silent", format: "json" });
const nets: TestDevnet[] = [];
let net: TestDevnet;
let node: RunningNode;

function fastConfig(home: string): NodeConfig {
  const config = loadConfig(homePaths(home).configToml);
  config.consensus.timeout_commit_ms = 10;
  config.rpc.laddr = "127.0.0.1:0";
  config.metrics.laddr = "127.0.0.1:0";
  return config;
}

function newDevnet(name: string): TestDevnet {
  const created = createTestDevnet(name);
  nets.push(created);
  return created;
}

beforeAll(async () => {
  net = newDevnet("metrics-node");
  node = await startNode(net.nodeHome, fastConfig(net.nodeHome), silent);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  for (const n of nets) removeDir(n.root);
});

/** `name{a="1",b="2"}` with the labels in name order, whatever order the text had. */
function sampleKey(name: string, labels: string): string {
  const pairs = [...labels.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => `${m[1]}="${m[2]}"`);
  return `${name}{${pairs.sort().join(",")}}`;
}

/** The samples of the exposition text, keyed by `sampleKey`. */
async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    samples.set(sampleKey(match[1]!, match[2] ?? ""), Number(match[3]));
  }
  return samples;
}

function ok<T>(response: { result?: unknown; error?: unknown }): T {
  if (response.error !== undefined) throw new Error(`unexpected error: ${JSON.stringify(response.error)}`);
  return response.result as T;
}

describe("the metrics endpoint of a running node", () => {
  it("counts a committed transfer, the RPC requests made and a refused replay", async () => {
    expect(node.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const status = ok<StatusJson>(await rpc(node.rpcUrl, "chain_status", {}));
    let samples = new Map<string, number>();
    const at = (name: string, labels: Record<string, string> = {}) =>
      samples.get(
        sampleKey(
          name,
          Object.entries({ chain_id: status.chainId, ...labels })
            .map(([k, v]) => `${k}="${v}"`)
            .join(","),
        ),
      );
    const alice = ok<AccountJson>(await rpc(node.rpcUrl, "account_get", { address: net.addresses.alice }));
    const tx = signTx(net.keys.alice!, [bankSendMsg(decodeAddress(net.addresses.bob!), 777n)], {
      chainId: status.chainId,
      nonce: alice.nonce,
      fee: 100_000n,
      gasLimit: 100_000,
    });
    const hex = `0x${toHex(tx.bytes)}`;
    const committed = ok<{ height: number }>(
      await rpc(node.rpcUrl, "tx_broadcast", { tx: hex, mode: "commit" }),
    );
    // The same tx again: its nonce is used now, so the mempool refuses it (the app's codename).
    const replay = await rpc(node.rpcUrl, "tx_broadcast", { tx: hex });
    expect(replay.error).toBeDefined();
    const replayReason = replay.error!.data!.code!;
    const missing = await rpc(node.rpcUrl, "no_such_method", {});
    expect(missing.error?.code).toBe(-32601);
    // Over WebSocket too: the same dispatcher, the same counters.
    const ws = await WsTestClient.open(`${node.rpcUrl.replace("http://", "ws://")}/websocket`);
    try {
      expect("result" in (await ws.request("chain_status"))).toBe(true);
    } finally {
      ws.close();
    }

    // The validator set is read from the store after each commit: wait for it to show.
    await waitFor(
      async () => {
        samples = await scrape(node.metricsUrl!);
        return at("kyochi_consensus_validators") === 1;
      },
      10_000,
      () => "the validator set in the metrics",
    );

    expect(at("kyochi_consensus_height")).toBeGreaterThanOrEqual(committed.height);
    expect(at("kyochi_consensus_txs_total")).toBe(1);
    expect(at("kyochi_consensus_block_size_bytes")).toBeGreaterThan(0);
    expect(at("kyochi_consensus_is_validator")).toBe(1);
    expect(at("kyochi_consensus_validators_power")).toBeGreaterThan(0);
    expect(at("kyochi_consensus_validator_missed_blocks_total")).toBe(0);
    // Every block after the first is one interval, timed by header times.
    expect(at("kyochi_consensus_block_interval_seconds_count")).toBeGreaterThan(0);
    expect(at("kyochi_state_commit_duration_seconds_count")).toBeGreaterThanOrEqual(committed.height);
    expect(at("kyochi_mempool_size")).toBe(0);
    expect(at("kyochi_mempool_rejected_txs_total", { reason: replayReason })).toBe(1);
    expect(at("kyochi_p2p_peers")).toBe(0);

    const requests = (method: string, result: string) => at("kyochi_rpc_requests_total", { method, result });
    expect(requests("chain_status", "ok")).toBe(2);
    expect(requests("account_get", "ok")).toBe(1);
    expect(requests("tx_broadcast", "ok")).toBe(1);
    expect(requests("tx_broadcast", String(replay.error!.code))).toBe(1);
    // Unknown names share one label value: clients cannot grow the series.
    expect(requests("unknown", "-32601")).toBe(1);
    expect(at("kyochi_rpc_request_duration_seconds_count", { method: "tx_broadcast" })).toBe(2);

    expect(at("kyochi_process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(at("kyochi_node_info", { version: "0.1.0" })).toBe(1);
  });

  it("counts gRPC calls by method and status name, a stream once it ends", async () => {
    const client = new RawGrpcClient(node.grpcAddress!);
    const chainPb = kyochi.chain.v1;
    const txPb = kyochi.tx.v1;
    try {
      for (let i = 0; i < 2; i++)
        await client.call(
          `/${CHAIN_SERVICE}/GetStatus`,
          chainPb.GetStatusRequest,
          {},
          chainPb.GetStatusResponse,
        );
      const missing = await failureOf(
        client.call(
          `/${TX_SERVICE}/GetTx`,
          txPb.GetTxRequest,
          { hash: new Uint8Array(32) },
          txPb.GetTxResponse,
        ),
      );
      expect(missing.code).toBe(grpcStatus.NOT_FOUND);
      const stream = client.stream(
        `/${CHAIN_SERVICE}/StreamBlocks`,
        chainPb.StreamBlocksRequest.encode({ fromHeight: 1 }).finish(),
      );
      await new Promise<void>((resolve, reject) => {
        stream.once("data", () => {
          stream.cancel();
          resolve();
        });
        stream.on("error", (err: { code: number }) => {
          if (err.code !== grpcStatus.CANCELLED) reject(err);
        });
      });
    } finally {
      client.close();
    }
    const chainId = ok<StatusJson>(await rpc(node.rpcUrl, "chain_status", {})).chainId;
    const calls = (samples: Map<string, number>, method: string, code: string) =>
      samples.get(
        sampleKey("kyochi_grpc_requests_total", `chain_id="${chainId}",code="${code}",method="${method}"`),
      );
    const stream = `/${CHAIN_SERVICE}/StreamBlocks`;
    let samples = new Map<string, number>();
    // The stream's end reaches the server after the client has cancelled it.
    await waitFor(
      async () => {
        samples = await scrape(node.metricsUrl!);
        return calls(samples, stream, "CANCELLED") === 1;
      },
      10_000,
      () => "the cancelled stream in the metrics",
    );
    expect(calls(samples, `/${CHAIN_SERVICE}/GetStatus`, "OK")).toBe(2);
    expect(calls(samples, `/${TX_SERVICE}/GetTx`, "NOT_FOUND")).toBe(1);
    const durations = (method: string) =>
      samples.get(
        sampleKey("kyochi_grpc_request_duration_seconds_count", `chain_id="${chainId}",method="${method}"`),
      );
    expect(durations(`/${CHAIN_SERVICE}/GetStatus`)).toBe(2);
    expect(durations(stream)).toBe(1);
  });

  it("answers 404 on other paths and 405 for other methods", async () => {
    const base = node.metricsUrl!.replace(/\/metrics$/, "");
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/extra`)).status).toBe(404);
    const post = await fetch(node.metricsUrl!, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("metrics configuration of a node", () => {
  it("opens no port when disabled, and refuses a taken port by name", async () => {
    const other = newDevnet("metrics-off");
    const port = await freePort();
    const config = fastConfig(other.nodeHome);
    config.metrics = { enabled: false, laddr: `127.0.0.1:${port}` };
    const off = await startNode(other.nodeHome, config, silent);
    try {
      expect(off.metricsUrl).toBeUndefined();
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    } finally {
      await off.stop();
    }

    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      config.metrics = { enabled: true, laddr: `127.0.0.1:${port}` };
      await expect(startNode(other.nodeHome, config, silent)).rejects.toMatchObject({
        code: "METRICS_ADDRESS_IN_USE",
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 60_000);
});
