// The guard against silently dropped fields: every typed module method, called over a real gRPC
// connection, answers a message whose toObject equals the result of its JSON-RPC twin for the same
// params, against two real applications on LevelDB filled with signed txs so that the answers have
// every kind of field set (rpc/testing/populated-chains.ts): validators (one unbonding), workers
// (hardware-attested, dev, never attested and unbonding), jobs (settled, pending, cancelled,
// assigned), a dataset with an offer and a license, a model and a derivative citing it, and
// governance proposals of every content type (passed, rejected, in their deposit and voting
// periods) with votes of every option and a scheduled upgrade.
//
// Two checks per call (rpc/grpc/typed-fixture.ts): misfits() fails on any key of the JSON result
// that the response message has no field for, whatever its value (fromObject would drop it
// silently), and on a null where the field cannot be absent; then both answers, without what
// proto3 cannot tell from unset (null, "", 0, false, empty), must be deep-equal, which also
// catches a value of the wrong type.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestAccount } from "../../execution/test-helpers.js";
import { kyochi } from "../../proto/index.js";
import { METHODS } from "../jsonrpc/methods/index.js";
import { camelize } from "../jsonrpc/methods/module-query.js";
import { type PopulatedChains, populateChains } from "../testing/populated-chains.js";
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

let chains: PopulatedChains;
let onCompute: ServedChain;
let onGov: ServedChain;
let w: PopulatedChains["compute"]["workers"];
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

beforeAll(async () => {
  chains = await populateChains();
  ({ workers: w, jobOwner: owner, modelOwner } = chains.compute);
  onCompute = await serveChain(chains.compute.fixture.chain);
  onGov = await serveChain(chains.gov.chain);
}, 120_000);

afterAll(async () => {
  await onCompute?.close();
  await onGov?.close();
  await chains?.close();
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
    // The fixture's roots are nvidia-cc then dev: the dev filter leaves the first page of one empty.
    const roots = (request: object) =>
      agree(onCompute, "attestation", "GetTrustedRoots", request, "attestation_getTrustedRoots");
    expect(await roots({ evidenceClass: "dev", limit: 1 })).toMatchObject({
      trustedRoots: [],
      nextCursor: 1,
    });
    const dev = await roots({ evidenceClass: "dev", limit: 1, cursor: 1 });
    expect((dev.trustedRoots as { evidenceClass: string }[]).map((r) => r.evidenceClass)).toEqual(["dev"]);
    const second = await agree(
      onCompute,
      "attestation",
      "GetAllowedMeasurements",
      { evidenceClass: "dev", limit: 1, cursor: 1 },
      "attestation_getAllowedMeasurements",
    );
    expect(second.allowedMeasurements).toHaveLength(1);
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
