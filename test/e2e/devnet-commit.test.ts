// The 4-validator devnet of `npm start` commits: every node reaches height 3 and all hold the same
// block hashes, and each commit carries more than 2/3 of the validators' signatures. Needs the
// p2p host wired into the node (consensus over libp2p between the 4 processes).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlockJson, CommitJson, ValidatorsJson } from "../../rpc/types.js";
import { type DevnetProcess, startDevnetProcess, stopDevnet } from "../helpers/devnet.js";
import { removeDir, rpc, tempDir, waitForHeight } from "../helpers/process-node.js";

const root = tempDir("devnet-commit");
let devnet: DevnetProcess;

beforeAll(async () => {
  devnet = await startDevnetProcess(join(root, "devnet"), [
    "--validators",
    "4",
    "--consensus.timeout_commit_ms",
    "200",
  ]);
}, 90_000);

afterAll(async () => {
  if (devnet) await stopDevnet(devnet);
  removeDir(root);
});

describe("a 4-validator devnet", () => {
  it("commits height 3 on every node, with the same block hashes everywhere", {
    timeout: 120_000,
  }, async () => {
    expect(devnet.nodes).toHaveLength(4);
    await Promise.all(devnet.nodes.map((node) => waitForHeight(node.rpcUrl, 3, 60_000)));
    for (let height = 1; height <= 3; height++) {
      const hashes = await Promise.all(
        devnet.nodes.map(async (node) => {
          const res = await rpc(node.rpcUrl, "chain_getBlock", { height });
          return (res.result as BlockJson).blockHash;
        }),
      );
      expect(new Set(hashes).size, `height ${height}: ${hashes.join(" ")}`).toBe(1);
    }
    const set = (await rpc(devnet.nodes[0]!.rpcUrl, "chain_getValidators", { height: 2 }))
      .result as ValidatorsJson;
    expect(set.total).toBe(4);
    const commit = (await rpc(devnet.nodes[2]!.rpcUrl, "chain_getCommit", { height: 2 }))
      .result as CommitJson;
    expect(commit.signatures).toHaveLength(4);
    expect(commit.signatures.filter((s) => s.flag === "commit").length).toBeGreaterThanOrEqual(3);
  });
});
