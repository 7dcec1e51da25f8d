// The node's query APIs under load, against one real node process (1 validator, 1 s blocks):
// JSON-RPC requests/s for chain_status and chain_getBlock and gRPC requests/s for GetStatus and
// GetBlock, each with 64 requests in flight; a bare Node HTTP server (its own process) answering a
// fixed JSON body of chain_status's size to the same client, as the ceiling; then the WebSocket
// fan-out of each block to 200 `blocks` subscribers: delivery delay and the node's CPU.
//
// The request load comes from KYOCHI_BENCH_API_CLIENTS separate processes (api-load-client.ts), so
// the client side is not one event loop that saturates before the server does; they share the
// machine's cores with the node, as co-located clients would. Responses are parsed (JSON) or
// decoded (protobuf) on receipt, so both APIs pay the same client-side cost. chain_getBlock / GetBlock walk the heights stored when the phase starts.
// Delivery delay is measured two ways: from the block header's time (the proposer's clock, the same
// machine's clock here; it includes the consensus round after the proposal) and from the first
// subscriber's receipt of that height (the spread of one fan-out).
//
// Env: KYOCHI_BENCH_API_SECONDS (seconds per request phase, default 5), KYOCHI_BENCH_API_CONCURRENCY
// (requests in flight in all, default 64), KYOCHI_BENCH_API_CLIENTS (client processes, default 2), KYOCHI_BENCH_WS_SUBSCRIBERS (default 200), KYOCHI_BENCH_WS_BLOCKS
// (blocks observed in the fan-out, and with no subscribers as the CPU baseline, default 20),
// KYOCHI_BENCH_BLOCK_MS (timeout_commit, default 1000), KYOCHI_BENCH_QUICK=1 (2 s phases, 5 blocks).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { initDevnet } from "../../node/init.js";
import { type LoadReport, type LoadSpec, postJson } from "./api-load-client.js";
import { fmt } from "./format.js";
import { freePort } from "./free-port.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const SECONDS = Number(process.env.KYOCHI_BENCH_API_SECONDS ?? (QUICK ? 2 : 5));
const CONCURRENCY = Number(process.env.KYOCHI_BENCH_API_CONCURRENCY ?? 64);
const CLIENTS = Number(process.env.KYOCHI_BENCH_API_CLIENTS ?? 2);
const SUBSCRIBERS = Number(process.env.KYOCHI_BENCH_WS_SUBSCRIBERS ?? 200);
const WS_BLOCKS = Number(process.env.KYOCHI_BENCH_WS_BLOCKS ?? (QUICK ? 5 : 20));
const BLOCK_MS = Number(process.env.KYOCHI_BENCH_BLOCK_MS ?? 1000);
const CLI = resolve(import.meta.dirname, "..", "..", "node", "cli", "main.js");
const LOAD_CLIENT = resolve(import.meta.dirname, "api-load-client.js");
/** Time for the client processes to start, load their modules and warm up before the clock. */
const CLIENT_START_MS = 3_000;
const CLIENT_WARMUP_MS = 1_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux; 0 elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await sleep(50);
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

function spawnKept(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
  const output: string[] = [];
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, output };
}

// ---- this process's own calls (status polling) ----

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

const post = (url: URL, body: string) => postJson(agent, url, body);

interface LoadResult {
  ok: number;
  failed: number;
  rate: number;
  p50: number;
  p99: number;
  /** Cores busy in the server process over the phase. */
  serverCpu: number;
}

function runClient(spec: LoadSpec): Promise<LoadReport> {
  const child = spawn(process.execPath, [LOAD_CLIENT, JSON.stringify(spec)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (d: Buffer) => out.push(d));
  child.stderr.on("data", (d: Buffer) => err.push(d));
  return new Promise((ok, fail) => {
    child.on("error", fail);
    child.on("exit", (code) => {
      if (code !== 0) return fail(new Error(`bench: load client exited ${code}: ${Buffer.concat(err)}`));
      ok(JSON.parse(Buffer.concat(out).toString("utf8")) as LoadReport);
    });
  });
}

/**
 * CONCURRENCY requests in flight, split over CLIENTS processes, against one target for SECONDS;
 * the server's CPU is read over the same window.
 */
async function load(
  spec: Omit<LoadSpec, "concurrency" | "seconds" | "startAt" | "warmupMs">,
  serverPid: number | undefined,
): Promise<LoadResult> {
  const startAt = Date.now() + CLIENT_START_MS + CLIENT_WARMUP_MS;
  const reports = Promise.all(
    Array.from({ length: CLIENTS }, (_, c) =>
      runClient({
        ...spec,
        concurrency: Math.floor(CONCURRENCY / CLIENTS) + (c < CONCURRENCY % CLIENTS ? 1 : 0),
        seconds: SECONDS,
        startAt,
        warmupMs: CLIENT_WARMUP_MS,
      }),
    ),
  );
  await sleep(startAt - Date.now());
  const cpu0 = cpuSeconds(serverPid);
  await sleep(SECONDS * 1000);
  const serverCpu = (cpuSeconds(serverPid) - cpu0) / SECONDS;
  const all = await reports;
  const latencies = all.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    ok: latencies.length,
    failed: all.reduce((n, r) => n + r.failed, 0),
    rate: latencies.length / SECONDS,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    serverCpu,
  };
}

