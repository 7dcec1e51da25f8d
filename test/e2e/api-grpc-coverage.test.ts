// Every gRPC method against ONE running node process, each with a request that gives a real
// answer: the node has a transfer, a dataset with an offer and a license, a model trained under
// it, a proposal in voting with a vote, a compute worker and a job on chain
// (test/helpers/api-chain.ts, shared with the JSON-RPC coverage test), and each answer is checked
// against what was put there. The methods called must be exactly those of the services in our
// descriptor (proto/gen/kyochi.json), so a gRPC method added without a call here fails this test;
// grpc.health.v1.Health (Check and Watch) and server reflection (as a stock client sees them, down
// to a call built from reflection alone) complete the surface.
import { type ClientReadableStream, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "../../crypto/address.js";
import { fromHex, sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey } from "../../crypto/keys.js";
import { accountKey } from "../../execution/modules/accounts/index.js";
import { Account, KeyType, kyochi } from "../../proto/index.js";
import { bankSendMsg } from "../../rpc/client/tx-builder.js";
import { RawGrpcClient } from "../../rpc/grpc/client-fixture.js";
import { describedMethods, describedServiceNames } from "../../rpc/grpc/descriptor.js";
import { MODULE_SERVICES } from "../../rpc/grpc/module-services.js";
import { CHAIN_SERVICE, TX_SERVICE } from "../../rpc/grpc/server.js";
import {
  healthCheck,
  healthWatchFirst,
  reflectedClient,
  reflectionClient,
} from "../../rpc/grpc/stock-clients.js";
import { type ApiChain, signedTx, startApiChain } from "../helpers/api-chain.js";

const HEALTH_CHECK = "grpc.health.v1.Health/Check";
const HEALTH_WATCH = "grpc.health.v1.Health/Watch";
const REFLECTION = "grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const chainPb = kyochi.chain.v1;
const txPb = kyochi.tx.v1;

let chain: ApiChain;
let client: RawGrpcClient;
const called = new Set<string>();

interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}
interface Decoder<T> {
  decode(bytes: Uint8Array): T;
}

/** Calls `service`/`method` and records it as covered once it answered. */
async function call<Req, Res>(
  service: string,
  method: string,
  req: Encoder<Req>,
  request: Req,
  res: Decoder<Res>,
): Promise<Res> {
  const answer = await client.call(`/${service}/${method}`, req, request, res);
  called.add(`${service}/${method}`);
  return answer;
}

/** Query(path) of a module service, with its JSON answer parsed (undefined when not JSON). */
async function query(service: keyof typeof MODULE_SERVICES, path: string) {
  const q = kyochi.query.v1;
  const answer = await call(MODULE_SERVICES[service], "Query", q.QueryRequest, { path }, q.QueryResponse);
  return {
    height: answer.height,
    value: answer.value,
    json: answer.json === "" ? undefined : (JSON.parse(answer.json) as unknown),
  };
}

const hexOf = (bytes: Uint8Array | null | undefined) => toHex(bytes ?? new Uint8Array());
const plain = (hash: string) => hash.replace(/^0x/, "");

beforeAll(async () => {
  chain = await startApiChain("api-grpc-coverage");
  client = new RawGrpcClient(chain.grpcAddress);
}, 60_000);

afterAll(async () => {
  client?.close();
  await chain?.stop();
});

