// Starts real `kyochi` node processes from the built CLI (dist/), for end-to-end tests.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "..", "..");
export const CLI = join(ROOT, "dist", "node", "cli", "main.js");

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `kyochi-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

// Ports this process has handed out. The kernel may give the same ephemeral port to two
// bind(0) calls once the first socket is closed, and a test that starts several nodes
// asks for several ports before any node binds them.
const handedOut = new Set<number>();

/** A loopback TCP port free now and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await ephemeralPort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

async function ephemeralPort(): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs the CLI to completion and returns its output. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface NodeProcess {
  child: ChildProcess;
  rpcUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `kyochi start --home <home>` with fast blocks on a free RPC port, and p2p on a port the
 * system picks (unless `extraArgs` sets --p2p.laddr), so tests never collide on 26656; gRPC too
 * (unless --grpc.laddr is given), so they never collide on 9090.
 */
export async function startNode(
  home: string,
  extraArgs: string[] = [],
  rpcPort?: number,
): Promise<NodeProcess> {
  const port = rpcPort ?? (await freePort());
  const child = spawn(
    process.execPath,
    [
      CLI,
      "start",
      "--home",
      home,
      "--rpc.laddr",
      `127.0.0.1:${port}`,
      ...(extraArgs.includes("--p2p.laddr") ? [] : ["--p2p.laddr", "127.0.0.1:0"]),
      // gRPC (default 9090) likewise: parallel test files must not collide on it.
      ...(extraArgs.includes("--grpc.laddr") ? [] : ["--grpc.laddr", "127.0.0.1:0"]),
      ...extraArgs,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  const rpcUrl = `http://127.0.0.1:${port}`;
  const node: NodeProcess = { child, rpcUrl, output: () => out, exited };
  await waitFor(
    async () => (await tryRpc(rpcUrl, "chain_status", {})) !== undefined,
    30_000,
    () => `node did not serve RPC:\n${out.slice(-3000)}`,
  );
  return node;
}

export async function stopNode(
  node: NodeProcess,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<number | null> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return node.child.exitCode;
  node.child.kill(signal);
  return await node.exited;
}

export interface RpcResponse {
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string } & Record<string, unknown> };
}

export async function rpcRaw(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

export async function rpc(url: string, method: string, params: unknown): Promise<RpcResponse> {
  const { json } = await rpcRaw(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  return json as RpcResponse;
}

async function tryRpc(url: string, method: string, params: unknown): Promise<RpcResponse | undefined> {
  try {
    return await rpc(url, method, params);
  } catch {
    return undefined;
  }
}

export async function waitFor(
  cond: () => Promise<boolean> | boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out: ${describe()}`);
}

export async function latestHeight(url: string): Promise<number> {
  const res = await rpc(url, "chain_status", {});
  const status = res.result as { latestBlockHeight?: number } | undefined;
  return Number(status?.latestBlockHeight ?? 0);
}

export async function waitForHeight(url: string, height: number, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => (await latestHeight(url).catch(() => 0)) >= height,
    timeoutMs,
    () => `height ${height} at ${url}`,
  );
}
