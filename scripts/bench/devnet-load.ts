// Four validator processes on loopback (real libp2p, 1 s blocks by default), saturated with signed
// transfers: finalized transfers/s, latency from tx_broadcast to the block that includes it (p50,
// p99), CPU per node process, and then block sync speed of a fresh node catching up on that chain.
//
// The load generator pre-signs every tx before the clock starts, then submits them in JSON-RPC
// batches spread over the four nodes, keeping a bounded number in flight. A tx's latency ends when
// the block holding it is seen through chain_getBlock polling (every 50 ms, tx hashes only), so it
// includes up to one poll interval. Everything runs on this machine's cores: the four nodes, the
// generator and the fresh node share them, which is what the target asks about.
//
// Env: KYOCHI_BENCH_LOAD_SECONDS (measured load, default 20), KYOCHI_BENCH_WARMUP_SECONDS (a first,
// unmeasured phase at 500 tx/s from 1,000 senders of its own, default 10; 0 skips it), KYOCHI_BENCH_SENDERS (default 4,000, half per phase: a sender may run at most tx.max_nonce_gap nonces ahead of the chain, so load needs many senders),
// KYOCHI_BENCH_RATE (offered tx/s at saturation, default 4000), KYOCHI_BENCH_LATENCY_RATE (tx/s
// of the second phase, default half the finalized rate of the first), KYOCHI_BENCH_BLOCK_MS (timeout_commit, default
// 1000), KYOCHI_BENCH_QUICK=1 (8 s of load), KYOCHI_BENCH_NODE_PROF_DIR=DIR (V8 CPU profiles of the
// four nodes, written there when they stop; open them in Chrome DevTools; KYOCHI_BENCH_NODE_PROF_ONLY=i
// profiles only validator i: the profiler's own cost on every node would saturate the cores), KYOCHI_BENCH_SEARCH_INDEX=1
// (the validators also write the explorer indexes behind tx_search; off by default, as validators run),
// KYOCHI_BENCH_NODE_LOG_DIR=DIR (each node's info-level log in DIR/<rpc port>.log: per-block timings).
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { DEVNET_CHAIN_ID, initDevnet } from "../../node/init.js";
import { peerIdOfNodeKeyFile } from "../../node/p2p/peer-id.js";
import { NODE_V8_FLAGS, verifyThreadsPerNode } from "../../node/runtime-flags.js";
import { KeyType } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import { postJson } from "./api-load-client.js";
import { fmt } from "./format.js";
import { freePort } from "./free-port.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const LOAD_SECONDS = Number(process.env.KYOCHI_BENCH_LOAD_SECONDS ?? (QUICK ? 8 : 20));
const SENDERS = Number(process.env.KYOCHI_BENCH_SENDERS ?? 4000);
/**
 * A first phase at a modest rate, reported but not the measure: the measured phases then run on
 * nodes whose hot paths V8 has compiled, as a validator's do after its first minute, rather than
 * on nodes started seconds before (TurboFan had been 18% of a node's CPU early in the first phase).
 */
const WARMUP_SECONDS = Number(process.env.KYOCHI_BENCH_WARMUP_SECONDS ?? (QUICK ? 0 : 10));
const WARMUP_RATE = 500;
/** Senders of the warm-up only, besides SENDERS. */
const WARMUP_SENDERS = WARMUP_SECONDS > 0 ? 1000 : 0;
const RATE = Number(process.env.KYOCHI_BENCH_RATE ?? 4000);
const BLOCK_MS = Number(process.env.KYOCHI_BENCH_BLOCK_MS ?? 1000);
const LATENCY_RATE = Number(process.env.KYOCHI_BENCH_LATENCY_RATE ?? 0);
const PROF_DIR = process.env.KYOCHI_BENCH_NODE_PROF_DIR;
/** With PROF_DIR: profile only the validator at this index, so the others do not pay the profiler's cost. */
const PROF_ONLY = process.env.KYOCHI_BENCH_NODE_PROF_ONLY;
const SEARCH_INDEX = process.env.KYOCHI_BENCH_SEARCH_INDEX === "1";
const LOG_DIR = process.env.KYOCHI_BENCH_NODE_LOG_DIR;
const BATCH = 100;
const MAX_IN_FLIGHT_BATCHES = 64;
/** A tx refused as busy is offered again this much later. */
const RETRY_MS = 100;
const CLI = resolve(import.meta.dirname, "..", "..", "node", "cli", "main.js");

interface SignedHex {
  hex: string;
  hash: string;
}

interface NodeProc {
  child: ChildProcess;
  rpcUrl: string;
  output: string[];
}

