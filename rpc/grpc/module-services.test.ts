// The per-module query services against a real application on LevelDB (a dataset and a model
// registered with signed txs): each typed method answers its typed response message (the fields of
// its JSON-RPC twin's result; module-services-typed.test.ts compares the two field by field),
// refuses what that method refuses (with gRPC codes), and each Query serves its own module's paths
// only.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestChain, type TestChain } from "../../execution/test-chain.js";
import { newAccount, signedMsgs, type TestAccount, testGenesis } from "../../execution/test-helpers.js";
import { Account, kyochi, ModelFormat, type Msg } from "../../proto/index.js";
import { dataRegisterMsg } from "../client/msgs-data.js";
import { modelsRegisterMsg } from "../client/msgs-models.js";
import { appBackend } from "../testing/app-backend.js";
import { failureOf, RawGrpcClient } from "./client-fixture.js";
import { describedMethods } from "./descriptor.js";
import { MODULE_SERVICES } from "./module-services.js";
import { type GrpcServer, startGrpcServer } from "./server.js";

const GAS = 300_000;
let chain: TestChain;
let server: GrpcServer;
let client: RawGrpcClient;
let alice: TestAccount;
const called = new Set<string>();

interface Encodes<T> {
  encode(m: T): { finish(): Uint8Array };
}

interface Decodes<T> {
  decode(bytes: Uint8Array): T;
  toObject(m: T, options: { defaults: boolean; arrays: boolean; longs: NumberConstructor }): object;
}

/** Calls `service`/`method` and decodes its typed answer (arrays always present, even empty). */
async function typed<Req, Res>(
  service: keyof typeof MODULE_SERVICES,
  method: string,
  codec: Encodes<Req>,
  request: Req,
  response: Decodes<Res>,
): Promise<Record<string, unknown>> {
  const name = MODULE_SERVICES[service];
  called.add(`${name}/${method}`);
  const answer = await client.call(`/${name}/${method}`, codec, request, response);
  return response.toObject(answer, { defaults: false, arrays: true, longs: Number }) as Record<
    string,
    unknown
  >;
}

/** Query(path, height), with its JSON answer parsed into `value`. */
async function query(service: keyof typeof MODULE_SERVICES, path: string, height = 0) {
  const name = MODULE_SERVICES[service];
  called.add(`${name}/Query`);
  const q = kyochi.query.v1;
  const answer = await client.call(`/${name}/Query`, q.QueryRequest, { path, height }, q.QueryResponse);
  return {
    height: answer.height,
    raw: answer.value,
    value: answer.json === "" ? undefined : (JSON.parse(answer.json) as unknown),
  };
}

