// `kyochi devnet --validators N`: N validator homes sharing one genesis under --home (created on
// first start, reused after), then one `kyochi start` process per home on loopback ports, their
// logs streamed with a `[nodeI]` prefix, and all of them stopped together on Ctrl-C. A node that
// dies on its own is reported with its last log lines and the others are stopped.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { configKeys, defaultConfig, loadConfig, parseHostPort } from "../config.js";
import { DEV_CA_FILE } from "../devnet-attestation.js";
import { NodeError } from "../errors.js";
import {
  DEVNET_CHAIN_ID,
  DEVNET_WORKER_NAMES,
  type DevnetNode,
  devnetAccounts,
  findFreePorts,
  initDevnet,
  parseValidatorCount,
  readDevnet,
} from "../init.js";
import { NODE_V8_FLAGS, verifyThreadsPerNode } from "../runtime-flags.js";
import { stopWithParentEnv } from "./parent-watchdog.js";
import { addConfigFlags, configFromFlags } from "./start.js";

type Flags = Record<string, string | boolean | undefined> & {
  home: string;
  validators?: string;
  workers: string;
  reset?: boolean;
};

export const DEFAULT_DEVNET_VALIDATORS = 4;
export const DEFAULT_DEVNET_WORKERS = 1;
/** How long the nodes get to stop after SIGTERM before they are killed. */
export const STOP_TIMEOUT_MS = 10_000;
/** Log lines kept per node, printed when it dies. */
const LAST_LINES = 20;
/** Flags that name one node's own address: they go to node 0 only. */
const NODE0_ONLY_FLAGS = new Set([
  "rpc.laddr",
  "p2p.laddr",
  "p2p.external_address",
  "grpc.laddr",
  "metrics.laddr",
]);
// A second Ctrl-C within this window is the terminal's and npm's copy of the first one.
const SAME_SIGNAL_WINDOW_MS = 1000;

export function registerDevnetCommand(program: Command): void {
  const cmd = program
    .command("devnet")
    .description(
      "run a local devnet of N validators: homes created in --home on first start (funded dev accounts), reused after",
    )
    .option("--home <dir>", "devnet directory", "./.devnet")
    .option(
      "--validators <n>",
      `number of validators, 1 to 32 (default: ${DEFAULT_DEVNET_VALIDATORS} for a new devnet, the existing count for a reused one)`,
    )
    .option(
      "--workers <n>",
      `GPU worker daemons to run (dev attestation, CPU inference), 0 to ${DEVNET_WORKER_NAMES.length}`,
      String(DEFAULT_DEVNET_WORKERS),
    )
    .option("--reset", "delete the devnet in --home (its keyring and node homes) and create a new one");
  addConfigFlags(cmd).action(async (flags: Flags) => {
    process.exitCode = await runDevnet(flags);
  });
}