// Keep-alive node:http rather than fetch: fetch's per-request machinery (web streams, abort
// signals, headers objects) had made this process spend about 0.2 cores at 1,000 tx/s, CPU taken
// from the nodes under test. Idle sockets are closed after 2 s, before the node's server closes
// them (5 s): a request sent on a socket the server is closing fails with ECONNRESET.
const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT_BATCHES, timeout: 2000 });
const SEND_TRIES = 3;

async function call<T>(url: string, body: unknown): Promise<T> {
  const text = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await postJson(agent, new URL(url), text);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return JSON.parse(res.text) as T;
    } catch (err) {
      // A kept-alive connection the node closed as idle just as it was reused: the request never
      // reached the node, so it is sent again (a lost tx would strand its sender's later nonces
      // in the mempool).
      if ((err as NodeJS.ErrnoException).code !== "ECONNRESET" || attempt >= SEND_TRIES) throw err;
    }
  }
}

async function rpc<T>(url: string, method: string, params: unknown): Promise<T | undefined> {
  try {
    const r = await call<{ result?: T }>(url, { jsonrpc: "2.0", id: 1, method, params });
    return r.result;
  } catch {
    return undefined;
  }
}

async function height(url: string): Promise<number> {
  return (await rpc<{ latestBlockHeight: number }>(url, "chain_status", {}))?.latestBlockHeight ?? 0;
}

async function waitFor(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`bench: timed out waiting for ${what}`);
}

