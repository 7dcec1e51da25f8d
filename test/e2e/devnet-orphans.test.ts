// A `kyochi devnet` killed with SIGKILL cannot stop its nodes and worker daemons; they notice they
// were re-parented and stop by themselves, cleanly: a node's home can be started again at once.
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
  it("leaves no node or worker running, and each node closed its database", { timeout: 90_000 }, async () => {
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
    const workerPids = [...devnet.output().matchAll(/\[devnet\] worker\d+ started \(pid (\d+)\)/g)].map((m) =>
      Number(m[1]),
    );
    expect(workerPids).toHaveLength(1);
    const pids = [...devnet.nodes.map((n) => n.pid), ...workerPids];
    expect(pids.every(processAlive)).toBe(true);
    devnet.child.kill("SIGKILL");
    // Each notices within a second; stopping cleanly (consensus, libp2p, the database) takes longer
    // when the whole suite shares two cores.
    await waitFor(
      () => !pids.some(processAlive),
      30_000,
      () => `processes still running: ${pids.filter(processAlive).join(", ")}`,
    );
    // The database lock is free and the node resumes where it was.
    const again = await startNode(join(home, "node0"));
    await stopNode(again);
  });
});
