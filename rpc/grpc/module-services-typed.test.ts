// The guard against silently dropped fields: every typed module method, called over a real gRPC
// connection, answers a message whose toObject equals the result of its JSON-RPC twin for the same
// params, against two real applications on LevelDB filled with signed txs so that the answers have
// every kind of field set: validators (one unbonding), workers (hardware-attested, dev, never
// attested and unbonding), jobs (settled, pending, cancelled, assigned), a dataset with an offer and
// a license, a model and a derivative citing it, and governance proposals of every content type
// (passed, rejected, in their deposit and voting periods) with votes of every option and a
// scheduled upgrade.
//
// Two checks per call (rpc/grpc/typed-fixture.ts): misfits() fails on any key of the JSON result
// that the response message has no field for, whatever its value (fromObject would drop it
// silently), and on a null where the field cannot be absent; then both answers, without what
// proto3 cannot tell from unset (null, "", 0, false, empty), must be deep-equal, which also
// catches a value of the wrong type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDevRootCa } from "../../crypto/attestation/dev-evidence.js";
import { resultCommitment } from "../../crypto/compute-commitment.js";
import { sha256 } from "../../crypto/hash.js";
import { type ComputeFixture, startComputeFixture } from "../../execution/modules/compute/worker-fixture.js";
import {
  content,
  type GovFixture,
  startGovFixture,
  submitMsg,
  voteMsg,
} from "../../execution/modules/gov/gov-fixture.js";
import { stakingUnbond } from "../../execution/staking-fixture.js";
import type { TestAccount } from "../../execution/test-helpers.js";
import { kyochi, ModelFormat } from "../../proto/index.js";
import {
  computeCancelJobMsg,
  computeCommitResultMsg,
  computeRevealResultMsg,
  computeSubmitJobMsg,
  computeUnbondWorkerMsg,
} from "../client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../client/msgs-data.js";
import { modelsRegisterMsg } from "../client/msgs-models.js";
import { METHODS } from "../jsonrpc/methods/index.js";
import { camelize } from "../jsonrpc/methods/module-query.js";
import type { RpcMethodName } from "../types.js";
import { describedMethods } from "./descriptor.js";
import { MODULE_SERVICES } from "./module-services.js";
import { messageType, misfits, type ServedChain, serveChain, withoutUnset } from "./typed-fixture.js";

type Service = keyof typeof MODULE_SERVICES;

/** What the static classes of a request or response message offer. */
interface Codec {
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: { defaults: boolean; longs: NumberConstructor }): object;
}

const PACKAGES: Record<Service, object> = {
  bank: kyochi.bank.v1,
  staking: kyochi.staking.v1,
  compute: kyochi.compute.v1,
  attestation: kyochi.attestation.v1,
  models: kyochi.models.v1,
  data: kyochi.data.v1,
  gov: kyochi.gov.v1,
};

function codec(service: Service, name: string): Codec {
  const found = (PACKAGES[service] as Record<string, Codec | undefined>)[name];
  if (found === undefined) throw new Error(`no message ${name} in ${service}`);
  return found;
}

const compared = new Set<string>();
const OUTPUT = new TextEncoder().encode("canonical output tensors");
const MAX_PRICE = 1000n;
const MODEL_FEE = 100n;

let c: ComputeFixture;
let g: GovFixture;
let onCompute: ServedChain;
let onGov: ServedChain;
const w = {} as Record<"a" | "b" | "c" | "trusted" | "idle", TestAccount>;
let owner: TestAccount;
let modelOwner: TestAccount;