async function runDevnet(flags: Flags): Promise<number> {
  const root = resolve(flags.home);
  const wanted = flags.validators === undefined ? undefined : parseValidatorCount(flags.validators);
  const workers = workerCount(flags.workers);
  // Refuse bad config flags before touching the directory (and again below, over node 0's file).
  loadConfig(undefined, process.env, givenConfigFlags(flags));
  if (flags.reset) removeDevnet(root);
  let existing = readDevnet(root);
  if (existing !== undefined && wanted !== undefined && existing.validators !== wanted) {
    throw new NodeError(
      "DEVNET_MISMATCH",
      `${root} holds a devnet of ${existing.validators} validator(s), not ${wanted}; remove the directory or pass --reset`,
    );
  }
  const fresh = existing === undefined;
  if (existing === undefined) {
    const count = wanted ?? DEFAULT_DEVNET_VALIDATORS;
    const defaults = defaultConfig();
    const node0 = {
      rpc: portOf(flags["rpc.laddr"], defaults.rpc.laddr),
      p2p: portOf(flags["p2p.laddr"], defaults.p2p.laddr),
      grpc: portOf(flags["grpc.laddr"], defaults.grpc.laddr),
      metrics: portOf(flags["metrics.laddr"], defaults.metrics.laddr),
    };
    const free = await findFreePorts(4 * (count - 1), [node0.rpc, node0.p2p, node0.grpc, node0.metrics]);
    const ports = [
      node0,
      ...Array.from({ length: count - 1 }, (_, i) => ({
        p2p: free[4 * i]!,
        rpc: free[4 * i + 1]!,
        grpc: free[4 * i + 2]!,
        metrics: free[4 * i + 3]!,
      })),
    ];
    initDevnet(root, {}, { validators: count, ports });
    existing = readDevnet(root)!;
  }
  // Address flags given at run time apply to node 0 (see childFlags): show what it will use.
  const nodes = existing.nodes.map((node, i) =>
    i === 0
      ? {
          ...node,
          rpcLaddr: stringFlag(flags["rpc.laddr"]) ?? node.rpcLaddr,
          p2pLaddr: stringFlag(flags["p2p.laddr"]) ?? node.p2pLaddr,
          grpcLaddr: stringFlag(flags["grpc.laddr"]) ?? node.grpcLaddr,
          metricsLaddr: stringFlag(flags["metrics.laddr"]) ?? node.metricsLaddr,
        }
      : node,
  );
  // A devnet made before gRPC (or metrics) existed has no grpc (metrics) section: every node would
  // take the default port. Nodes after the first whose port another node already has get one the
  // system picks.
  const grpcOverride = sharedPortOverrides(nodes.map((node) => node.grpcLaddr));
  const metricsOverride = sharedPortOverrides(nodes.map((node) => node.metricsLaddr));
  nodes.forEach((_, i) => {
    const grpcLaddr = grpcOverride[i];
    if (grpcLaddr !== undefined) nodes[i] = { ...nodes[i]!, grpcLaddr };
    const metricsLaddr = metricsOverride[i];
    if (metricsLaddr !== undefined) nodes[i] = { ...nodes[i]!, metricsLaddr };
  });
  // Refuse bad config flags here, once, rather than in N children.
  const node0Config = configFromFlags(nodes[0]!.home, flags);
  // A devnet made before workers existed has no dev CA or worker keys: run it without workers.
  const runnable = workersAvailable(root, workers);
  if (runnable < workers) {
    process.stdout.write(
      `[devnet] this devnet has no dev CA or worker keys (made by an older version): running without workers; --reset makes a new one\n`,
    );
  }
  printBanner(root, flags.home, nodes, fresh, runnable, node0Config.metrics.enabled);
  const cli = fileURLToPath(new URL("./main.js", import.meta.url));
  return await superviseNodes([
    ...nodes.map((node, i) => ({
      name: node.name,
      args: [
        ...NODE_V8_FLAGS,
        cli,
        "start",
        "--home",
        node.home,
        ...childFlags(flags, i, nodes.length),
        ...(grpcOverride[i] !== undefined ? ["--grpc.laddr", grpcOverride[i]] : []),
        ...(metricsOverride[i] !== undefined ? ["--metrics.laddr", metricsOverride[i]] : []),
      ],
    })),
    // Worker i follows node i (round robin): their RPC load is spread like a real network's.
    ...DEVNET_WORKER_NAMES.slice(0, runnable).map((name, i) => ({
      name,
      args: [
        cli,
        "worker",
        "--home",
        root,
        "--node",
        `http://${nodes[i % nodes.length]!.rpcLaddr}`,
        "--key",
        name,
        "--register",
        "--evidence",
        "dev",
        "--dev-ca",
        join(root, DEV_CA_FILE),
        "--data-dir",
        join(root, name),
      ],
    })),
  ]);
}

/** How many of the first `wanted` workers this devnet can run (dev CA and keys present). */
function workersAvailable(root: string, wanted: number): number {
  if (!existsSync(join(root, DEV_CA_FILE))) return 0;
  let n = 0;
  while (n < wanted && existsSync(join(root, "keyring", `${DEVNET_WORKER_NAMES[n]}.json`))) n++;
  return n;
}

