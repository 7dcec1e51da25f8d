// chain_getValidators, chain_getCommit and net_info on a real node: `kyochi devnet --reset
// --validators 1` over a 2-validator devnet gives a fresh one-validator chain that commits blocks;
// its commits verify against its validator key, and bad heights get the stable error codes.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { voteSignBytes } from "../../crypto/ssz.js";
import { homePaths } from "../../node/home.js";
import { findFreePorts, initDevnet, readDevnet } from "../../node/init.js";
import { readKeyFile } from "../../node/key-file.js";
import { KeyType, Vote, VoteType } from "../../proto/index.js";
import type { BlockJson, CommitJson, NetInfo, ValidatorsJson } from "../../rpc/types.js";
import { type DevnetProcess, startDevnetProcess, stopDevnet } from "../helpers/devnet.js";
import { removeDir, rpc, tempDir, waitForHeight } from "../helpers/process-node.js";

const CHAIN_ID = "kyochi-devnet";
const root = tempDir("devnet-rpc");
const home = join(root, "devnet");
let devnet: DevnetProcess;
let url: string;

beforeAll(async () => {
  const [a, b, c, d] = await findFreePorts(4);
  initDevnet(
    home,
    {},
    {
      validators: 2,
      ports: [
        { p2p: a!, rpc: b! },
        { p2p: c!, rpc: d! },
      ],
    },
  );
  devnet = await startDevnetProcess(home, [
    "--reset",
    "--validators",
    "1",
    "--consensus.timeout_commit_ms",
    "100",
  ]);
  url = devnet.nodes[0]!.rpcUrl;
  await waitForHeight(url, 3, 30_000);
}, 90_000);

afterAll(async () => {
  if (devnet) await stopDevnet(devnet);
  removeDir(root);
});

async function result<T>(method: string, params: unknown): Promise<T> {
  const res = await rpc(url, method, params);
  expect(res.error).toBeUndefined();
  return res.result as T;
}

describe("a one-validator devnet made with --reset", () => {
  it("replaced the 2-validator devnet and commits blocks", () => {
    expect(devnet.output()).toMatch(/Kyochi devnet created in .*: 1 validator\(s\)/);
    expect(devnet.nodes).toHaveLength(1);
    expect(readDevnet(home)?.validators).toBe(1);
  });

  it("chain_getValidators lists its one validator with its key and power", async () => {
    const key = readKeyFile(homePaths(join(home, "node0")).privValidatorKey);
    const status = await result<{ validatorAddress: string }>("chain_status", {});
    const set = await result<ValidatorsJson>("chain_getValidators", { height: 2 });
    expect(set).toMatchObject({ height: 2, total: 1, nextCursor: null });
    expect(set.validators[0]).toMatchObject({
      address: status.validatorAddress,
      pubKey: `0x${Buffer.from(key.publicKey).toString("hex")}`,
      proposerPriority: "0",
    });
    expect(BigInt(set.validators[0]!.votingPower)).toBeGreaterThan(0n);
    const latest = await result<ValidatorsJson>("chain_getValidators", {});
    expect(latest.height).toBeGreaterThanOrEqual(3);
    // The next height's set is decided (next_validators_hash of the latest block) and served.
    const next = await result<ValidatorsJson>("chain_getValidators", { height: latest.height + 1 });
    expect(next.validators).toEqual(latest.validators.map((v) => ({ ...v, proposerPriority: "0" })));
    const far = await rpc(url, "chain_getValidators", { height: latest.height + 1000 });
    expect(far.error?.data?.code).toBe("HEIGHT_NOT_AVAILABLE");
  });

  it("chain_getCommit returns the commit carried by the next block, signed by the validator", async () => {
    const key = readKeyFile(homePaths(join(home, "node0")).privValidatorKey);
    const commit = await result<CommitJson>("chain_getCommit", { height: 2 });
    const block2 = await result<BlockJson>("chain_getBlock", { height: 2 });
    const block3 = await result<BlockJson>("chain_getBlock", { height: 3 });
    expect(commit.blockHash).toBe(block2.blockHash);
    expect(block3.lastCommit).toEqual(commit);
    expect(commit.signatures).toHaveLength(1);
    const sig = commit.signatures[0]!;
    expect(sig.flag).toBe("commit");
    const vote = Vote.create({
      type: VoteType.VOTE_TYPE_PRECOMMIT,
      height: 2,
      round: commit.round,
      blockHash: fromHex(commit.blockHash.slice(2)),
      timestampMs: sig.timestampMs,
      validatorAddress: fromHex(sig.validatorAddress.slice(2)),
    });
    const signed = verifySignature(
      KeyType.KEY_TYPE_ED25519,
      key.publicKey,
      voteSignBytes(CHAIN_ID, vote),
      fromHex(sig.signature.slice(2)),
    );
    expect(signed).toBe(true);
    for (const [params, code] of [
      [{ height: 1_000_000 }, "HEIGHT_NOT_AVAILABLE"],
      [{ height: -1 }, "INVALID_PARAMS"],
      [{ height: "abc" }, "INVALID_PARAMS"],
    ] as const) {
      expect((await rpc(url, "chain_getCommit", params)).error?.data?.code).toBe(code);
    }
  });

  it("net_info answers with no peers", async () => {
    const info = await result<NetInfo>("net_info", {});
    expect(info.peers).toEqual([]);
    expect(Array.isArray(info.listenAddresses)).toBe(true);
  });
});