// The ceiling: a separate Node process with a plain http server and one fixed JSON body.
const BARE_SERVER = `
const http = require("node:http");
const body = Buffer.from(process.env.BARE_BODY);
http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
}).listen(Number(process.env.BARE_PORT), "127.0.0.1", () => console.log("listening"));
`;

// ---- WebSocket fan-out ----

interface FanOut {
  fromHeader: number[];
  fromFirst: number[];
  missing: number;
  bytes: number;
  cpu: number;
  blocks: number;
}

async function openSubscriber(
  url: string,
  onBlock: (height: number, headerTimeMs: number, bytes: number) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((ok, fail) => {
    ws.once("open", () => ok());
    ws.once("error", fail);
  });
  const subscribed = new Promise<void>((ok, fail) => {
    ws.on("message", (data: Buffer) => {
      const m = JSON.parse(data.toString("utf8")) as {
        id?: number;
        result?: unknown;
        error?: unknown;
        method?: string;
        params?: { result: { height: number; block: { header: { timeMs: number } } } };
      };
      if (m.id === 1) return m.error ? fail(new Error(JSON.stringify(m.error))) : ok();
      if (m.method === "subscription" && m.params)
        onBlock(m.params.result.height, m.params.result.block.header.timeMs, data.length);
    });
  });
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe", params: { kind: "blocks" } }));
  await subscribed;
  return ws;
}