beforeAll(async () => {
  alice = newAccount();
  const { genesis } = testGenesis([{ account: alice, balance: 100_000_000n }]);
  chain = await startTestChain(genesis);
  let nonce = 0;
  const ok = async (...messages: Msg[]) => {
    const tx = signedMsgs(alice, messages, { nonce: nonce++, gasLimit: GAS, fee: BigInt(GAS) });
    const { txResults } = await chain.block({ txs: [tx] });
    expect(txResults.map((r) => r.log)).toEqual([""]);
  };
  await ok(
    dataRegisterMsg({
      name: "corpus-1",
      contentRoot: new Uint8Array(32).fill(7),
      sizeBytes: 4096,
      locationUri: "s3://bucket/corpus-1",
      format: "parquet",
    }),
  );
  await ok(
    modelsRegisterMsg({
      name: "alice-llm",
      version: "1.0",
      weightsHash: new Uint8Array(32).fill(1),
      sizeBytes: 1_000_000,
      format: ModelFormat.MODEL_FORMAT_ONNX,
      locationUri: "ipfs://alice-llm",
      cardHash: new Uint8Array(32).fill(2),
      inferenceFee: 100n,
      licenseIds: [],
    }),
  );
  server = await startGrpcServer({ backend: appBackend(chain), port: 0 });
  client = new RawGrpcClient(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await chain?.close();
});

describe("typed module methods", () => {
  it("bank: GetAccount is typed; Query serves account paths", async () => {
    const bank = kyochi.bank.v1;
    called.add(`${MODULE_SERVICES.bank}/GetAccount`);
    const a = await client.call(
      `/${MODULE_SERVICES.bank}/GetAccount`,
      bank.GetAccountRequest,
      { address: alice.bech32 },
      bank.GetAccountResponse,
    );
    expect(a).toMatchObject({ address: alice.bech32, exists: true, nonce: 2, height: chain.height });
    expect(BigInt(a.balance)).toBe(100_000_000n - 2n * BigInt(GAS));
    const atGenesis = await client.call(
      `/${MODULE_SERVICES.bank}/GetAccount`,
      bank.GetAccountRequest,
      { address: alice.bech32, height: 1 },
      bank.GetAccountResponse,
    );
    // Height 1 is the block of alice's first tx.
    expect(atGenesis.nonce).toBe(1);
    const bad = await failureOf(
      client.call(
        `/${MODULE_SERVICES.bank}/GetAccount`,
        bank.GetAccountRequest,
        { address: "kyo1bad" },
        bank.GetAccountResponse,
      ),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    // The account path answers the encoded state record, not JSON.
    const raw = await query("bank", `account/${alice.bech32}`);
    expect(raw.value).toBeUndefined();
    expect(Account.decode(raw.raw).nonce).toBe(2);
  });

  it("data: datasets and licenses as data_*", async () => {
    const data = kyochi.data.v1;
    expect(
      await typed("data", "GetDataset", data.GetDatasetRequest, { id: 1 }, data.GetDatasetResponse),
    ).toMatchObject({
      id: 1,
      name: "corpus-1",
      owner: alice.bech32,
    });
    const list = await typed(
      "data",
      "ListDatasets",
      data.ListDatasetsRequest,
      {
        owner: alice.bech32,
        limit: 10,
      },
      data.ListDatasetsResponse,
    );
    expect((list.datasets as { name: string }[]).map((d) => d.name)).toEqual(["corpus-1"]);
    const missing = await failureOf(
      typed("data", "GetLicense", data.GetLicenseRequest, { id: 9 }, data.GetLicenseResponse),
    );
    expect(missing).toMatchObject({ code: status.NOT_FOUND, stable: "LICENSE_NOT_FOUND" });
    expect(
      (
        await typed(
          "data",
          "ListLicenses",
          data.ListLicensesRequest,
          { datasetId: 1 },
          data.ListLicensesResponse,
        )
      ).licenses,
    ).toEqual([]);
    expect(await query("data", "dataset/1")).toMatchObject({ value: { name: "corpus-1" } });
  });

  it("models: by id, by name and version, lists and lineage", async () => {
    const models = kyochi.models.v1;
    expect(
      await typed("models", "GetModel", models.GetModelRequest, { id: 1 }, models.GetModelResponse),
    ).toMatchObject({
      name: "alice-llm",
    });
    expect(
      await typed(
        "models",
        "GetModel",
        models.GetModelRequest,
        { name: "alice-llm", version: "1.0" },
        models.GetModelResponse,
      ),
    ).toMatchObject({ id: 1 });
    const conflict = await failureOf(
      typed(
        "models",
        "GetModel",
        models.GetModelRequest,
        { id: 1, name: "alice-llm", version: "1.0" },
        models.GetModelResponse,
      ),
    );
    expect(conflict.code).toBe(status.INVALID_ARGUMENT);
    expect(
      (await typed("models", "ListModels", models.ListModelsRequest, {}, models.ListModelsResponse)).models,
    ).toHaveLength(1);
    expect(
      await typed("models", "GetLineage", models.GetLineageRequest, { id: 1 }, models.GetLineageResponse),
    ).toHaveProperty("height");
    expect(await query("models", "model/1")).toMatchObject({ value: { name: "alice-llm" } });
  });

  it("compute: empty lists, NOT_FOUND for a missing job or worker, filters checked", async () => {
    const compute = kyochi.compute.v1;
    expect(
      (await failureOf(typed("compute", "GetJob", compute.GetJobRequest, { id: 1 }, compute.GetJobResponse)))
        .code,
    ).toBe(status.NOT_FOUND);
    expect(
      (
        await typed(
          "compute",
          "ListJobs",
          compute.ListJobsRequest,
          { state: "pending" },
          compute.ListJobsResponse,
        )
      ).jobs,
    ).toEqual([]);
    const badState = await failureOf(
      typed("compute", "ListJobs", compute.ListJobsRequest, { state: "dreaming" }, compute.ListJobsResponse),
    );
    expect(badState.code).toBe(status.INVALID_ARGUMENT);
    const worker = await failureOf(
      typed(
        "compute",
        "GetWorker",
        compute.GetWorkerRequest,
        { address: alice.bech32 },
        compute.GetWorkerResponse,
      ),
    );
    expect(worker.code).toBe(status.NOT_FOUND);
    const workers = await typed(
      "compute",
      "ListWorkers",
      compute.ListWorkersRequest,
      { attested: false },
      compute.ListWorkersResponse,
    );
    expect(workers.workers).toEqual([]);
    expect(await query("compute", "workers/")).toMatchObject({ value: { workers: [] } });
  });

  it("attestation, gov and staking", async () => {
    const attestation = kyochi.attestation.v1;
    const gov = kyochi.gov.v1;
    expect(
      (
        await typed(
          "attestation",
          "GetTrustedRoots",
          attestation.GetTrustedRootsRequest,
          {},
          attestation.GetTrustedRootsResponse,
        )
      ).trustedRoots,
    ).toEqual([]);
    expect(
      (
        await typed(
          "attestation",
          "GetAllowedMeasurements",
          attestation.GetAllowedMeasurementsRequest,
          {
            evidenceClass: "nvidia-cc",
          },
          attestation.GetAllowedMeasurementsResponse,
        )
      ).allowedMeasurements,
    ).toEqual([]);
    expect(await query("attestation", "trusted_roots")).toHaveProperty("height");
    const proposal = await failureOf(
      typed("gov", "GetProposal", gov.GetProposalRequest, { id: 1 }, gov.GetProposalResponse),
    );
    expect(proposal).toMatchObject({ code: status.NOT_FOUND, stable: "GOV_PROPOSAL_NOT_FOUND" });
    expect(
      (await typed("gov", "ListProposals", gov.ListProposalsRequest, {}, gov.ListProposalsResponse))
        .proposals,
    ).toEqual([]);
    expect(
      (
        await failureOf(
          typed("gov", "GetVotes", gov.GetVotesRequest, { proposalId: 1 }, gov.GetVotesResponse),
        )
      ).code,
    ).toBe(status.NOT_FOUND);
    expect(
      (await typed("gov", "GetUpgradePlan", gov.GetUpgradePlanRequest, {}, gov.GetUpgradePlanResponse)).plan,
    ).toBeUndefined();
    // Keys as a ParamChange names them, values as JSON text (a string amount keeps its quotes).
    const params = await typed("gov", "GetParams", gov.GetParamsRequest, {}, gov.GetParamsResponse);
    expect(params).toHaveProperty(["params", "bank", "values", "min_gas_price"], '"1"');
    expect(params).toHaveProperty(["params", "staking", "values", "max_validators"]);
    expect(await query("gov", "params")).toHaveProperty("value.gov");
    const validators = await query("staking", "validators");
    expect(validators).toHaveProperty("value");
  });

  it("staking: the validators, one by operator or consensus address, and the active set", async () => {
    const staking = kyochi.staking.v1;
    const list = await typed(
      "staking",
      "ListValidators",
      staking.ListValidatorsRequest,
      {},
      staking.ListValidatorsResponse,
    );
    const [first] = list.validators as { operator: string; consensusAddress: string; status: string }[];
    expect(first?.status).toBe("bonded");
    expect(list.total).toBe((list.validators as unknown[]).length);
    const byOperator = await typed(
      "staking",
      "GetValidator",
      staking.GetValidatorRequest,
      { address: first?.operator ?? "" },
      staking.GetValidatorResponse,
    );
    const byConsensus = await typed(
      "staking",
      "GetValidator",
      staking.GetValidatorRequest,
      { address: first?.consensusAddress ?? "" },
      staking.GetValidatorResponse,
    );
    expect(byOperator).toEqual(byConsensus);
    expect(byOperator).toMatchObject({ operator: first?.operator, height: chain.height });
    const set = await typed(
      "staking",
      "GetValidatorSet",
      staking.GetValidatorSetRequest,
      {},
      staking.GetValidatorSetResponse,
    );
    expect((set.validators as { operator: string }[]).map((v) => v.operator)).toContain(first?.operator);
    const missing = await failureOf(
      typed(
        "staking",
        "GetValidator",
        staking.GetValidatorRequest,
        { address: alice.bech32 },
        staking.GetValidatorResponse,
      ),
    );
    expect(missing).toMatchObject({ code: status.NOT_FOUND, stable: "UNKNOWN_VALIDATOR" });
  });
});

describe("Query(path, height)", () => {
  it("refuses another module's path with INVALID_ARGUMENT naming its own paths", async () => {
    const f = await failureOf(query("staking", "dataset/1"));
    expect(f).toMatchObject({ code: status.INVALID_ARGUMENT, stable: "PATH_NOT_IN_MODULE" });
    expect(f.details).toMatch(
      /StakingQueryService does not serve path "dataset\/1"; its paths start with: validators/,
    );
    expect((await failureOf(query("data", ""))).code).toBe(status.INVALID_ARGUMENT);
  });

  it("answers at a past height and refuses a future one", async () => {
    // The model was registered in block 2.
    expect(await query("models", "models/", 1)).toMatchObject({ height: 1, value: { models: [] } });
    expect((await query("models", "models/", 2)).value).toMatchObject({ models: [{ name: "alice-llm" }] });
    const future = await failureOf(query("data", "datasets/", chain.height + 1));
    expect(future).toMatchObject({ code: status.OUT_OF_RANGE, stable: "HEIGHT_NOT_COMMITTED" });
  });

  it("every module service method was called", () => {
    const all = Object.values(MODULE_SERVICES).flatMap((s) =>
      Object.keys(describedMethods(s)).map((m) => `${s}/${m}`),
    );
    expect(all.filter((m) => !called.has(m))).toEqual([]);
  });
});
