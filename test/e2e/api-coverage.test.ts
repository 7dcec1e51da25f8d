// Every JSON-RPC method against ONE running node process, each with params that give a real
// answer: the test first puts data on chain (a transfer; a dataset with an offer and a license; a
// model trained under it; a governance proposal with a vote; a compute worker and a job), then
// calls each method and checks what it answers against what it put there. The set of methods
// called must equal the method table, so a method added without a call here fails this test.
// WebSocket subscribe/unsubscribe, and a JSON-RPC batch from a plain HTTP client (node:http, not
// the SDK), complete the surface. Every gRPC method is called likewise in api-grpc-coverage.test.ts.

import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { decodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import type { Msg } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import { WEBSOCKET_METHOD_DOCS } from "../../rpc/jsonrpc/method-docs.js";
import { METHODS } from "../../rpc/jsonrpc/methods/index.js";
import type {
  AccountJson,
  BlockJson,
  BlockResultsJson,
  BlocksJson,
  BroadcastCommitJson,
  BroadcastSyncJson,
  CommitJson,
  JsonObject,
  NetInfo,
  ProofJson,
  RpcMethodName,
  RpcMethods,
  StakingValidatorJson,
  StakingValidatorSetJson,
  StakingValidatorsJson,
  StatusJson,
  TxRecordJson,
  TxSearchJson,
  TxSimulateJson,
  ValidatorsJson,
} from "../../rpc/types.js";
import { API_CHAIN_GAS, type ApiChain, addressOf as address, startApiChain } from "../helpers/api-chain.js";
import type { TestDevnet } from "../helpers/devnet.js";
import { type NodeProcess, rpc } from "../helpers/process-node.js";

let chain: ApiChain;
let net: TestDevnet;
let node: NodeProcess;
let chainId: string;
const called = new Set<string>();

/** Calls `method`, records it as covered, and returns its result (an error fails the test). */
async function call<M extends RpcMethodName>(
  method: M,
  params: RpcMethods[M]["params"],
): Promise<RpcMethods[M]["result"]> {
  const res = await rpc(node.rpcUrl, method, params);
  expect(res.error, `${method} ${JSON.stringify(params)}`).toBeUndefined();
  called.add(method);
  return res.result as RpcMethods[M]["result"];
}

async function signed(key: SigningKey, msgs: Msg[]): Promise<Uint8Array> {
  const { nonce } = await call("account_get", { address: address(key) });
  return signTx(key, msgs, { chainId, nonce, fee: BigInt(API_CHAIN_GAS), gasLimit: API_CHAIN_GAS }).bytes;
}

let transfer: BroadcastCommitJson;
let workerAddress: string;
let keys: ApiChain["keys"];

// The node and its data on chain (test/helpers/api-chain.ts; the gRPC coverage test uses the same).
beforeAll(async () => {
  chain = await startApiChain("api-coverage");
  ({ net, node, chainId, transfer, workerAddress, keys } = chain);
}, 60_000);

afterAll(async () => {
  await chain?.stop();
});

describe("every JSON-RPC method on a running node", () => {
  it("chain_*: status, blocks, block lists, results, validators, commits", async () => {
    const status = (await call("chain_status", {})) as StatusJson;
    expect(status.latestBlockHeight).toBeGreaterThanOrEqual(transfer.height);
    const block = (await call("chain_getBlock", { height: transfer.height })) as BlockJson;
    expect(block.txs.map((t) => t.hash)).toContain(transfer.hash);
    const list = (await call("chain_getBlocks", {
      minHeight: transfer.height - 1,
      maxHeight: transfer.height,
    })) as BlocksJson;
    expect(list.blocks.map((b) => b.height)).toEqual([transfer.height, transfer.height - 1]);
    expect(list.blocks[0]).toMatchObject({ hash: block.blockHash, txCount: block.txs.length });
    expect(list.blocks[0]!.lastBlockHash).toBe(list.blocks[1]!.hash);
    const results = (await call("chain_getBlockResults", { height: transfer.height })) as BlockResultsJson;
    expect(results.txResults.find((r) => r.hash === transfer.hash)?.codename).toBe("OK");
    const validators = (await call("chain_getValidators", {})) as ValidatorsJson;
    expect(validators.total).toBe(1);
    expect(validators.validators[0]!.address).toBe(status.validatorAddress);
    const commit = (await call("chain_getCommit", { height: transfer.height })) as CommitJson;
    expect(commit.blockHash).toBe(block.blockHash);
    expect(commit.signatures.map((s) => s.flag)).toEqual(["commit"]);
    const params = await call("chain_getParams", {});
    expect(Object.keys(params)).toEqual(expect.arrayContaining(["height", "gov", "compute", "staking"]));
  });

  it("tx_*, account_get, state_getProof, net_info", async () => {
    const { alice, bob } = keys;
    const record = (await call("tx_get", { hash: transfer.hash })) as TxRecordJson;
    expect(record).toMatchObject({ height: transfer.height, index: transfer.index });
    const search = (await call("tx_search", { sender: net.addresses.alice!, order: "desc" })) as TxSearchJson;
    expect(search.txs.map((t) => t.hash)).toContain(transfer.hash);
    const next = await signed(alice, [bankSendMsg(decodeAddress(net.addresses.bob!), 1n)]);
    const simulated = (await call("tx_simulate", { tx: `0x${toHex(next)}` })) as TxSimulateJson;
    expect(simulated).toMatchObject({ code: 0, codename: "OK" });
    expect(simulated.gasUsed).toBeGreaterThan(0);
    expect(simulated.events.map((e) => e.type)).toContain("transfer");
    const sync = (await call("tx_broadcast", { tx: `0x${toHex(next)}` })) as BroadcastSyncJson;
    expect(sync).toMatchObject({ mode: "sync", code: 0 });
    const account = (await call("account_get", { address: address(bob) })) as AccountJson;
    expect(account.exists).toBe(true);
    const proof = (await call("state_getProof", { address: net.addresses.alice! })) as ProofJson;
    expect(proof.account?.address).toBe(net.addresses.alice);
    expect(proof.proof).toBeDefined();
    const info = (await call("net_info", {})) as NetInfo;
    expect(info.peerId).toMatch(/^12D3Koo/);
  });

  it("data_* and model_*", async () => {
    const bob = net.addresses.bob!;
    expect(await call("data_getDataset", { id: 1 })).toMatchObject({ name: "coverage-corpus" });
    const datasets = await call("data_listDatasets", { owner: net.addresses.alice! });
    expect((datasets.datasets as JsonObject[]).map((d) => d.id)).toEqual([1]);
    expect(await call("data_getLicense", { id: 1 })).toMatchObject({ licensee: bob, datasetId: 1 });
    const licenses = await call("data_listLicenses", { licensee: bob });
    expect((licenses.licenses as JsonObject[]).map((l) => l.id)).toEqual([1]);
    expect(await call("model_get", { name: "coverage-model", version: "1" })).toMatchObject({ id: 1 });
    const models = await call("model_list", { owner: bob });
    expect((models.models as JsonObject[]).map((m) => m.name)).toEqual(["coverage-model"]);
    const lineage = await call("model_getLineage", { id: 1 });
    expect(JSON.stringify(lineage)).toContain("coverage-model");
  });

  it("gov_* and attestation_*", async () => {
    expect(await call("gov_getProposal", { id: 1 })).toMatchObject({ id: 1, status: "voting_period" });
    const proposals = await call("gov_listProposals", { status: "voting_period" });
    expect((proposals.proposals as JsonObject[]).map((p) => p.id)).toEqual([1]);
    const votes = await call("gov_getVotes", { proposalId: 1 });
    expect((votes.votes as JsonObject[]).map((v) => v.voter)).toEqual([net.operator]);
    expect(await call("gov_getUpgradePlan", {})).toMatchObject({ plan: null });
    const roots = await call("attestation_getTrustedRoots", {});
    expect((roots.trustedRoots as unknown[]).length).toBeGreaterThan(0);
    const measurements = await call("attestation_getAllowedMeasurements", { evidenceClass: "dev" });
    expect((measurements.allowedMeasurements as unknown[]).length).toBeGreaterThan(0);
  });

  it("compute_* and staking_*", async () => {
    const carol = net.addresses.carol!;
    expect(await call("compute_getWorker", { address: workerAddress })).toMatchObject({
      operator: carol,
      status: "active",
    });
    const workers = await call("compute_listWorkers", { operator: carol });
    expect((workers.workers as JsonObject[]).map((w) => w.address)).toEqual([workerAddress]);
    expect(await call("compute_getJob", { id: 1 })).toMatchObject({ id: 1, owner: carol, modelId: 1 });
    const jobs = await call("compute_listJobs", { owner: carol });
    expect((jobs.jobs as JsonObject[]).map((j) => j.id)).toEqual([1]);

    const validator = (await call("staking_getValidator", { address: net.operator })) as StakingValidatorJson;
    expect(validator).toMatchObject({ operator: net.operator, status: "bonded" });
    const list = (await call("staking_listValidators", {})) as StakingValidatorsJson;
    expect(list.validators.map((v) => v.operator)).toEqual([net.operator]);
    const set = (await call("staking_getValidatorSet", {})) as StakingValidatorSetJson;
    expect(set.validators.map((v) => v.operator)).toEqual([net.operator]);
  });

  it("WebSocket: subscribe to blocks, receive the next ones in order, unsubscribe", async () => {
    const ws = new WebSocket(`${node.rpcUrl.replace("http", "ws")}/websocket`);
    try {
      const messages: {
        id?: unknown;
        result?: unknown;
        method?: string;
        params?: { id: string; result: { height: number } };
      }[] = [];
      ws.on("message", (data) => messages.push(JSON.parse(data.toString())));
      await new Promise((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      const until = async (f: () => boolean) => {
        const deadline = Date.now() + 15_000;
        while (!f()) {
          if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(messages.slice(-3))}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: "s", method: "subscribe", params: { kind: "blocks" } }));
      await until(() => messages.some((m) => m.id === "s"));
      const subscription = messages.find((m) => m.id === "s")!.result as string;
      expect(typeof subscription).toBe("string");
      called.add("subscribe");
      const heights = () =>
        messages.filter((m) => m.method === "subscription").map((m) => m.params!.result.height);
      await until(() => heights().length >= 3);
      const [first] = heights();
      expect(heights().slice(0, 3)).toEqual([first, first! + 1, first! + 2]);
      ws.send(
        JSON.stringify({ jsonrpc: "2.0", id: "u", method: "unsubscribe", params: { id: subscription } }),
      );
      await until(() => messages.some((m) => m.id === "u"));
      expect(messages.find((m) => m.id === "u")!.result).toBe(true);
      called.add("unsubscribe");
    } finally {
      ws.close();
    }
  });

  it("a plain HTTP client sends a JSON-RPC batch and gets every answer by id", async () => {
    const batch = [
      { jsonrpc: "2.0", id: 1, method: "chain_status" },
      { jsonrpc: "2.0", id: "two", method: "account_get", params: { address: net.addresses.alice } },
      { jsonrpc: "2.0", method: "chain_status" },
      { jsonrpc: "2.0", id: 3, method: "no_such_method" },
    ];
    const body = JSON.stringify(batch);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        node.rpcUrl,
        {
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(status).toBe(200);
    const answers = JSON.parse(text) as { id: unknown; result?: JsonObject; error?: { code: number } }[];
    // The notification (no id) gets no answer.
    expect(answers.map((a) => a.id).sort()).toEqual([1, 3, "two"].sort());
    const byId = new Map(answers.map((a) => [a.id, a]));
    expect(byId.get(1)?.result?.chainId).toBe(chainId);
    expect(byId.get("two")?.result?.address).toBe(net.addresses.alice);
    expect(byId.get(3)?.error?.code).toBe(-32601);
  });

  it("called every method of the method table, and the WebSocket-only ones", () => {
    expect([...called].sort()).toEqual(
      [...Object.keys(METHODS), ...Object.keys(WEBSOCKET_METHOD_DOCS)].sort(),
    );
  });
});
