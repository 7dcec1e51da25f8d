// A software upgrade scheduled by governance halts a real node process at its height: the node
// commits the height before, exits non-zero with a message naming the upgrade, the proposal and
// the height, and a restart of the same binary exits again at once without executing anything.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import { homePaths } from "../../node/home.js";
import { Keyring } from "../../node/keyring.js";
import type { Msg } from "../../proto/index.js";
import {
  govSubmitProposalMsg,
  govVoteMsg,
  proposalContent,
  VOTE_OPTIONS,
} from "../../rpc/client/msgs-gov.js";
import { signTx } from "../../rpc/client/tx-builder.js";
import { BlockStore } from "../../state/block-store.js";
import { KyochiDb } from "../../state/db.js";
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "../helpers/devnet.js";
import {
  CLI,
  latestHeight,
  type NodeProcess,
  removeDir,
  rpc,
  startNode,
  stopNode,
} from "../helpers/process-node.js";

const CHAIN_ID = "kyochi-devnet";
let net: TestDevnet | undefined;
let node: NodeProcess | undefined;
const children: ChildProcess[] = [];

afterAll(async () => {
  if (node) await stopNode(node, "SIGKILL");
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  if (net) removeDir(net.root);
});

async function send(url: string, key: SigningKey, address: string, msg: Msg): Promise<number> {
  const account = (await rpc(url, "account_get", { address })).result as { nonce: number };
  const tx = signTx(key, [msg], {
    chainId: CHAIN_ID,
    nonce: account.nonce,
    fee: 300_000n,
    gasLimit: 300_000,
  });
  const res = await rpc(url, "tx_broadcast", { tx: `0x${toHex(tx.bytes)}`, mode: "commit" });
  const r = res.result as { height: number; result: { code: number; log: string } } | undefined;
  expect(r?.result, JSON.stringify(res)).toMatchObject({ code: 0 });
  return r!.height;
}

/** Runs `kyochi start` to its exit (it must exit by itself within 30 s). */
async function runToExit(home: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [CLI, "start", "--home", home, "--rpc.laddr", "127.0.0.1:0", ...FAST_BLOCKS],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  return { code, output };
}

async function storedHeight(home: string): Promise<number> {
  const db = await KyochiDb.open(homePaths(home).db);
  try {
    return (await BlockStore.open(db)).height;
  } finally {
    await db.close();
  }
}

describe("software upgrade halt (real node process)", () => {
  it("halts at the upgrade height with a clear message, and again on restart", {
    timeout: 60_000,
  }, async () => {
    net = createTestDevnet("upgrade");
    const genesisPath = homePaths(net.nodeHome).genesis;
    const genesis = JSON.parse(readFileSync(genesisPath, "utf8"));
    genesis.app_state.params.gov = {
      min_deposit: "1000",
      max_deposit_blocks: 2,
      voting_blocks: 6,
      quorum_bps: 3340,
      threshold_bps: 5000,
      veto_threshold_bps: 3340,
    };
    writeFileSync(genesisPath, JSON.stringify(genesis, null, 2));
    node = await startNode(net.nodeHome, FAST_BLOCKS);
    const url = node.rpcUrl;

    const haltHeight = (await latestHeight(url)) + 30;
    const submitted = await send(
      url,
      net.keys.alice!,
      net.addresses.alice!,
      govSubmitProposalMsg({
        title: "Upgrade to v2",
        summary: "",
        content: proposalContent.softwareUpgrade("v2", haltHeight, "https://example.org/v2"),
        initialDeposit: 1000n,
      }),
    );
    expect(submitted + 6).toBeLessThan(haltHeight);
    const validator = new Keyring(join(net.nodeHome, "keyring")).get("validator");
    await send(url, validator, net.operator, govVoteMsg(1, VOTE_OPTIONS.yes!));

    const exitCode = await node.exited;
    const message =
      `UPGRADE NEEDED: software upgrade "v2" was scheduled by governance proposal 1 at height ${haltHeight}; ` +
      "this release does not implement it: install the release that does and restart";
    expect(exitCode).not.toBe(0);
    expect(node.output()).toContain(message);
    expect(await storedHeight(net.nodeHome)).toBe(haltHeight - 1);
    node = undefined;

    const again = await runToExit(net.nodeHome);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain(message);
    expect(await storedHeight(net.nodeHome)).toBe(haltHeight - 1);
  });
});