/** The typed answer of `service`/`method` and the JSON-RPC result, both as plain objects. */
async function both(
  on: ServedChain,
  service: Service,
  method: string,
  request: object,
  rpc: RpcMethodName,
  params: object,
): Promise<{ viaGrpc: Record<string, unknown>; viaJson: Record<string, unknown> }> {
  const name = MODULE_SERVICES[service];
  const res = codec(service, `${method}Response`);
  const decoded = await on.client.call(
    `/${name}/${method}`,
    codec(service, `${method}Request`),
    request,
    res,
  );
  const viaGrpc = res.toObject(decoded, { defaults: false, longs: Number }) as Record<string, unknown>;
  // As the JSON-RPC server sends it.
  const viaJson = JSON.parse(JSON.stringify(await METHODS[rpc](params, on.ctx))) as Record<string, unknown>;
  compared.add(`${name}/${method}`);
  return { viaGrpc, viaJson };
}

/** Calls both surfaces and checks that they agree; returns the JSON-RPC result. */
async function agree(
  on: ServedChain,
  service: Service,
  method: string,
  request: object,
  rpc: RpcMethodName,
  params: object = request,
): Promise<Record<string, unknown>> {
  const { viaGrpc, viaJson } = await both(on, service, method, request, rpc, params);
  const type = messageType(`${MODULE_SERVICES[service].replace(/\.\w+$/, "")}.${method}Response`);
  const label = `${service}/${method} ${JSON.stringify(request)}`;
  expect(misfits(type, viaJson), label).toEqual([]);
  expect(withoutUnset(viaGrpc), label).toEqual(withoutUnset(viaJson));
  return viaJson;
}

async function ok(f: { run(...txs: Uint8Array[]): Promise<{ codes: string[] }> }, ...txs: Uint8Array[]) {
  const { codes } = await f.run(...txs);
  expect(codes).toEqual(txs.map(() => "OK"));
}

const submitJob = (replication: number, minGpuMemoryMib = 0) =>
  computeSubmitJobMsg({
    modelId: 1,
    inputHash: sha256(new TextEncoder().encode("input")),
    inputUri: "data:,input",
    replication,
    maxPrice: MAX_PRICE,
    escrow: BigInt(replication) * MAX_PRICE + MODEL_FEE,
    deadlineBlocks: 200,
    minGpuMemoryMib,
  });

async function fillCompute(): Promise<void> {
  c = await startComputeFixture({ operators: 5 });
  const [op0, op1, op2, op3, op4] = c.operators as [
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
  ];
  owner = op3;
  modelOwner = op4;
  w.a = await c.registerWorker(op0);
  w.b = await c.registerWorker(op1);
  w.c = await c.registerWorker(op2);
  w.trusted = await c.registerWorker(op0);
  w.idle = await c.registerWorker(op1);
  for (const x of [w.a, w.b, w.c]) await c.attestWorker(x, { evidenceClass: "dev" });
  await c.attestWorker(w.trusted, { evidenceClass: "nvidia-cc" });
  await ok(c, c.tx(op1, computeUnbondWorkerMsg(w.idle.address)));
  // A validator with stake on its way out.
  const v0 = c.validators[0]!;
  await ok(c, c.tx(v0.operator, stakingUnbond(1_000_000n)));

  await ok(
    c,
    c.tx(
      modelOwner,
      dataRegisterMsg({
        name: "corpus",
        contentRoot: new Uint8Array(32).fill(7),
        sizeBytes: 4096,
        locationUri: "s3://bucket/corpus",
        format: "parquet",
        descriptionHash: new Uint8Array(32).fill(9),
      }),
    ),
  );
  await ok(
    c,
    c.tx(
      modelOwner,
      dataAddOfferMsg(1, {
        price: 5n,
        durationBlocks: 1000,
        commercialUse: true,
        trainingAllowed: true,
        royaltyBps: 1000,
        maxLicenses: 10,
      }),
    ),
  );
  await ok(c, c.tx(modelOwner, dataBuyLicenseMsg(1, 1)));
  const model = {
    weightsHash: new Uint8Array(32).fill(1),
    sizeBytes: 4096,
    format: ModelFormat.MODEL_FORMAT_ONNX,
    cardHash: new Uint8Array(32).fill(2),
    inferenceFee: MODEL_FEE,
  };
  await ok(
    c,
    c.tx(
      modelOwner,
      modelsRegisterMsg({
        ...model,
        name: "tiny-mlp",
        version: "1",
        locationUri: "ipfs://tiny-mlp",
        licenseIds: [1],
        allowDerivatives: true,
        derivativeRoyaltyBps: 500,
      }),
    ),
  );
  await ok(
    c,
    c.tx(
      modelOwner,
      modelsRegisterMsg({
        ...model,
        name: "tiny-mlp-tuned",
        version: "2",
        locationUri: "ipfs://tiny-mlp-tuned",
        licenseIds: [],
        parentId: 1,
      }),
    ),
  );

  // Job 1 (r = 3): assigned to the trusted worker and one dev worker of each other operator,
  // committed, revealed, settled. Job 2 pending (no worker has that much memory), job 3
  // cancelled, job 4 assigned and waiting for its commit.
  await ok(c, c.tx(owner, submitJob(3)));
  const resultHash = sha256(OUTPUT);
  const salt = (x: TestAccount) => sha256(x.address).subarray(0, 16);
  const committers = [w.trusted, w.b, w.c];
  await ok(
    c,
    ...committers.map((x) =>
      c.tx(
        x,
        computeCommitResultMsg(
          1,
          resultCommitment({ jobId: 1, round: 0, resultHash, salt: salt(x), worker: x.address }),
        ),
      ),
    ),
  );
  await ok(
    c,
    ...committers.map((x) =>
      c.tx(x, computeRevealResultMsg({ jobId: 1, resultHash, salt: salt(x), output: OUTPUT })),
    ),
  );
  await ok(c, c.tx(modelOwner, submitJob(1, 1_000_000)));
  await ok(c, c.tx(owner, submitJob(1, 1_000_000)));
  await ok(c, c.tx(owner, computeCancelJobMsg(3)));
  await ok(c, c.tx(owner, submitJob(1)));
}