function startNode(home: string, rpcPort: number, args: string[], index: number): NodeProc {
  const profiled = PROF_DIR !== undefined && (PROF_ONLY === undefined || Number(PROF_ONLY) === index);
  const child = spawn(
    process.execPath,
    [
      ...NODE_V8_FLAGS,
      ...(profiled ? ["--cpu-prof", `--cpu-prof-dir=${resolve(PROF_DIR)}`] : []),
      CLI,
      "start",
      "--home",
      home,
      "--rpc.laddr",
      `127.0.0.1:${rpcPort}`,
      "--log.level",
      LOG_DIR !== undefined ? "info" : "warn",
      ...args,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const output: string[] = [];
  const logFile = LOG_DIR !== undefined ? join(resolve(LOG_DIR), `${rpcPort}.log`) : undefined;
  if (logFile !== undefined) mkdirSync(resolve(LOG_DIR!), { recursive: true });
  const keep = (d: Buffer) => {
    output.push(d.toString());
    if (output.length > 200) output.shift();
    if (logFile !== undefined) appendFileSync(logFile, d);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, rpcUrl: `http://127.0.0.1:${rpcPort}`, output };
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux). */
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

/** Idle CPU seconds of the whole machine so far (all cores together), from /proc/stat (Linux). */
function machineIdleSeconds(): number {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/);
    // cpu user nice system idle iowait ...: idle and iowait, in clock ticks of 1/100 s.
    return (Number(fields[4]) + Number(fields[5])) / 100;
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface LoadResult {
  offered: number;
  offeredRate: number;
  rejected: number;
  latencies: number[];
  finalizedRate: number;
  largestBlock: number;
  /** Average cores busy per node process over the phase. */
  cpu: number[];
  /** CPU seconds of every node together over the phase. */
  cpuSeconds: number;
  /** Average cores busy in this (load generator) process over the phase. */
  generatorCpu: number;
  /** Average cores idle on the whole machine over the phase (Linux /proc/stat). */
  idleCores: number;
  /** Why txs were refused, with counts. */
  reasons: Map<string, number>;
  /** Sends of txs a node had refused as busy (MEMPOOL_BUSY). */
  retried: number;
  /**
   * Txs accepted but not in any block 60 s after the load ended (the phase waits for them, so its
   * CPU average then covers idle time too).
   */
  neverIncluded: number;
}

/**
 * Offers `txs` (in order) at `rate` tx/s for `seconds`, in JSON-RPC batches round-robin over the
 * nodes, and follows node 0's blocks until every accepted tx is committed (at most 60 s more).
 */
async function offerLoad(
  nodes: NodeProc[],
  txs: SignedHex[],
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const blocks: { at: number; txs: number }[] = [];
  let watching = true;
  let seen = await height(nodes[0]!.rpcUrl);
  const watcher = (async () => {
    while (watching) {
      const top = await height(nodes[0]!.rpcUrl);
      for (let h = seen + 1; h <= top; h++) {
        // Hashes only: rendering every tx as JSON (and parsing it here) cost node 0 and this
        // process CPU that the nodes under test share.
        const block = await rpc<{ txs: string[] }>(nodes[0]!.rpcUrl, "chain_getBlock", {
          height: h,
          txs: "hashes",
        });
        const now = performance.now();
        let ours = 0;
        for (const hash of block?.txs ?? []) {
          const t = sentAt.get(hash.slice(2));
          if (t === undefined) continue;
          latencies.push(now - t);
          ours++;
        }
        blocks.push({ at: now, txs: ours });
      }
      seen = top;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const cpuBefore = nodes.map((n) => cpuSeconds(n.child.pid));
  const generatorBefore = process.cpuUsage();
  const idleBefore = machineIdleSeconds();
  const start = performance.now();
  const loadEnd = start + seconds * 1000;
  let next = 0;
  let inFlight = 0;
  let rejected = 0;
  const reasons = new Map<string, number>();
  let batchNo = 0;
  // Txs a node refused as busy (MEMPOOL_BUSY): sent again after RETRY_MS, as a client would; their
  // latency still counts from the first send.
  const retry: { tx: SignedHex; at: number }[] = [];
  let retried = 0;
  // New txs go out until the load ends; refused-as-busy ones are sent again after that too (for up
  // to a minute), or a busy answer near the end would leave them neither refused nor included.
  let offerMs: number | undefined;
  const retryEnd = loadEnd + 60_000;
  for (;;) {
    const now = performance.now();
    const offering = now < loadEnd && next < txs.length;
    if (!offering) {
      offerMs ??= now - start;
      if ((retry.length === 0 && inFlight === 0) || now >= retryEnd) break;
    }
    const due = offering ? Math.floor(((now - start) / 1000) * rate) : next;
    const retryDue = retry.length > 0 && retry[0]!.at <= now;
    if ((next >= due && !retryDue) || inFlight >= MAX_IN_FLIGHT_BATCHES) {
      await new Promise((r) => setTimeout(r, 5));
      continue;
    }
    let batch: SignedHex[];
    if (retryDue) {
      batch = retry.splice(0, BATCH).map((r) => r.tx);
      retried += batch.length;
    } else {
      batch = txs.slice(next, Math.min(next + BATCH, due));
      next += batch.length;
      const t = performance.now();
      for (const tx of batch) sentAt.set(tx.hash, t);
    }
    const url = nodes[batchNo++ % nodes.length]!.rpcUrl;
    inFlight++;
    call<
      {
        result?: { accepted?: boolean; codename?: string };
        error?: { message?: string; data?: { code?: string } };
      }[]
    >(
      url,
      batch.map((tx, i) => ({
        jsonrpc: "2.0",
        id: i,
        method: "tx_broadcast",
        params: { tx: tx.hex, mode: "sync" },
      })),
    )
      .then((answers) => {
        answers.forEach((a, i) => {
          if (!a.error && a.result?.accepted !== false) return;
          if (a.error?.data?.code === "MEMPOOL_BUSY") {
            retry.push({ tx: batch[i]!, at: performance.now() + RETRY_MS });
            return;
          }
          rejected++;
          const why = a.result?.codename ?? a.error?.data?.code ?? a.error?.message ?? "error";
          reasons.set(why, (reasons.get(why) ?? 0) + 1);
        });
      })
      .catch((err: unknown) => {
        rejected += batch.length;
        const why = `http: ${(err as Error).message}`;
        reasons.set(why, (reasons.get(why) ?? 0) + batch.length);
      })
      .finally(() => {
        inFlight--;
      });
  }
  offerMs ??= performance.now() - start;
  if (retry.length > 0) {
    rejected += retry.length;
    reasons.set("MEMPOOL_BUSY, still after a minute", retry.length);
  }
  await waitFor(
    async () => inFlight === 0 && latencies.length + rejected >= next,
    60_000,
    "the offered txs",
  ).catch(() => undefined);
  watching = false;
  await watcher;
  const wallMs = performance.now() - start;
  const cpuAfter = nodes.map((n) => cpuSeconds(n.child.pid));
  const generator = process.cpuUsage(generatorBefore);
  const idleCores = (machineIdleSeconds() - idleBefore) / (wallMs / 1000);
  // Finalized rate: txs of the blocks after the first loaded one, over the time between them.
  const loaded = blocks.filter((b) => b.txs > 0);
  const first = loaded[0];
  const last = loaded[loaded.length - 1];
  const finalized = loaded.slice(1).reduce((sum, b) => sum + b.txs, 0);
  return {
    offered: next,
    offeredRate: (next * 1000) / offerMs,
    rejected,
    latencies,
    finalizedRate: first && last && last.at > first.at ? (finalized * 1000) / (last.at - first.at) : 0,
    largestBlock: Math.max(0, ...loaded.map((b) => b.txs)),
    cpu: nodes.map((_, i) => (cpuAfter[i]! - cpuBefore[i]!) / (wallMs / 1000)),
    cpuSeconds: nodes.reduce((sum, _, i) => sum + cpuAfter[i]! - cpuBefore[i]!, 0),
    generatorCpu: (generator.user + generator.system) / 1000 / wallMs,
    idleCores,
    reasons,
    retried,
    neverIncluded: Math.max(0, next - rejected - latencies.length),
  };
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "kyochi-bench-devnet-"));
  const nodes: NodeProc[] = [];
  try {
    // ---- four validators sharing one genesis, plus funded bench senders ----
    const ports: { p2p: number; rpc: number }[] = [];
    for (let i = 0; i < 5; i++) ports.push({ p2p: await freePort(), rpc: await freePort() });
    const { nodes: homes } = initDevnet(
      join(root, "devnet"),
      {},
      { validators: 4, ports: ports.slice(0, 4) },
    );
    const senders: SigningKey[] = Array.from({ length: SENDERS + WARMUP_SENDERS }, () =>
      generateSigningKey(KeyType.KEY_TYPE_ED25519),
    );
    const addresses = senders.map((k) => addressFromPublicKey(k.type, k.publicKey));
    for (const h of homes) {
      const path = join(h.home, "config", "genesis.json");
      const genesis = JSON.parse(readFileSync(path, "utf8")) as {
        app_state: { accounts: { address: string; balance: string }[] };
      };
      for (const a of addresses)
        genesis.app_state.accounts.push({ address: encodeAddress(a), balance: "1000000000000000" });
      writeFileSync(path, JSON.stringify(genesis, null, 2));
    }
    // Enough signed txs for one phase at the offered rate, over half the senders.
    const perSender = Math.ceil((RATE * (LOAD_SECONDS + 5)) / Math.floor(SENDERS / 2));
    const common = [
      "--consensus.timeout_commit_ms",
      String(BLOCK_MS),
      // Room for the whole offered load: a sender's txs wait in nonce order.
      "--mempool.max_per_sender",
      String(perSender + 10),
      "--mempool.max_txs",
      String(Math.max(50_000, RATE * 10)),
      "--rpc.max_batch",
      String(BATCH),
      // Validators, not explorer nodes: without the tx_search indexes unless asked for.
      "--state.search_index",
      String(SEARCH_INDEX),
      // As `kyochi devnet` runs its nodes: the machine's cores shared out for signature checks.
      "--crypto.verify_threads",
      String(verifyThreadsPerNode(4)),
    ];
    for (let i = 0; i < 4; i++) {
      nodes.push(
        startNode(homes[i]!.home, ports[i]!.rpc, ["--p2p.laddr", `127.0.0.1:${ports[i]!.p2p}`, ...common], i),
      );
    }
    await waitFor(
      async () => (await Promise.all(nodes.map((n) => height(n.rpcUrl)))).every((h) => h >= 2),
      90_000,
      "the devnet's first blocks",
    );
    console.log(
      `devnet-load: 4 validators on loopback, ${BLOCK_MS} ms blocks, ${SENDERS} senders, ` +
        `offered ${fmt(RATE)} tx/s for ${LOAD_SECONDS} s, node ${process.version}`,
    );

    // ---- pre-signed transfers: each phase has its own senders, nonces interleaved ----
    const start = performance.now();
    const recipient = addressFromPublicKey(
      KeyType.KEY_TYPE_ED25519,
      generateSigningKey(KeyType.KEY_TYPE_ED25519).publicKey,
    );
    const half = Math.floor(SENDERS / 2);
    const signPhase = (keys: SigningKey[], count = perSender): SignedHex[] => {
      const out: SignedHex[] = [];
      for (let n = 0; n < count; n++) {
        for (const key of keys) {
          const tx = signTx(key, [bankSendMsg(recipient, 1n)], {
            chainId: DEVNET_CHAIN_ID,
            nonce: n,
            fee: 100_000n,
            gasLimit: 100_000,
          });
          out.push({ hex: `0x${toHex(tx.bytes)}`, hash: toHex(tx.hash) });
        }
      }
      return out;
    };
    const phaseTxs = [signPhase(senders.slice(0, half)), signPhase(senders.slice(half, SENDERS))];
    const warmupTxs =
      WARMUP_SENDERS > 0
        ? signPhase(senders.slice(SENDERS), Math.ceil((WARMUP_RATE * WARMUP_SECONDS) / WARMUP_SENDERS))
        : [];
    console.log(
      `signed ${fmt(phaseTxs[0]!.length + phaseTxs[1]!.length + warmupTxs.length)} transfers in ${fmt((performance.now() - start) / 1000, 1)} s (not timed)`,
    );

    // ---- phases: warm-up, saturation, then a sustainable rate for latency ----
    let replayed = 0;
    const phase = async (name: string, txs: SignedHex[], rate: number, seconds: number) => {
      const result = await offerLoad(nodes, txs, rate, seconds);
      replayed += result.latencies.length;
      const lat = result.latencies.sort((a, b) => a - b);
      rows.push({
        phase: name,
        "offered tx/s": fmt(result.offeredRate),
        refused: fmt(result.rejected),
        "busy, sent again": fmt(result.retried),
        "never in a block": fmt(result.neverIncluded),
        "finalized tx/s": fmt(result.finalizedRate),
        "largest block": fmt(result.largestBlock),
        "p50 ms": fmt(percentile(lat, 50)),
        "p99 ms": fmt(percentile(lat, 99)),
        "CPU per node (cores)": result.cpu.map((c) => fmt(c, 2)).join(" "),
        // All four nodes' CPU (idle costs included) over the txs the phase saw committed: a
        // per-tx cost that compares across runs better than throughput on a drifting machine.
        "nodes' CPU µs/tx": fmt((result.cpuSeconds * 1e6) / Math.max(1, result.latencies.length)),
        "generator (cores)": fmt(result.generatorCpu, 2),
        "idle (cores)": fmt(result.idleCores, 2),
      });
      if (result.reasons.size > 0) console.log(`${name}: refused`, Object.fromEntries(result.reasons));
      return result;
    };
    const rows: Record<string, string>[] = [];
    if (warmupTxs.length > 0)
      await phase("warm-up (not the measure)", warmupTxs, WARMUP_RATE, WARMUP_SECONDS);
    const saturated = await phase("saturation", phaseTxs[0]!, RATE, LOAD_SECONDS);
    // Latency is a property of a chain that keeps up: by default offer half of what it finalized.
    const sustainable =
      LATENCY_RATE > 0 ? LATENCY_RATE : Math.max(100, Math.floor(saturated.finalizedRate / 2 / 100) * 100);
    await phase(`below saturation`, phaseTxs[1]!, sustainable, LOAD_SECONDS);
    console.table(rows);

    // ---- block sync: a fresh node catches up on this chain ----
    const followerHome = join(root, "follower");
    const init = spawn(
      process.execPath,
      [CLI, "init", "--home", followerHome, "--chain-id", DEVNET_CHAIN_ID],
      {
        stdio: "ignore",
      },
    );
    await new Promise((r) => init.on("exit", r));
    writeFileSync(
      join(followerHome, "config", "genesis.json"),
      readFileSync(join(homes[0]!.home, "config", "genesis.json")),
    );
    const target = await height(nodes[0]!.rpcUrl);
    const peers = homes
      .map(
        (h, i) =>
          `${peerIdOfNodeKeyFile(join(h.home, "config", "node_key.json"))}@127.0.0.1:${ports[i]!.p2p}`,
      )
      .join(",");
    const syncStart = performance.now();
    const follower = startNode(
      followerHome,
      ports[4]!.rpc,
      ["--p2p.laddr", `127.0.0.1:${ports[4]!.p2p}`, "--p2p.persistent_peers", peers],
      4,
    );
    nodes.push(follower);
    await waitFor(
      async () => (await height(follower.rpcUrl)) >= target,
      300_000,
      "the fresh node to catch up",
    );
    const syncMs = performance.now() - syncStart;
    console.table([
      { measure: "block sync: heights fetched, verified, applied", value: fmt(target) },
      { measure: "block sync: time (s, from process start)", value: fmt(syncMs / 1000, 1) },
      { measure: "block sync: blocks/s", value: fmt((target * 1000) / syncMs, 1) },
      { measure: "block sync: transfers/s replayed", value: fmt((replayed * 1000) / syncMs) },
    ]);
  } finally {
    // A profile is written when the process exits normally: stop the nodes gracefully then.
    if (PROF_DIR !== undefined) {
      await Promise.all(
        nodes.map(
          (n) =>
            new Promise<void>((done) => {
              if (n.child.exitCode !== null) return done();
              n.child.once("exit", () => done());
              n.child.kill("SIGINT");
              setTimeout(done, 15_000).unref();
            }),
        ),
      );
    }
    for (const n of nodes) n.child.kill("SIGKILL");
    agent.destroy();
    await new Promise((r) => setTimeout(r, 200));
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