function workerCount(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) > DEVNET_WORKER_NAMES.length) {
    throw new NodeError(
      "DEVNET_INVALID",
      `--workers must be an integer from 0 to ${DEVNET_WORKER_NAMES.length}, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

/** For each address: port 0 when an earlier one has the same (non-zero) port, else undefined. */
function sharedPortOverrides(laddrs: string[]): (string | undefined)[] {
  return laddrs.map((laddr, i) => {
    const port = parseHostPort(laddr).port;
    const taken = laddrs.slice(0, i).some((other) => parseHostPort(other).port === port);
    return port !== 0 && taken ? "127.0.0.1:0" : undefined;
  });
}

function stringFlag(flag: string | boolean | undefined): string | undefined {
  return typeof flag === "string" ? flag : undefined;
}

/** The port of a `host:port` flag, or of the default. */
function portOf(flag: string | boolean | undefined, fallback: string): number {
  return parseHostPort(typeof flag === "string" ? flag : fallback).port;
}

/** Deletes what a devnet consists of (keyring, dev CA, nodeI and workerI homes), nothing else. */
function removeDevnet(root: string): void {
  rmSync(join(root, "keyring"), { recursive: true, force: true });
  rmSync(join(root, DEV_CA_FILE), { force: true });
  for (const name of DEVNET_WORKER_NAMES) rmSync(join(root, name), { recursive: true, force: true });
  for (let i = 0; existsSync(join(root, `node${i}`)); i++) {
    rmSync(join(root, `node${i}`), { recursive: true, force: true });
  }
}

function givenConfigFlags(flags: Flags): Record<string, string> {
  const given: Record<string, string> = {};
  for (const { path } of configKeys()) {
    const value = flags[path];
    if (typeof value === "string") given[path] = value;
  }
  return given;
}

/**
 * Config flags for node `index` of `count`: all given ones (addresses to node 0 only), pretty logs
 * and a share of the machine's cores for signature checks by default.
 */
function childFlags(flags: Flags, index: number, count: number): string[] {
  const args: string[] = [];
  for (const [path, value] of Object.entries(givenConfigFlags(flags))) {
    if (NODE0_ONLY_FLAGS.has(path) && index !== 0) continue;
    args.push(`--${path}`, value);
  }
  if (typeof flags["log.format"] !== "string") args.push("--log.format", "pretty");
  if (typeof flags["crypto.verify_threads"] !== "string")
    args.push("--crypto.verify_threads", String(verifyThreadsPerNode(count)));
  return args;
}

function printBanner(
  root: string,
  home: string,
  nodes: DevnetNode[],
  fresh: boolean,
  workers: number,
  metrics: boolean,
): void {
  const accounts = devnetAccounts(root);
  const rpcUrl = (node: DevnetNode) => `http://${node.rpcLaddr}`;
  const lines = [
    `Kyochi devnet ${fresh ? "created" : "reused"} in ${root}: ${nodes.length} validator(s), chain ${DEVNET_CHAIN_ID}`,
    "Funded dev accounts (keys in the keyring; use --home with client commands):",
    ...accounts.map((a) => `  ${a.name.padEnd(6)} ${a.address}  balance ${a.balance}  key ${a.keyFile}`),
    "Nodes:",
    ...nodes.map(
      (n) =>
        `  ${n.name.padEnd(6)} RPC ${rpcUrl(n).padEnd(24)} p2p ${n.peerId}@${n.p2pLaddr}  validator ${n.validatorAddress}  gRPC ${n.grpcLaddr}` +
        (metrics ? `  metrics ${n.metricsLaddr}` : ""),
    ),
    ...(workers > 0
      ? [
          `Workers: ${DEVNET_WORKER_NAMES.slice(0, workers).join(", ")} (dev attestation, CPU inference; data in ${root}/workerN)`,
        ]
      : []),
    `JSON-RPC: ${rpcUrl(nodes[0]!)}    e.g. npm run -s kyochi -- tx bank send alice <address> 1000 --home ${home}`,
    `gRPC:     ${nodes[0]!.grpcLaddr}    e.g. grpcurl -plaintext ${nodes[0]!.grpcLaddr} list`,
    ...(metrics ? [`Metrics:  http://${nodes[0]!.metricsLaddr}/metrics    (Prometheus text format)`] : []),
    "Ctrl-C stops every node.",
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

interface NodeSpec {
  name: string;
  args: string[];
}

interface RunningChild {
  name: string;
  proc: ChildProcess;
  lastLines: string[];
  /** Set once the process is gone and its output is read. */
  ended?: { code: number | null; signal: NodeJS.Signals | null };
  closed: Promise<void>;
}

const COLORS = [36, 33, 35, 32, 34, 31];

/**
 * Starts every node and waits until a signal (then stops them all: exit code 0 if all stopped
 * cleanly) or until one dies on its own (then reports it and stops the others: exit code 1).
 */
export async function superviseNodes(
  specs: NodeSpec[],
  opts: { stopTimeoutMs?: number } = {},
): Promise<number> {
  const stopTimeoutMs = opts.stopTimeoutMs ?? STOP_TIMEOUT_MS;
  const color = process.stdout.isTTY === true;
  const say = (line: string) => process.stdout.write(`[devnet] ${line}\n`);
  let wake: () => void = () => {};
  let event: { kind: "signal"; signal: NodeJS.Signals } | { kind: "died"; child: RunningChild } | undefined;
  const settle = (e: NonNullable<typeof event>) => {
    event ??= e;
    wake();
  };

  const children = specs.map((spec, i): RunningChild => {
    // The nodes stop by themselves if this process dies without stopping them (kill -9).
    const proc = spawn(process.execPath, spec.args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...stopWithParentEnv() },
    });
    const label = `[${spec.name}]`;
    const prefix = color ? `\u001b[${COLORS[i % COLORS.length]}m${label}\u001b[0m ` : `${label} `;
    const child: RunningChild = { name: spec.name, proc, lastLines: [], closed: Promise.resolve() };
    const pipeLines = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
      if (stream === null) return;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
        child.lastLines.push(line);
        if (child.lastLines.length > LAST_LINES) child.lastLines.shift();
        out.write(`${prefix}${line}\n`);
      });
    };
    pipeLines(proc.stdout, process.stdout);
    pipeLines(proc.stderr, process.stderr);
    child.closed = new Promise<void>((resolveClosed) => {
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (child.ended !== undefined) return;
        child.ended = { code, signal };
        resolveClosed();
        settle({ kind: "died", child });
      };
      // "close" comes after the process exited and its output streams ended: no line is lost.
      proc.on("close", end);
      proc.on("error", (err) => {
        child.lastLines.push(`failed to start: ${err.message}`);
        end(null, null);
      });
    });
    say(`${spec.name} started (pid ${proc.pid ?? "?"})`);
    return child;
  });

  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      settle({ kind: "signal", signal });
    } else if (now - firstSignalAt > SAME_SIGNAL_WINDOW_MS) {
      say(`second ${signal}: killing every node now`);
      for (const c of children) if (c.ended === undefined) c.proc.kill("SIGKILL");
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await new Promise<void>((r) => {
      wake = r;
      if (event !== undefined) r();
    });
    let failed = false;
    const first = event!;
    if (first.kind === "signal") {
      say(`${first.signal}: stopping ${children.length} node(s)`);
    } else {
      failed = true;
      const { code, signal } = first.child.ended!;
      say(
        `${first.child.name} exited unexpectedly (${signal !== null ? `signal ${signal}` : `exit code ${code}`}); its last log lines:`,
      );
      for (const line of first.child.lastLines) process.stdout.write(`  ${line}\n`);
      say(`stopping the other node(s)`);
    }
    if (await stopAll(children, stopTimeoutMs, say)) failed = true;
    for (const c of children) {
      if (c === (first.kind === "died" ? first.child : undefined)) continue;
      // SIGTERM is how stopAll stops a child, so ending by it is a clean stop: a process that does
      // not trap it, or one already exiting after Ctrl-C reached its whole process group (the
      // worker daemon, whose signal handlers are gone by then).
      if (c.ended?.code !== 0 && c.ended?.signal !== "SIGTERM") failed = true;
    }
    say(failed ? "devnet stopped with errors" : "devnet stopped");
    return failed ? 1 : 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** SIGTERM to every live node, SIGKILL to those still running after the timeout; true if any was killed. */
async function stopAll(
  children: RunningChild[],
  timeoutMs: number,
  say: (line: string) => void,
): Promise<boolean> {
  for (const c of children) if (c.ended === undefined) c.proc.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((r) => {
    timer = setTimeout(() => r("timeout"), timeoutMs);
  });
  const all = Promise.all(children.map((c) => c.closed));
  const outcome = await Promise.race([all, timedOut]);
  clearTimeout(timer);
  if (outcome !== "timeout") return false;
  for (const c of children) {
    if (c.ended !== undefined) continue;
    say(`${c.name} did not stop within ${timeoutMs} ms: killing it`);
    c.proc.kill("SIGKILL");
  }
  await all;
  return true;
}