async function fillGov(): Promise<void> {
  const kept = generateDevRootCa({ timeMs: 1_700_000_000_000, commonName: "Kept Root" });
  const added = generateDevRootCa({ timeMs: 1_700_000_000_000, commonName: "Added Root" });
  g = await startGovFixture({
    attestation: {
      trusted_roots: [{ evidence_class: "dev", label: "kept", certificate_pem: kept.certificatePem }],
      allowed_measurements: [],
    },
  });
  const voteEnd = g.chain.height + 10;
  // Proposals 1-6, one block: every content type, enough deposit to vote at once.
  await ok(
    g,
    g.tx(g.alice, submitMsg(content.upgrade("v2", 1000, "https://example.org/v2"), 1000n, "upgrade")),
    g.tx(g.alice, submitMsg(content.params(voteEnd + 50, [["staking", "max_validators", 50]]), 1000n)),
    g.tx(g.alice, submitMsg(content.addRoot(added.certificateDer, "dev", "added"), 1000n)),
    g.tx(g.alice, submitMsg(content.measurement("dev", 3, new Uint8Array(48).fill(3), true), 1000n)),
    g.tx(g.alice, submitMsg(content.text(), 1000n)),
    g.tx(g.alice, submitMsg(content.cancelUpgrade(), 1000n)),
  );
  const [v0, v1, v2, v3] = g.validators as [
    (typeof g.validators)[0],
    (typeof g.validators)[0],
    (typeof g.validators)[0],
    (typeof g.validators)[0],
  ];
  // Proposal 1 passes; proposal 2 gets one vote of each option (and is rejected).
  await ok(
    g,
    g.tx(v0.operator, voteMsg(1, "yes"), voteMsg(2, "yes")),
    g.tx(v1.operator, voteMsg(1, "yes"), voteMsg(2, "no")),
    g.tx(v2.operator, voteMsg(1, "yes"), voteMsg(2, "abstain")),
    g.tx(v3.operator, voteMsg(1, "yes"), voteMsg(2, "veto")),
  );
  await g.chain.advanceTo(voteEnd);
  // Proposal 7 waits for deposits; proposal 8 is being voted on (a live tally).
  await ok(
    g,
    g.tx(g.bob, submitMsg(content.removeRoot(sha256(kept.certificateDer)), 10n, "remove")),
    g.tx(g.bob, submitMsg(content.text(), 1000n, "live")),
  );
  await ok(g, g.tx(v0.operator, voteMsg(8, "no")));
}

