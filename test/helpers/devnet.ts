// Devnets for tests: a one-validator devnet home in a temp dir, created with the same code as
// `kyochi devnet` (createTestDevnet), and a whole `kyochi devnet --validators N` process with its
// node processes (startDevnetProcess).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SigningKey } from "../../crypto/keys.js";
import { defaultConfig } from "../../node/config.js";
import { initDevnet } from "../../node/init.js";
import { Keyring } from "../../node/keyring.js";
import { CLI, freePort, rpc, tempDir, waitFor } from "./process-node.js";

export interface TestDevnet {
  root: string;
  nodeHome: string;
  keys: Record<string, SigningKey>;
  addresses: Record<string, string>;
  /** The validator operator's address (receives fees). */
  operator: string;
}

export function createTestDevnet(prefix: string): TestDevnet {
  const root = tempDir(prefix);
  // p2p on an OS-chosen port: test files run in parallel, and a lone validator has no peers to tell.
  const p2p = { ...defaultConfig().p2p, laddr: "127.0.0.1:0" };
  // gRPC likewise (its default 9090 is one port for every test file).
  const grpc = { ...defaultConfig().grpc, laddr: "127.0.0.1:0" };
  // Metrics likewise (default 26660): in-process nodes read this file, not the test environment.
  const metrics = { ...defaultConfig().metrics, laddr: "127.0.0.1:0" };
  const { nodeHomes, accounts } = initDevnet(root, { p2p, grpc, metrics });
  const nodeHome = nodeHomes[0]!;
  const keyring = new Keyring(join(root, "keyring"));
  const keys: Record<string, SigningKey> = {};
  const addresses: Record<string, string> = {};
  for (const a of accounts) {
    keys[a.name] = keyring.get(a.name);
    addresses[a.name] = a.address;
  }
  const operator = new Keyring(join(nodeHome, "keyring")).show("validator").address;
  return { root, nodeHome, keys, addresses, operator };
}

/** Flags for fast blocks in tests (the default is 1 s). */
export const FAST_BLOCKS = ["--consensus.timeout_commit_ms", "100", "--log.level", "warn"];

export interface DevnetNodeInfo {
  name: string;
  rpcUrl: string;
  /** `<peer id>@<host>:<port>` as printed. */
  p2p: string;
  pid: number;
}

export interface DevnetProcess {
  /** The `kyochi devnet` process (the supervisor). */
  child: ChildProcess;
  /** The devnet directory (--home). */
  home: string;
  nodes: DevnetNodeInfo[];
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `kyochi devnet --home <home> ...args` with node 0 on free ports, and waits until every
 * node it started serves RPC. `args` usually holds --validators and config flags.
 */
export async function startDevnetProcess(home: string, args: string[] = []): Promise<DevnetProcess> {
  // Node 0's ports are chosen when the devnet is created; a reused one keeps those written.
  const ports: string[] = [];
  if (!existsSync(join(home, "node0")) || args.includes("--reset")) {
    const rpcPort = await freePort();
    const p2pPort = await freePort();
    ports.push("--rpc.laddr", `127.0.0.1:${rpcPort}`, "--p2p.laddr", `127.0.0.1:${p2pPort}`);
    // Node 0's gRPC on a port the system picks (the others get free ones from the devnet).
    ports.push("--grpc.laddr", "127.0.0.1:0");
  }
  const child = spawn(process.execPath, [CLI, "devnet", "--home", home, ...ports, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );
  const devnet: DevnetProcess = { child, home, nodes: [], output: () => out, exited };
  try {
    let count = 0;
    await waitFor(
      () => {
        const m = /: (\d+) validator\(s\)/.exec(out);
        count = m ? Number(m[1]) : 0;
        return count > 0 && devnetNodes(out).length === count;
      },
      30_000,
      () => `the devnet did not start its nodes (exit ${String(child.exitCode)}):\n${out.slice(-3000)}`,
    );
    devnet.nodes = devnetNodes(out);
    for (const node of devnet.nodes) {
      await waitFor(
        async () => (await rpc(node.rpcUrl, "chain_status", {}).catch(() => undefined))?.result !== undefined,
        60_000,
        () => `${node.name} did not serve RPC at ${node.rpcUrl}:\n${out.slice(-3000)}`,
      );
    }
  } catch (err) {
    // Leave nothing running behind a failed start.
    killDevnet(devnet);
    throw err;
  }
  return devnet;
}

/** The nodes a devnet's output lists ("Nodes:" lines) joined with their pids ("started" lines). */
export function devnetNodes(out: string): DevnetNodeInfo[] {
  const pids = new Map<string, number>();
  for (const m of out.matchAll(/\[devnet\] (node\d+) started \(pid (\d+)\)/g)) pids.set(m[1]!, Number(m[2]));
  const nodes: DevnetNodeInfo[] = [];
  for (const m of out.matchAll(/^ {2}(node\d+) +RPC (\S+) +p2p (\S+)/gm)) {
    const pid = pids.get(m[1]!);
    if (pid !== undefined) nodes.push({ name: m[1]!, rpcUrl: m[2]!, p2p: m[3]!, pid });
  }
  return nodes;
}

/** Ctrl-C to the devnet; whatever still runs after `timeoutMs` is killed. Resolves with its exit. */
export async function stopDevnet(
  devnet: DevnetProcess,
  timeoutMs = 20_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  if (devnet.child.exitCode === null && devnet.child.signalCode === null) devnet.child.kill("SIGINT");
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    devnet.exited,
    new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  killDevnet(devnet);
  return exit;
}

/** SIGKILL to the devnet process and every node it reported starting (for cleanup after failures). */
export function killDevnet(devnet: DevnetProcess): void {
  for (const node of devnetNodes(devnet.output())) {
    if (processAlive(node.pid)) process.kill(node.pid, "SIGKILL");
  }
  if (devnet.child.exitCode === null && devnet.child.signalCode === null) devnet.child.kill("SIGKILL");
}

/** True while a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // An orphan that exited stays a zombie until its new parent reaps it, and some containers'
  // init never does: a zombie does not run.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}
