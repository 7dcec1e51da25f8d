// Four validator processes over real libp2p on loopback, under a steady load of transfers:
//   - SIGKILL one: the other three keep committing; restart it: it catches up (block sync) and
//     signs commits again;
//   - SIGKILL two: commits stop; restart one: commits resume;
//   - at the end every node holds the same block hash and app hash at every height, and every tx
//     reported committed is in the chain at the height reported.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeAddress } from "../../crypto/address.js";
import type { SigningKey } from "../../crypto/keys.js";
import { DEVNET_CHAIN_ID, initDevnet } from "../../node/init.js";
import { Keyring } from "../../node/keyring.js";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import type { CommitJson } from "../../rpc/types.js";
import {
  freePort,
  latestHeight,
  type NodeProcess,
  removeDir,
  rpc,
  startNode,
  stopNode,
  tempDir,
  waitFor,
  waitForHeight,
} from "../helpers/process-node.js";

const root = tempDir("chaos");
const FLAGS = ["--consensus.timeout_commit_ms", "200", "--log.level", process.env.KYOCHI_CHAOS_LOG ?? "warn"];
const procs: (NodeProcess | undefined)[] = [];

afterAll(async () => {
  for (const p of procs) if (p) await stopNode(p, "SIGKILL");
  removeDir(root);
});

interface Committed {
  hash: string;
  height: number;
}

describe("four validators over libp2p, with crashes", () => {
  it("keep a single chain through kills and restarts, and lose no committed tx", async () => {
    const ports: { p2p: number; rpc: number }[] = [];
    for (let i = 0; i < 4; i++) ports.push({ p2p: await freePort(), rpc: await freePort() });
    const { nodes, accounts } = initDevnet(join(root, "devnet"), {}, { validators: 4, ports });
    const keyring = new Keyring(join(root, "devnet", "keyring"));
    const rpcUrl = (i: number) => `http://127.0.0.1:${ports[i]!.rpc}`;
    const start = async (i: number) => {
      procs[i] = await startNode(
        nodes[i]!.home,
        ["--p2p.laddr", `127.0.0.1:${ports[i]!.p2p}`, ...FLAGS],
        ports[i]!.rpc,
      );
    };
    const kill = async (i: number) => {
      await stopNode(procs[i]!, "SIGKILL");
      procs[i] = undefined;
    };
    const live = () => [0, 1, 2, 3].filter((i) => procs[i] !== undefined);

    for (let i = 0; i < 4; i++) await start(i);
    await Promise.all([0, 1, 2, 3].map((i) => waitForHeight(rpcUrl(i), 2, 60_000)));

    // Load: each sender submits transfers one after another to a live node, waiting for commit.
    const committed: Committed[] = [];
    let loading = true;
    const sender = async (key: SigningKey, to: Uint8Array, k: number) => {
      let turn = k;
      while (loading) {
        const node = live()[turn++ % Math.max(1, live().length)] ?? 0;
        const client = new KyochiRpcClient(rpcUrl(node), { timeoutMs: 5_000 });
        try {
          const account = await client.getAccount(accounts[k]!.address);
          const tx = signTx(key, [bankSendMsg(to, 1n)], {
            chainId: DEVNET_CHAIN_ID,
            nonce: account.nonce,
            fee: 100_000n,
            gasLimit: 100_000,
          });
          const res = await client.broadcastTx(tx.bytes, "commit", 10_000);
          committed.push({ hash: res.hash, height: res.height });
        } catch {
          // The node died under us, a round was slow, or the nonce moved: try again elsewhere.
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const senders = accounts.slice(0, 3).map((a, k) => {
      const to = decodeAddress(accounts[(k + 1) % accounts.length]!.address);
      return sender(keyring.get(a.name), to, k);
    });

    const heightOf = (i: number) => latestHeight(rpcUrl(i));
    const advance = async (nodesToWatch: number[], by: number, timeoutMs = 60_000) => {
      const from = Math.max(...(await Promise.all(nodesToWatch.map(heightOf))));
      try {
        await Promise.all(nodesToWatch.map((i) => waitForHeight(rpcUrl(i), from + by, timeoutMs)));
      } catch (err) {
        // Show what the nodes said: the failure is in there, not in the timeout.
        for (const i of nodesToWatch) console.error(`--- node ${i}:\n${procs[i]?.output().slice(-4000)}`);
        throw err;
      }
    };

    // One down: the other three keep committing.
    await kill(3);
    await advance([0, 1, 2], 5);
    // Back up: it catches up and signs commits again.
    await start(3);
    await waitFor(
      async () => (await heightOf(3)) >= (await heightOf(0)) - 1,
      60_000,
      () => "node 3 did not catch up",
    );
    const node3 = nodes[3]!.validatorAddress.toLowerCase();
    await waitFor(
      async () => {
        const top = await heightOf(0);
        for (let h = Math.max(1, top - 3); h <= top; h++) {
          const commit = (await rpc(rpcUrl(0), "chain_getCommit", { height: h })).result as
            | CommitJson
            | undefined;
          if (
            commit?.signatures.some((s) => s.flag === "commit" && s.validatorAddress.toLowerCase() === node3)
          )
            return true;
        }
        return false;
      },
      60_000,
      () => "node 3 never signed a commit after its restart",
    );

    // Two down: no quorum, no commits.
    await kill(2);
    await kill(3);
    await new Promise((r) => setTimeout(r, 1_000));
    const stalledAt = await heightOf(0);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await heightOf(0)).toBeLessThanOrEqual(stalledAt + 1);
    expect(await heightOf(1)).toBeLessThanOrEqual(stalledAt + 1);
    // One back: three of four again, commits resume.
    await start(2);
    await advance([0, 1, 2], 3);

    loading = false;
    await Promise.all(senders);
    await start(3);
    const top = await heightOf(0);
    await Promise.all([0, 1, 2, 3].map((i) => waitForHeight(rpcUrl(i), top, 60_000)));

    // One chain everywhere: block hash and app hash at every height.
    for (let h = 1; h <= top; h++) {
      const views = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const block = (await rpc(rpcUrl(i), "chain_getBlock", { height: h })).result as {
            blockHash: string;
          };
          const results = (await rpc(rpcUrl(i), "chain_getBlockResults", { height: h })).result as {
            appHash: string;
          };
          return `${block.blockHash}/${results.appHash}`;
        }),
      );
      expect(new Set(views).size, `height ${h}: ${views.join(" ")}`).toBe(1);
    }
    // No tx reported committed is missing, and none moved.
    expect(committed.length).toBeGreaterThan(5);
    for (const c of committed) {
      const record = (await rpc(rpcUrl(1), "tx_get", { hash: c.hash })).result as
        | { height: number }
        | undefined;
      expect(record?.height, `tx ${c.hash}`).toBe(c.height);
    }
  }, 300_000);
});
