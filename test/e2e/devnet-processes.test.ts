// `kyochi devnet --validators 3` as a user runs it: one node process per validator, each serving
// RPC, logs prefixed with the node's name; Ctrl-C stops them all (no process left behind); a
// second run reuses the homes; a node that dies is reported and the others are stopped.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { homePaths } from "../../node/home.js";
import { type DevnetProcess, killDevnet, processAlive, startDevnetProcess } from "../helpers/devnet.js";
import { removeDir, rpc, tempDir, waitFor } from "../helpers/process-node.js";

const root = tempDir("devnet-proc");
const home = join(root, "devnet");
const running: DevnetProcess[] = [];

afterAll(async () => {
  // A failed test must not leave node processes behind.
  for (const devnet of running) killDevnet(devnet);
  removeDir(root);
});

async function start(args: string[]): Promise<DevnetProcess> {
  const devnet = await startDevnetProcess(home, args);
  running.push(devnet);
  return devnet;
}

interface StatusResult {
  chainId: string;
  validatorAddress: string;
}

interface ValidatorsResult {
  total: number;
  validators: { address: string; votingPower: string; proposerPriority: string }[];
}

let firstRun: { p2p: string[]; genesis: string } | undefined;

describe("kyochi devnet --validators 3", () => {
  it("starts 3 nodes that serve RPC, prefixes their logs, and stops them all on SIGINT", {
    timeout: 120_000,
  }, async () => {
    const devnet = await start(["--validators", "3", "--consensus.timeout_commit_ms", "200"]);
    const out = devnet.output();
    expect(out).toMatch(/Kyochi devnet created in .*: 3 validator\(s\), chain kyochi-devnet/);
    expect(devnet.nodes.map((n) => n.name)).toEqual(["node0", "node1", "node2"]);
    expect(new Set(devnet.nodes.map((n) => n.rpcUrl)).size).toBe(3);
    for (const name of ["alice", "bob", "carol", "dave"])
      expect(out).toMatch(new RegExp(`\\n  ${name} +kyo1`));

    const printedValidators = [...out.matchAll(/validator (0x[0-9a-f]{40})/g)].map((m) => m[1]!);
    expect(printedValidators).toHaveLength(3);
    for (const [i, node] of devnet.nodes.entries()) {
      const status = (await rpc(node.rpcUrl, "chain_status", {})).result as StatusResult;
      expect(status.chainId).toBe("kyochi-devnet");
      expect(status.validatorAddress).toBe(printedValidators[i]);
      // Every node knows the same 3-validator genesis set, with equal power.
      const set = (await rpc(node.rpcUrl, "chain_getValidators", {})).result as ValidatorsResult;
      expect(set.total).toBe(3);
      expect(set.validators.map((v) => v.address).sort()).toEqual([...printedValidators].sort());
      expect(new Set(set.validators.map((v) => v.votingPower)).size).toBe(1);
      const info = (await rpc(node.rpcUrl, "net_info", {})).result as { peers: unknown[] };
      expect(Array.isArray(info.peers)).toBe(true);
    }
    // Each node's log lines come through, prefixed with its name. A node serves RPC before it logs
    // "node started" (p2p and consensus start after the RPC listener), so wait for that line.
    const startedLine = (name: string) => new RegExp(`\\[${name}\\] .*node started`);
    await waitFor(
      () => devnet.nodes.every((n) => startedLine(n.name).test(devnet.output())),
      20_000,
      () => devnet.output().slice(-2000),
    );
    for (const node of devnet.nodes) expect(processAlive(node.pid)).toBe(true);

    devnet.child.kill("SIGINT");
    const exit = await devnet.exited;
    expect(exit.code, devnet.output().slice(-2000)).toBe(0);
    expect(devnet.output()).toContain("[devnet] devnet stopped");
    for (const node of devnet.nodes) {
      expect(devnet.output()).toMatch(new RegExp(`\\[${node.name}\\] .*node stopped`));
      expect(processAlive(node.pid), `${node.name} (pid ${node.pid}) still runs`).toBe(false);
    }
    firstRun = {
      p2p: devnet.nodes.map((n) => n.p2p),
      genesis: readFileSync(homePaths(join(home, "node0")).genesis, "utf8"),
    };
  });

  it("reuses the homes on a second run, and reports a node that dies and stops the others", {
    timeout: 120_000,
  }, async () => {
    expect(firstRun).toBeDefined();
    const devnet = await start(["--consensus.timeout_commit_ms", "200"]);
    expect(devnet.output()).toMatch(/Kyochi devnet reused in .*: 3 validator\(s\)/);
    // Same keys, same ports, same genesis: nothing was regenerated.
    expect(devnet.nodes.map((n) => n.p2p)).toEqual(firstRun!.p2p);
    expect(readFileSync(homePaths(join(home, "node0")).genesis, "utf8")).toBe(firstRun!.genesis);

    const victim = devnet.nodes[1]!;
    await waitFor(
      () => /\[node1\] .*node started/.test(devnet.output()),
      20_000,
      () => devnet.output().slice(-2000),
    );
    process.kill(victim.pid, "SIGKILL");
    const exit = await devnet.exited;
    const out = devnet.output();
    expect(exit.code, out.slice(-2000)).toBe(1);
    expect(out).toContain("[devnet] node1 exited unexpectedly (signal SIGKILL); its last log lines:");
    // The report quotes node1's own last lines.
    const report = out.slice(out.indexOf("node1 exited unexpectedly"));
    expect(report).toMatch(/\n {2}.*node started/);
    expect(out).toContain("[devnet] devnet stopped with errors");
    for (const node of devnet.nodes) {
      expect(processAlive(node.pid), `${node.name} (pid ${node.pid}) still runs`).toBe(false);
    }
    for (const node of [devnet.nodes[0]!, devnet.nodes[2]!]) {
      expect(out).toMatch(new RegExp(`\\[${node.name}\\] .*node stopped`));
    }
  });
});
