// A node that starts after the chain has 1,000 blocks catches up by block sync over real libp2p:
// a single fast validator makes the blocks; a second home with the same genesis (its key is not a
// validator) lists the first as a persistent peer and must end with the same blocks.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { peerIdOfNodeKeyFile } from "../../node/p2p/peer-id.js";
import {
  freePort,
  latestHeight,
  type NodeProcess,
  removeDir,
  rpc,
  runCli,
  startNode,
  stopNode,
  tempDir,
  waitForHeight,
} from "../helpers/process-node.js";

const TARGET = 1_000;
const root = tempDir("blocksync");
const running: NodeProcess[] = [];

afterAll(async () => {
  for (const n of running) await stopNode(n, "SIGKILL");
  removeDir(root);
});

async function blockHash(url: string, height: number): Promise<string> {
  const res = await rpc(url, "chain_getBlock", { height });
  const block = res.result as { blockHash?: string } | undefined;
  if (!block?.blockHash) throw new Error(`no block ${height} at ${url}: ${JSON.stringify(res.error)}`);
  return block.blockHash;
}

describe("block sync between real processes", () => {
  it(`a fresh node started after ${TARGET} blocks catches up from its peer`, async () => {
    const validatorHome = join(root, "validator");
    const followerHome = join(root, "follower");
    expect(runCli(["init", "--home", validatorHome, "--chain-id", "kyochi-sync-e2e"]).code).toBe(0);
    expect(runCli(["init", "--home", followerHome, "--chain-id", "kyochi-sync-e2e"]).code).toBe(0);
    copyFileSync(join(validatorHome, "config", "genesis.json"), join(followerHome, "config", "genesis.json"));

    const p2pPort = await freePort();
    const validator = await startNode(validatorHome, [
      "--p2p.laddr",
      `127.0.0.1:${p2pPort}`,
      "--consensus.timeout_commit_ms",
      "0",
      "--log.level",
      "warn",
    ]);
    running.push(validator);
    await waitForHeight(validator.rpcUrl, TARGET, 120_000);

    const peer = `${peerIdOfNodeKeyFile(join(validatorHome, "config", "node_key.json"))}@127.0.0.1:${p2pPort}`;
    const follower = await startNode(followerHome, ["--p2p.persistent_peers", peer, "--log.level", "warn"]);
    running.push(follower);
    await waitForHeight(follower.rpcUrl, TARGET, 120_000);

    const top = Math.min(await latestHeight(validator.rpcUrl), await latestHeight(follower.rpcUrl));
    for (const h of [1, 2, 250, 500, 999, TARGET, top]) {
      expect(await blockHash(follower.rpcUrl, h)).toBe(await blockHash(validator.rpcUrl, h));
    }
    // The follower executed every block itself: its state root after each matches.
    const appHash = async (url: string) =>
      ((await rpc(url, "chain_getBlockResults", { height: TARGET })).result as { appHash?: string }).appHash;
    expect(await appHash(follower.rpcUrl)).toBe(await appHash(validator.rpcUrl));
  }, 300_000);
});
