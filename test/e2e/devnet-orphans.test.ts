// A `kyochi devnet` killed with SIGKILL cannot stop its nodes; they notice they were re-parented
// and stop by themselves, cleanly: a node's home can be started again at once.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DevnetProcess, killDevnet, processAlive, startDevnetProcess } from "../helpers/devnet.js";
import { removeDir, startNode, stopNode, tempDir, waitFor } from "../helpers/process-node.js";

const root = tempDir("devnet-orphans");
let devnet: DevnetProcess | undefined;

afterAll(() => {
  if (devnet) killDevnet(devnet);
  removeDir(root);
});

describe("kyochi devnet killed with SIGKILL", () => {
  it("leaves no node running, and each node closed its database", { timeout: 60_000 }, async () => {
    const home = join(root, "devnet");
    devnet = await startDevnetProcess(home, [
      "--validators",
      "2",
      "--consensus.timeout_commit_ms",
      "200",
      // Quiet nodes: without the watchdog nothing would make them notice the devnet is gone.
      "--log.level",
      "warn",
    ]);
    const pids = devnet.nodes.map((n) => n.pid);
    expect(pids.every(processAlive)).toBe(true);
    devnet.child.kill("SIGKILL");
    await waitFor(
      () => !pids.some(processAlive),
      15_000,
      () => `nodes still running: ${pids.filter(processAlive).join(", ")}`,
    );
    // The database lock is free and the node resumes where it was.
    const again = await startNode(join(home, "node0"));
    await stopNode(again);
  });
});
