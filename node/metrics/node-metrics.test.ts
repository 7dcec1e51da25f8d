// NodeMetrics and its HTTP server without a node: block intervals come from header times (never
// the local clock) and only between consecutive heights, values are read from the sources at
// scrape time, and two nodes in one process keep separate registries.
import { afterEach, describe, expect, it } from "vitest";
import { type MetricsSources, NodeMetrics } from "./node-metrics.js";
import { type MetricsServer, startMetricsServer } from "./server.js";

const servers: MetricsServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

function sources(
  over: Partial<{ height: number; round: number; txs: number; bytes: number; peers: number }> = {},
) {
  const state = { height: 0, round: 0, txs: 0, bytes: 0, peers: 0, ...over };
  const s: MetricsSources = {
    consensus: () => ({ lastHeight: state.height, round: state.round }),
    mempool: () => ({ txs: state.txs, bytes: state.bytes }),
    peers: () => state.peers,
  };
  return { state, sources: s };
}

function line(text: string, prefix: string): string | undefined {
  return text.split("\n").find((l) => l.startsWith(prefix));
}

describe("NodeMetrics", () => {
  it("measures block intervals by header time, only between consecutive heights", async () => {
    const m = new NodeMetrics({ chainId: "c-1", version: "t", processMetrics: false }, sources().sources);
    const t0 = 1_700_000_000_000;
    m.observeBlock({ height: 5, timeMs: t0, txs: 2, sizeBytes: 300 });
    m.observeBlock({ height: 6, timeMs: t0 + 1_500, txs: 0, sizeBytes: 120 });
    // Height 8 after 6 (7 was not seen): no interval, not 2 blocks' worth counted as one.
    m.observeBlock({ height: 8, timeMs: t0 + 60_000, txs: 3, sizeBytes: 500 });
    const { body } = await m.render();
    expect(line(body, 'kyochi_consensus_block_interval_seconds_count{chain_id="c-1"}')).toMatch(/ 1$/);
    expect(line(body, 'kyochi_consensus_block_interval_seconds_sum{chain_id="c-1"}')).toMatch(/ 1\.5$/);
    expect(line(body, 'kyochi_consensus_block_interval_seconds_bucket{le="1",chain_id="c-1"}')).toMatch(
      / 0$/,
    );
    expect(line(body, 'kyochi_consensus_block_interval_seconds_bucket{le="2",chain_id="c-1"}')).toMatch(
      / 1$/,
    );
    expect(line(body, 'kyochi_consensus_txs_total{chain_id="c-1"}')).toMatch(/ 5$/);
    expect(line(body, 'kyochi_consensus_num_txs{chain_id="c-1"}')).toMatch(/ 3$/);
    expect(line(body, 'kyochi_consensus_block_size_bytes{chain_id="c-1"}')).toMatch(/ 500$/);
  });

  it("takes the interval to the first block after a restart from the seeded last block", async () => {
    const m = new NodeMetrics({ chainId: "c-1", version: "t", processMetrics: false }, sources().sources);
    m.seedLastBlock(9, 10_000);
    m.observeBlock({ height: 10, timeMs: 13_000, txs: 0, sizeBytes: 100 });
    const { body } = await m.render();
    expect(line(body, 'kyochi_consensus_block_interval_seconds_sum{chain_id="c-1"}')).toMatch(/ 3$/);
  });

  it("reads height, round, mempool and peers when scraped", async () => {
    const { state, sources: s } = sources({ height: 3 });
    const m = new NodeMetrics({ chainId: "c-1", version: "t", processMetrics: false }, s);
    expect(line((await m.render()).body, "kyochi_consensus_height{")).toMatch(/ 3$/);
    Object.assign(state, { height: 7, round: 2, txs: 4, bytes: 900, peers: 5 });
    const { body } = await m.render();
    expect(line(body, "kyochi_consensus_height{")).toMatch(/ 7$/);
    expect(line(body, "kyochi_consensus_round{")).toMatch(/ 2$/);
    expect(line(body, "kyochi_mempool_size{")).toMatch(/ 4$/);
    expect(line(body, "kyochi_mempool_size_bytes{")).toMatch(/ 900$/);
    expect(line(body, "kyochi_p2p_peers{")).toMatch(/ 5$/);
  });

  it("keeps two nodes' metrics apart in one process", async () => {
    const a = new NodeMetrics({ chainId: "chain-a", version: "t" }, sources({ height: 1 }).sources);
    const b = new NodeMetrics({ chainId: "chain-b", version: "t" }, sources({ height: 2 }).sources);
    a.observeRpcRequest("chain_status", 0, 0.001);
    a.observeRpcRequest("chain_status", -32602, 0.001);
    b.observeMempoolRejection("MEMPOOL_FULL");
    const [textA, textB] = [(await a.render()).body, (await b.render()).body];
    expect(line(textA, 'kyochi_consensus_height{chain_id="chain-a"}')).toMatch(/ 1$/);
    expect(line(textB, 'kyochi_consensus_height{chain_id="chain-b"}')).toMatch(/ 2$/);
    expect(textA).not.toContain("chain-b");
    expect(textB).not.toContain("chain-a");
    expect(line(textA, 'kyochi_rpc_requests_total{method="chain_status",result="ok"')).toMatch(/ 1$/);
    expect(line(textA, 'kyochi_rpc_requests_total{method="chain_status",result="-32602"')).toMatch(/ 1$/);
    expect(textB).not.toContain("kyochi_rpc_requests_total{");
    expect(line(textB, 'kyochi_mempool_rejected_txs_total{reason="MEMPOOL_FULL"')).toMatch(/ 1$/);
    // Process metrics in both, under the prefix.
    expect(textA).toContain("kyochi_process_cpu_seconds_total");
    expect(textB).toContain("kyochi_nodejs_heap_size_used_bytes");
  });

  it("tells whether this node is a validator and counts its missed blocks", async () => {
    const m = new NodeMetrics({ chainId: "c", version: "t", processMetrics: false }, sources().sources);
    m.observeValidatorSet({ count: 4, totalPower: 40, ownPower: undefined });
    let body = (await m.render()).body;
    expect(line(body, "kyochi_consensus_is_validator{")).toMatch(/ 0$/);
    expect(line(body, "kyochi_consensus_validators{")).toMatch(/ 4$/);
    m.observeValidatorSet({ count: 4, totalPower: 40, ownPower: 10 });
    m.observeMissedBlock();
    body = (await m.render()).body;
    expect(line(body, "kyochi_consensus_is_validator{")).toMatch(/ 1$/);
    expect(line(body, "kyochi_consensus_validator_power{")).toMatch(/ 10$/);
    expect(line(body, "kyochi_consensus_validators_power{")).toMatch(/ 40$/);
    expect(line(body, "kyochi_consensus_validator_missed_blocks_total{")).toMatch(/ 1$/);
  });
});

describe("metrics server", () => {
  it("serves GET and HEAD /metrics, 404 elsewhere, and 500 when rendering fails", async () => {
    let fail = false;
    const server = await startMetricsServer({
      render: async () => {
        if (fail) throw new Error("boom");
        return { contentType: "text/plain; version=0.0.4; charset=utf-8", body: "kyochi_x 1\n" };
      },
      host: "127.0.0.1",
      port: 0,
    });
    servers.push(server);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const get = await fetch(`${server.url}?name[]=x`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe("kyochi_x 1\n");
    const head = await fetch(server.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("11");
    expect((await fetch(`http://127.0.0.1:${server.port}/metricz`)).status).toBe(404);
    fail = true;
    expect((await fetch(server.url)).status).toBe(500);
  });

  it("frees its port when closed", async () => {
    const server = await startMetricsServer({
      render: async () => ({ contentType: "text/plain", body: "" }),
      host: "127.0.0.1",
      port: 0,
    });
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
    const again = await startMetricsServer({
      render: async () => ({ contentType: "text/plain", body: "" }),
      host: "127.0.0.1",
      port: server.port,
    });
    servers.push(again);
    expect(again.port).toBe(server.port);
  });
});