async function fanOut(
  wsUrl: string,
  pid: number | undefined,
  height: () => Promise<number>,
): Promise<FanOut> {
  // Heights whose notifications are measured: the WS_BLOCKS after every subscriber is in.
  let first = Number.POSITIVE_INFINITY;
  let last = Number.POSITIVE_INFINITY;
  const firstSeen = new Map<number, number>();
  const receipts: { height: number; at: number; wall: number; header: number }[] = [];
  let bytes = 0;
  const onBlock = (h: number, header: number, size: number) => {
    const at = performance.now();
    if (!firstSeen.has(h)) firstSeen.set(h, at);
    if (h < first || h > last) return;
    receipts.push({ height: h, at, wall: Date.now(), header });
    bytes += size;
  };
  const sockets: WebSocket[] = [];
  try {
    for (let i = 0; i < SUBSCRIBERS; i += 20) {
      const batch = Math.min(20, SUBSCRIBERS - i);
      sockets.push(
        ...(await Promise.all(Array.from({ length: batch }, () => openSubscriber(wsUrl, onBlock)))),
      );
    }
    const now = await height();
    first = now + 2;
    last = first + WS_BLOCKS - 1;
    // CPU from the commit before `first` to the one of `last`: WS_BLOCKS block intervals.
    await waitFor(async () => (await height()) >= first - 1, 30_000, "the fan-out's first block");
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    await waitFor(
      async () => (await height()) >= last,
      WS_BLOCKS * BLOCK_MS * 3 + 30_000,
      "the fan-out's blocks",
    );
    const cpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    // Notifications of `last` may still be on their way.
    await waitFor(
      async () => receipts.filter((r) => r.height === last).length >= SUBSCRIBERS,
      5_000,
      "the last block's notifications",
    ).catch(() => undefined);
    const fromHeader = receipts.map((r) => r.wall - r.header).sort((a, b) => a - b);
    const fromFirst = receipts.map((r) => r.at - firstSeen.get(r.height)!).sort((a, b) => a - b);
    return {
      fromHeader,
      fromFirst,
      missing: SUBSCRIBERS * WS_BLOCKS - receipts.length,
      bytes: receipts.length ? bytes / receipts.length : 0,
      cpu,
      blocks: WS_BLOCKS,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

/** Cores the node uses over WS_BLOCKS blocks with nobody connected: the fan-out's baseline. */
async function idleCpu(pid: number | undefined, height: () => Promise<number>): Promise<number> {
  const from = (await height()) + 1;
  await waitFor(async () => (await height()) >= from, 30_000, "a block");
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await waitFor(
    async () => (await height()) >= from + WS_BLOCKS,
    WS_BLOCKS * BLOCK_MS * 3 + 30_000,
    "blocks",
  );
  return (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "kyochi-bench-api-"));
  const children: ChildProcess[] = [];
  try {
    const ports = { rpc: await freePort(), p2p: await freePort(), grpc: await freePort() };
    const { nodeHomes } = initDevnet(join(root, "devnet"), {}, { validators: 1, ports: [ports] });
    const node = spawnKept([
      CLI,
      "start",
      "--home",
      nodeHomes[0]!,
      "--rpc.laddr",
      `127.0.0.1:${ports.rpc}`,
      "--grpc.laddr",
      `127.0.0.1:${ports.grpc}`,
      "--p2p.laddr",
      `127.0.0.1:${ports.p2p}`,
      "--consensus.timeout_commit_ms",
      String(BLOCK_MS),
      "--rpc.ws_max_connections_per_ip",
      String(SUBSCRIBERS + 10),
      "--log.level",
      "warn",
    ]);
    children.push(node.child);
    const pid = node.child.pid;
    const rpcUrl = new URL(`http://127.0.0.1:${ports.rpc}/`);
    const status = async () => {
      const res = await post(rpcUrl, JSON.stringify({ jsonrpc: "2.0", id: 0, method: "chain_status" }));
      return {
        text: res.text,
        height: (JSON.parse(res.text) as { result: { latestBlockHeight: number } }).result.latestBlockHeight,
      };
    };
    const height = async () => (await status().catch(() => ({ height: 0 }))).height;
    await waitFor(async () => (await height()) >= 3, 60_000, "the node's first blocks").catch(
      (err: unknown) => {
        console.error(node.output.join(""));
        throw err;
      },
    );

    // ---- the ceiling: fixed body, chain_status's size ----
    const barePort = await freePort();
    const bare = spawnKept(["-e", BARE_SERVER], {
      ...process.env,
      BARE_BODY: (await status()).text,
      BARE_PORT: String(barePort),
    });
    children.push(bare.child);
    const bareUrl = new URL(`http://127.0.0.1:${barePort}/`);
    await waitFor(async () => bare.output.join("").includes("listening"), 10_000, "the bare server");

    console.log(
      `api: 1 validator, ${BLOCK_MS} ms blocks, ${CONCURRENCY} requests in flight from ${CLIENTS} client ` +
        `processes, ${SECONDS} s per phase, ` +
        `node ${process.version}`,
    );
    const heightsAt = async () => Math.max(1, await height());
    const rows: Record<string, string>[] = [];
    const phase = async (api: string, call: string, r: LoadResult) => {
      rows.push({
        api,
        call,
        "req/s": fmt(r.rate),
        "p50 ms": fmt(r.p50, 1),
        "p99 ms": fmt(r.p99, 1),
        failed: fmt(r.failed),
        "server CPU (cores)": fmt(r.serverCpu, 2),
      });
    };

    const http = (address: URL, method: string, top: number) =>
      ({ target: "http", address: address.href, method, top }) as const;
    const grpcAddress = `127.0.0.1:${ports.grpc}`;
    await phase("JSON-RPC", "chain_status", await load(http(rpcUrl, "chain_status", 1), pid));
    await phase(
      "JSON-RPC",
      "chain_getBlock",
      await load(http(rpcUrl, "chain_getBlock", await heightsAt()), pid),
    );
    // The ceiling runs after the JSON-RPC phases, and heads the table.
    await phase(
      "bare http (ceiling)",
      "fixed JSON body",
      await load(http(bareUrl, "chain_status", 1), bare.child.pid),
    );
    bare.child.kill("SIGKILL");
    rows.unshift(rows.pop()!);
    await phase(
      "gRPC",
      "GetStatus",
      await load({ target: "grpc", address: grpcAddress, method: "GetStatus", top: 1 }, pid),
    );
    await phase(
      "gRPC",
      "GetBlock",
      await load({ target: "grpc", address: grpcAddress, method: "GetBlock", top: await heightsAt() }, pid),
    );
    console.table(rows);

    // ---- WebSocket fan-out ----
    const wsUrl = `ws://127.0.0.1:${ports.rpc}/websocket`;
    const idle = await idleCpu(pid, height);
    const f = await fanOut(wsUrl, pid, height);
    console.log(
      `fan-out: ${SUBSCRIBERS} WebSocket subscribers to "blocks" for ${f.blocks} blocks at ${fmt(1000 / BLOCK_MS, 1)} block/s`,
    );
    console.table([
      {
        measure: "notifications delivered",
        value: `${fmt(f.fromHeader.length)} (missing ${fmt(f.missing)})`,
      },
      { measure: "notification size (bytes)", value: fmt(f.bytes) },
      {
        measure: "delay from header time p50 / p99 (ms)",
        value: `${fmt(percentile(f.fromHeader, 50))} / ${fmt(percentile(f.fromHeader, 99))}`,
      },
      {
        measure: "delay from first receipt p50 / p99 (ms)",
        value: `${fmt(percentile(f.fromFirst, 50), 1)} / ${fmt(percentile(f.fromFirst, 99), 1)}`,
      },
      { measure: "node CPU, no subscribers (cores)", value: fmt(idle, 3) },
      { measure: `node CPU, ${SUBSCRIBERS} subscribers (cores)`, value: fmt(f.cpu, 3) },
      { measure: "node CPU per block fanned out (ms)", value: fmt((f.cpu - idle) * BLOCK_MS, 1) },
    ]);
  } finally {
    agent.destroy();
    for (const c of children) c.kill("SIGKILL");
    await sleep(200);
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