beforeAll(async () => {
  await Promise.all([fillCompute(), fillGov()]);
  onCompute = await serveChain(c.chain);
  onGov = await serveChain(g.chain);
}, 120_000);

afterAll(async () => {
  await onCompute?.close();
  await onGov?.close();
  await c?.chain.close();
  await g?.chain.close();
});

describe("typed answers equal the JSON-RPC results", () => {
  it("bank and staking", async () => {
    await agree(onCompute, "bank", "GetAccount", { address: owner.bech32 }, "account_get");
    const all = await agree(onCompute, "staking", "ListValidators", {}, "staking_listValidators");
    const validators = all.validators as { operator: string; consensusAddress: string; unbonding: [] }[];
    expect(validators).toHaveLength(4);
    expect(validators.some((v) => v.unbonding.length > 0)).toBe(true);
    const page = await agree(onCompute, "staking", "ListValidators", { limit: 2 }, "staking_listValidators");
    expect(page.nextCursor).toBe(validators[1]?.operator);
    await agree(
      onCompute,
      "staking",
      "ListValidators",
      { limit: 2, cursor: page.nextCursor, status: "bonded" },
      "staking_listValidators",
    );
    for (const v of validators) {
      await agree(onCompute, "staking", "GetValidator", { address: v.operator }, "staking_getValidator");
      await agree(
        onCompute,
        "staking",
        "GetValidator",
        { address: v.consensusAddress, height: 2 },
        "staking_getValidator",
      );
    }
    const set = await agree(onCompute, "staking", "GetValidatorSet", {}, "staking_getValidatorSet");
    expect(set.validators).toHaveLength(4);
  });

  it("compute: every job and worker, lists with filters", async () => {
    for (const id of [1, 2, 3, 4]) await agree(onCompute, "compute", "GetJob", { id }, "compute_getJob");
    const settled = await agree(onCompute, "compute", "GetJob", { id: 1 }, "compute_getJob");
    expect(settled).toMatchObject({ state: "settled", resultOutput: expect.stringMatching(/^0x/) });
    await agree(onCompute, "compute", "ListJobs", {}, "compute_listJobs");
    await agree(onCompute, "compute", "ListJobs", { limit: 2 }, "compute_listJobs");
    await agree(
      onCompute,
      "compute",
      "ListJobs",
      { state: "commit", owner: owner.bech32 },
      "compute_listJobs",
    );
    for (const x of Object.values(w))
      await agree(onCompute, "compute", "GetWorker", { address: x.bech32 }, "compute_getWorker");
    const workers = await agree(onCompute, "compute", "ListWorkers", {}, "compute_listWorkers");
    expect((workers.workers as { attestation: unknown }[]).map((x) => x.attestation === null)).toContain(
      true,
    );
    await agree(onCompute, "compute", "ListWorkers", { attested: false, limit: 3 }, "compute_listWorkers");
  });

  it("attestation", async () => {
    await agree(onCompute, "attestation", "GetTrustedRoots", {}, "attestation_getTrustedRoots");
    await agree(
      onCompute,
      "attestation",
      "GetAllowedMeasurements",
      { evidenceClass: "dev" },
      "attestation_getAllowedMeasurements",
    );
  });

  it("models: a model and its derivative, by id and by name, lists and lineage", async () => {
    await agree(onCompute, "models", "GetModel", { id: 1 }, "model_get");
    await agree(onCompute, "models", "GetModel", { name: "tiny-mlp-tuned", version: "2" }, "model_get");
    await agree(onCompute, "models", "ListModels", {}, "model_list");
    const lineage = await agree(onCompute, "models", "GetLineage", { id: 2 }, "model_getLineage");
    expect(lineage.lineage).toHaveLength(2);
  });

  it("data: the dataset with its offer, the license, lists by licensee and by dataset", async () => {
    await agree(onCompute, "data", "GetDataset", { id: 1 }, "data_getDataset");
    await agree(onCompute, "data", "ListDatasets", { owner: modelOwner.bech32 }, "data_listDatasets");
    await agree(onCompute, "data", "GetLicense", { id: 1 }, "data_getLicense");
    await agree(onCompute, "data", "ListLicenses", { datasetId: 1 }, "data_listLicenses");
    await agree(onCompute, "data", "ListLicenses", { licensee: modelOwner.bech32 }, "data_listLicenses");
  });

  it("gov: proposals of every content type and state, votes, the upgrade plan", async () => {
    const statuses = new Set<unknown>();
    for (let id = 1; id <= 8; id++) {
      statuses.add((await agree(onGov, "gov", "GetProposal", { id }, "gov_getProposal")).status);
    }
    expect(statuses.size).toBeGreaterThanOrEqual(3);
    await agree(onGov, "gov", "ListProposals", {}, "gov_listProposals");
    await agree(onGov, "gov", "ListProposals", { status: "voting_period" }, "gov_listProposals");
    const votes = await agree(onGov, "gov", "GetVotes", { proposalId: 2 }, "gov_getVotes");
    expect(votes.votes).toHaveLength(4);
    const plan = await agree(onGov, "gov", "GetUpgradePlan", {}, "gov_getUpgradePlan");
    expect(plan.plan).toMatchObject({ name: "v2", height: 1000 });
    await agree(onCompute, "gov", "GetUpgradePlan", {}, "gov_getUpgradePlan");
  });

  it("gov: GetParams holds every parameter of chain_getParams, keys as a ParamChange names them", async () => {
    const { viaGrpc, viaJson } = await both(onGov, "gov", "GetParams", {}, "chain_getParams", {});
    // Back to chain_getParams' shape: sections at the top, values parsed, keys camelCased.
    const sections = viaGrpc.params as Record<string, { values: Record<string, string> }>;
    const reshaped: Record<string, unknown> = { height: viaGrpc.height };
    for (const [space, { values }] of Object.entries(sections)) {
      reshaped[space] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, JSON.parse(v)]));
    }
    expect(camelize(reshaped)).toEqual(viaJson);
    expect(sections.staking?.values.max_validators).toBe("100");
  });

  it("every typed method was compared", () => {
    const typed = Object.values(MODULE_SERVICES).flatMap((s) =>
      Object.keys(describedMethods(s))
        .filter((m) => m !== "Query")
        .map((m) => `${s}/${m}`),
    );
    expect(typed.filter((m) => !compared.has(m))).toEqual([]);
  });
});

describe("the guard itself", () => {
  it("names a key the message lacks and a null where the field cannot be absent", () => {
    const type = messageType("kyochi.compute.v1.ListJobsResponse");
    expect(
      misfits(type, { height: 3, jobs: [{ id: 1, owner: "kyo1x", extra: 0 }], nextCursor: null }),
    ).toEqual(["jobs[0].extra: no field in kyochi.compute.v1.JobView"]);
    expect(misfits(type, { height: null })).toEqual(["height: null in a field that cannot be absent"]);
  });

  it("compares what proto3 can carry: unset values drop, set ones must match", () => {
    expect(withoutUnset({ a: 0, b: "", c: null, d: [], e: { f: false }, g: [0, { h: "" }] })).toEqual({
      g: [0, {}],
    });
    expect(withoutUnset({ a: "1" })).not.toEqual(withoutUnset({ a: 1 }));
  });
});
