// Every JSON-RPC method against ONE running node process, each with params that give a real
// answer: the test first puts data on chain (a transfer; a dataset with an offer and a license; a
// model trained under it; a governance proposal with a vote; a compute worker and a job), then
// calls each method and checks what it answers against what it put there. The set of methods
// called must equal the method table, so a method added without a call here fails this test.
// WebSocket subscribe/unsubscribe, and a JSON-RPC batch from a plain HTTP client (node:http, not
// the SDK), complete the surface. gRPC coverage lives with the gRPC services' own tests.

import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { Keyring } from "../../node/keyring.js";
import { KeyType, ModelFormat, type Msg } from "../../proto/index.js";
import { computeRegisterWorkerMsg, computeSubmitJobMsg } from "../../rpc/client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../../rpc/client/msgs-data.js";
import {
  govSubmitProposalMsg,
  govVoteMsg,
  proposalContent,
  VOTE_OPTIONS,
} from "../../rpc/client/msgs-gov.js";
import { modelsRegisterMsg } from "../../rpc/client/msgs-models.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
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
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "../helpers/devnet.js";
import { type NodeProcess, removeDir, rpc, startNode, stopNode } from "../helpers/process-node.js";

const GAS = 1_000_000;
const MIN_DEPOSIT = 10_000_000n;
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

const address = (key: SigningKey) => encodeAddress(addressFromPublicKey(key.type, key.publicKey));

async function signed(key: SigningKey, msgs: Msg[]): Promise<Uint8Array> {
  const { nonce } = await call("account_get", { address: address(key) });
  return signTx(key, msgs, { chainId, nonce, fee: BigInt(GAS), gasLimit: GAS }).bytes;
}

async function send(key: SigningKey, msgs: Msg[]): Promise<BroadcastCommitJson> {
  const tx = await signed(key, msgs);
  const answer = (await call("tx_broadcast", {
    tx: `0x${toHex(tx)}`,
    mode: "commit",
    timeoutMs: 20_000,
  })) as BroadcastCommitJson;
  expect(answer.result.codename, answer.result.log).toBe("OK");
  return answer;
}

let transfer: BroadcastCommitJson;
let workerAddress: string;
let keys: { alice: SigningKey; bob: SigningKey; carol: SigningKey; validator: SigningKey };

beforeAll(async () => {
  net = createTestDevnet("api-coverage");
  // A voting period longer than the test, so the proposal is still in voting when read.
  const genesisPath = join(net.nodeHome, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(genesisPath, "utf8"));
  genesis.app_state.params.gov.voting_blocks = 100_000;
  writeFileSync(genesisPath, JSON.stringify(genesis));
  node = await startNode(net.nodeHome, FAST_BLOCKS);
  chainId = (await call("chain_status", {})).chainId;
  keys = {
    alice: net.keys.alice!,
    bob: net.keys.bob!,
    carol: net.keys.carol!,
    validator: new Keyring(join(net.nodeHome, "keyring")).get("validator"),
  };
  const { alice, bob, carol, validator } = keys;

  // alice: a transfer to bob, a dataset with a license offer, a text proposal (voting at once).
  transfer = await send(alice, [
    bankSendMsg(decodeAddress(net.addresses.bob!), 4242n),
    dataRegisterMsg({
      name: "coverage-corpus",
      contentRoot: sha256(new TextEncoder().encode("coverage-corpus")),
      sizeBytes: 4096,
      locationUri: "s3://datasets/coverage-corpus",
      format: "parquet",
    }),
    dataAddOfferMsg(1, {
      price: 500n,
      durationBlocks: 0,
      commercialUse: true,
      trainingAllowed: true,
      royaltyBps: 1000,
      maxLicenses: 0,
    }),
    govSubmitProposalMsg({
      title: "Coverage",
      summary: "a text proposal",
      content: proposalContent.text(),
      initialDeposit: MIN_DEPOSIT,
    }),
  ]);
  // bob buys the license and registers a model trained under it; the validator votes.
  await Promise.all([
    send(bob, [
      dataBuyLicenseMsg(1, 1),
      modelsRegisterMsg({
        name: "coverage-model",
        version: "1",
        weightsHash: sha256(new TextEncoder().encode("weights")),
        sizeBytes: 1024,
        format: ModelFormat.MODEL_FORMAT_ONNX,
        locationUri: "s3://models/coverage-model",
        cardHash: sha256(new TextEncoder().encode("card")),
        inferenceFee: 1000n,
        licenseIds: [1],
      }),
    ]),
    send(validator, [govVoteMsg(1, VOTE_OPTIONS.yes!)]),
  ]);
  // carol registers a worker (a fresh key) and submits a job for the model.
  const worker = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  workerAddress = address(worker);
  await send(carol, [
    computeRegisterWorkerMsg({
      keyType: worker.type,
      publicKey: worker.publicKey,
      stake: 1_000_000n,
      capabilities: { gpuModel: "test-gpu", gpuMemoryMib: 8192, runtimes: ["onnx"], maxConcurrentJobs: 1 },
      price: 100n,
    }),
    computeSubmitJobMsg({
      modelId: 1,
      inputHash: sha256(new TextEncoder().encode("input")),
      inputUri: "https://example.org/input.bin",
      replication: 1,
      maxPrice: 100n,
      escrow: 2000n,
      deadlineBlocks: 500,
    }),
  ]);
}, 60_000);

afterAll(async () => {
  if (node) await stopNode(node);
  if (net) removeDir(net.root);
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

  it("called every method of the method table", () => {
    expect([...called].sort()).toEqual(Object.keys(METHODS).sort());
  });
});