describe("every gRPC method on a running node", () => {
  it("ChainService: status, blocks, block lists, results, validators, commits, proofs", async () => {
    const { transfer } = chain;
    const s = await call(CHAIN_SERVICE, "GetStatus", chainPb.GetStatusRequest, {}, chainPb.GetStatusResponse);
    expect(s.chainId).toBe(chain.chainId);
    expect(s.latestHeight).toBeGreaterThanOrEqual(transfer.height);

    const block = await call(
      CHAIN_SERVICE,
      "GetBlock",
      chainPb.GetBlockRequest,
      { height: transfer.height },
      chainPb.GetBlockResponse,
    );
    expect(block.height).toBe(transfer.height);
    expect(block.block?.txs?.map((tx) => toHex(sha256(tx)))).toContain(plain(transfer.hash));

    const list = await call(
      CHAIN_SERVICE,
      "GetBlocks",
      chainPb.GetBlocksRequest,
      { minHeight: transfer.height - 1, maxHeight: transfer.height },
      chainPb.GetBlocksResponse,
    );
    expect(list.blocks.map((b) => b.height)).toEqual([transfer.height, transfer.height - 1]);
    expect(hexOf(list.blocks[0]!.blockHash)).toBe(hexOf(block.blockHash));
    expect(list.blocks[0]!.txCount).toBe(block.block?.txs?.length);
    expect(hexOf(list.blocks[0]!.lastBlockHash)).toBe(hexOf(list.blocks[1]!.blockHash));
    // The range is read in full: no next page.
    expect(list.nextCursor).toBeNull();
    const page = await call(
      CHAIN_SERVICE,
      "GetBlocks",
      chainPb.GetBlocksRequest,
      { maxHeight: transfer.height, order: "desc", limit: 1 },
      chainPb.GetBlocksResponse,
    );
    expect(page.blocks.map((b) => b.height)).toEqual([transfer.height]);
    expect(page.nextCursor).toBe(String(transfer.height - 1));

    const results = await call(
      CHAIN_SERVICE,
      "GetBlockResults",
      chainPb.GetBlockResultsRequest,
      { height: transfer.height },
      chainPb.GetBlockResultsResponse,
    );
    const result = results.results?.txResults?.[transfer.index];
    expect(result?.code ?? 0).toBe(0);
    expect(result?.events?.map((e) => e.type)).toContain("transfer");

    const validators = await call(
      CHAIN_SERVICE,
      "GetValidators",
      chainPb.GetValidatorsRequest,
      {},
      chainPb.GetValidatorsResponse,
    );
    expect(validators.validators.map((v) => hexOf(v.address))).toEqual([hexOf(s.validatorAddress)]);

    const commit = await call(
      CHAIN_SERVICE,
      "GetCommit",
      chainPb.GetCommitRequest,
      { height: transfer.height },
      chainPb.GetCommitResponse,
    );
    expect(hexOf(commit.commit?.blockHash)).toBe(hexOf(block.blockHash));
    expect(commit.commit?.signatures).toHaveLength(1);

    const alice = chain.keys.alice;
    const proof = await call(
      CHAIN_SERVICE,
      "GetProof",
      chainPb.GetProofRequest,
      { key: accountKey(addressFromPublicKey(alice.type, alice.publicKey)) },
      chainPb.GetProofResponse,
    );
    expect(proof.exists).toBe(true);
    expect(proof.proof?.kind).toBe("inclusion");
    expect(proof.proof?.valueHash).toBe(toHex(sha256(proof.value)));
    expect(Account.decode(proof.value).nonce).toBeGreaterThanOrEqual(1);
  });

  it("ChainService.StreamBlocks sends stored blocks from a height, in order and chained", async () => {
    const from = chain.transfer.height;
    const stream: ClientReadableStream<Buffer> = client.stream(
      `/${CHAIN_SERVICE}/StreamBlocks`,
      chainPb.StreamBlocksRequest.encode({ fromHeight: from }).finish(),
    );
    const got: kyochi.chain.v1.StreamBlocksResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (bytes: Buffer) => {
        got.push(chainPb.StreamBlocksResponse.decode(bytes));
        if (got.length === 3) {
          stream.cancel();
          resolve();
        }
      });
      stream.on("error", (err: { code: number }) => {
        if (err.code !== status.CANCELLED) reject(err);
      });
    });
    called.add(`${CHAIN_SERVICE}/StreamBlocks`);
    expect(got.map((m) => m.height)).toEqual([from, from + 1, from + 2]);
    expect(got[0]!.block?.txs?.map((tx) => toHex(sha256(tx)))).toContain(plain(chain.transfer.hash));
    expect(got[0]!.results?.txResults?.length).toBe(got[0]!.block?.txs?.length);
    for (let i = 1; i < got.length; i++)
      expect(hexOf(got[i]!.block?.header?.lastBlockHash)).toBe(hexOf(got[i - 1]!.blockHash));
  });

  it("TxService: GetTx, Search, Simulate, Broadcast (COMMIT) and the bank service after it", async () => {
    const { transfer, keys } = chain;
    const record = await call(
      TX_SERVICE,
      "GetTx",
      txPb.GetTxRequest,
      { hash: fromHex(transfer.hash) },
      txPb.GetTxResponse,
    );
    expect(record.tx).toMatchObject({ height: transfer.height, index: transfer.index });
    const search = await call(
      TX_SERVICE,
      "Search",
      txPb.SearchRequest,
      { sender: chain.net.addresses.alice!, order: "desc" },
      txPb.SearchResponse,
    );
    expect(search.txs.map((t) => hexOf(t.hash))).toContain(plain(transfer.hash));

    // A fresh recipient, so its balance is exactly what the broadcast tx sends.
    const recipient = encodeAddress(
      addressFromPublicKey(KeyType.KEY_TYPE_ED25519, generateSigningKey(KeyType.KEY_TYPE_ED25519).publicKey),
    );
    const tx = await signedTx(chain, keys.alice, [bankSendMsg(decodeAddress(recipient), 777n)]);
    const simulated = await call(TX_SERVICE, "Simulate", txPb.SimulateRequest, { tx }, txPb.SimulateResponse);
    expect(simulated).toMatchObject({ code: 0, codename: "OK" });
    expect(simulated.gasUsed).toBeGreaterThan(0);
    expect(simulated.events.map((e) => e.type)).toContain("transfer");
    const sent = await call(
      TX_SERVICE,
      "Broadcast",
      txPb.BroadcastRequest,
      { tx, mode: txPb.BroadcastMode.BROADCAST_MODE_COMMIT },
      txPb.BroadcastResponse,
    );
    expect(sent.accepted, sent.log).toBe(true);
    expect(hexOf(sent.hash)).toBe(toHex(sha256(tx)));
    expect(sent.committed?.result?.code ?? 0).toBe(0);

    const bank = kyochi.bank.v1;
    const account = await call(
      MODULE_SERVICES.bank,
      "GetAccount",
      bank.GetAccountRequest,
      { address: recipient },
      bank.GetAccountResponse,
    );
    expect(account).toMatchObject({ address: recipient, exists: true, balance: "777" });
    const raw = await query("bank", `account/${recipient}`);
    expect(Account.decode(raw.value).balance).toBe("777");
  });

  it("staking and compute query services", async () => {
    const { net, workerAddress } = chain;
    const staking = kyochi.staking.v1;
    const service = MODULE_SERVICES.staking;
    const validator = await call(
      service,
      "GetValidator",
      staking.GetValidatorRequest,
      { address: net.operator },
      staking.GetValidatorResponse,
    );
    expect(validator).toMatchObject({ operator: net.operator, status: "bonded" });
    const list = await call(
      service,
      "ListValidators",
      staking.ListValidatorsRequest,
      {},
      staking.ListValidatorsResponse,
    );
    expect(list.validators.map((v) => v.operator)).toEqual([net.operator]);
    const set = await call(
      service,
      "GetValidatorSet",
      staking.GetValidatorSetRequest,
      {},
      staking.GetValidatorSetResponse,
    );
    expect(set.validators.map((v) => v.operator)).toEqual([net.operator]);
    expect((await query("staking", "validators")).json).toMatchObject([
      { operator: net.operator, status: "bonded" },
    ]);

    const compute = kyochi.compute.v1;
    const carol = net.addresses.carol!;
    const worker = await call(
      MODULE_SERVICES.compute,
      "GetWorker",
      compute.GetWorkerRequest,
      { address: workerAddress },
      compute.GetWorkerResponse,
    );
    expect(worker).toMatchObject({ operator: carol, status: "active" });
    const workers = await call(
      MODULE_SERVICES.compute,
      "ListWorkers",
      compute.ListWorkersRequest,
      { operator: carol },
      compute.ListWorkersResponse,
    );
    expect(workers.workers.map((w) => w.address)).toEqual([workerAddress]);
    const job = await call(
      MODULE_SERVICES.compute,
      "GetJob",
      compute.GetJobRequest,
      { id: 1 },
      compute.GetJobResponse,
    );
    expect(job).toMatchObject({ id: 1, owner: carol, modelId: 1 });
    const jobs = await call(
      MODULE_SERVICES.compute,
      "ListJobs",
      compute.ListJobsRequest,
      { owner: carol },
      compute.ListJobsResponse,
    );
    expect(jobs.jobs.map((j) => j.id)).toEqual([1]);
    expect((await query("compute", "job/1")).json).toMatchObject({ id: 1, owner: carol });
  });

  it("data and models query services", async () => {
    const { alice, bob } = chain.net.addresses;
    const data = kyochi.data.v1;
    const service = MODULE_SERVICES.data;
    const dataset = await call(
      service,
      "GetDataset",
      data.GetDatasetRequest,
      { id: 1 },
      data.GetDatasetResponse,
    );
    expect(dataset).toMatchObject({ id: 1, name: "coverage-corpus", owner: alice, licenseCount: 1 });
    expect(dataset.offers).toHaveLength(1);
    const datasets = await call(
      service,
      "ListDatasets",
      data.ListDatasetsRequest,
      { owner: alice! },
      data.ListDatasetsResponse,
    );
    expect(datasets.datasets.map((d) => d.id)).toEqual([1]);
    const license = await call(
      service,
      "GetLicense",
      data.GetLicenseRequest,
      { id: 1 },
      data.GetLicenseResponse,
    );
    expect(license).toMatchObject({ licensee: bob, datasetId: 1, price: "500" });
    const licenses = await call(
      service,
      "ListLicenses",
      data.ListLicensesRequest,
      { licensee: bob! },
      data.ListLicensesResponse,
    );
    expect(licenses.licenses.map((l) => l.id)).toEqual([1]);
    expect((await query("data", "dataset/1")).json).toMatchObject({ name: "coverage-corpus" });

    const models = kyochi.models.v1;
    const m = MODULE_SERVICES.models;
    const model = await call(
      m,
      "GetModel",
      models.GetModelRequest,
      { name: "coverage-model", version: "1" },
      models.GetModelResponse,
    );
    expect(model).toMatchObject({ id: 1, owner: bob, licenseIds: [1] });
    const list = await call(
      m,
      "ListModels",
      models.ListModelsRequest,
      { owner: bob! },
      models.ListModelsResponse,
    );
    expect(list.models.map((x) => x.name)).toEqual(["coverage-model"]);
    const lineage = await call(
      m,
      "GetLineage",
      models.GetLineageRequest,
      { id: 1 },
      models.GetLineageResponse,
    );
    expect(lineage.modelId).toBe(1);
    expect(lineage.lineage.map((e) => e.name)).toEqual(["coverage-model"]);
    expect(lineage.lineage[0]!.licenses).toHaveLength(1);
    expect((await query("models", "model/1")).json).toMatchObject({ name: "coverage-model", version: "1" });
  });

  it("gov and attestation query services", async () => {
    const gov = kyochi.gov.v1;
    const service = MODULE_SERVICES.gov;
    const proposal = await call(
      service,
      "GetProposal",
      gov.GetProposalRequest,
      { id: 1 },
      gov.GetProposalResponse,
    );
    expect(proposal).toMatchObject({ id: 1, title: "Coverage", status: "voting_period" });
    const proposals = await call(
      service,
      "ListProposals",
      gov.ListProposalsRequest,
      { status: "voting_period" },
      gov.ListProposalsResponse,
    );
    expect(proposals.proposals.map((p) => p.id)).toEqual([1]);
    const votes = await call(
      service,
      "GetVotes",
      gov.GetVotesRequest,
      { proposalId: 1 },
      gov.GetVotesResponse,
    );
    expect(votes.votes.map((v) => ({ voter: v.voter, option: v.option }))).toEqual([
      { voter: chain.net.operator, option: "yes" },
    ]);
    const plan = await call(
      service,
      "GetUpgradePlan",
      gov.GetUpgradePlanRequest,
      {},
      gov.GetUpgradePlanResponse,
    );
    expect(plan.height).toBeGreaterThan(0);
    expect(plan.plan).toBeNull();
    const params = await call(service, "GetParams", gov.GetParamsRequest, {}, gov.GetParamsResponse);
    // The genesis this test wrote: a voting period longer than the test.
    expect(params.params.gov?.values?.voting_blocks).toBe("100000");
    expect(Object.keys(params.params)).toEqual(expect.arrayContaining(["compute", "staking"]));
    expect((await query("gov", "proposal/1")).json).toMatchObject({ id: 1, status: "voting_period" });

    const attestation = kyochi.attestation.v1;
    const a = MODULE_SERVICES.attestation;
    const roots = await call(
      a,
      "GetTrustedRoots",
      attestation.GetTrustedRootsRequest,
      {},
      attestation.GetTrustedRootsResponse,
    );
    expect(roots.trustedRoots.length).toBeGreaterThan(0);
    const measurements = await call(
      a,
      "GetAllowedMeasurements",
      attestation.GetAllowedMeasurementsRequest,
      { evidenceClass: "dev" },
      attestation.GetAllowedMeasurementsResponse,
    );
    expect(measurements.allowedMeasurements.map((x) => x.evidenceClass)).toContain("dev");
    const raw = await query("attestation", "trusted_roots");
    expect(raw.json).toMatchObject({ trustedRoots: roots.trustedRoots.map((r) => ({ id: r.id })) });
  });

  it("health and reflection, as stock clients see them", async () => {
    expect(await healthCheck(chain.grpcAddress, "")).toBe("SERVING");
    for (const name of describedServiceNames())
      expect(await healthCheck(chain.grpcAddress, name), name).toBe("SERVING");
    called.add(HEALTH_CHECK);
    expect(await healthWatchFirst(chain.grpcAddress, "")).toBe("SERVING");
    called.add(HEALTH_WATCH);
    const reflection = reflectionClient(chain.grpcAddress);
    try {
      expect(await reflection.listServices()).toEqual(expect.arrayContaining(describedServiceNames()));
      // A method the stock client knows only from what reflection described, called on the node.
      const learned = await reflectedClient(reflection, chain.grpcAddress, CHAIN_SERVICE);
      try {
        expect(await learned.unary("GetStatus", {})).toMatchObject({ chainId: chain.chainId });
      } finally {
        learned.close();
      }
    } finally {
      reflection.close();
    }
    called.add(REFLECTION);
  });

  it("called every method of every service in the descriptor", () => {
    const expected = describedServiceNames().flatMap((service) =>
      Object.keys(describedMethods(service)).map((method) => `${service}/${method}`),
    );
    expect([...called].sort()).toEqual([...expected, HEALTH_CHECK, HEALTH_WATCH, REFLECTION].sort());
  });
});
