// The declared results of the module methods (rpc/module-json.ts) are what the node sends: every
// module method is called through the SDK over HTTP JSON-RPC against two populated applications
// (rpc/testing/populated-chains.ts), and each answer must have exactly the keys its type declares,
// at every depth. The key tables are typed Shape<result type>, so a change of a view type does not
// compile until its table follows; the test then fails until the node's answers follow too. Every
// nested object of every table must have been met with a value at least once (no null-only or
// empty-list-only coverage), and every module method must have been checked.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { CamelCase, GovContentJson, ModuleResults } from "../module-json.js";
import { serveAppJsonRpc } from "../testing/app-backend.js";
import { type PopulatedChains, populateChains } from "../testing/populated-chains.js";
import type { RpcMethods } from "../types.js";
import type { KyochiRpcClient } from "./client.js";
import { type Shape, ShapeChecker } from "./json-shape-fixture.js";

type Results = ModuleResults;
type Item<M extends keyof Results, K extends keyof Results[M]> = Results[M][K] extends readonly (infer E)[]
  ? E
  : never;

const DATASET: Shape<Item<"data_listDatasets", "datasets">> = {
  id: true,
  owner: true,
  name: true,
  contentRoot: true,
  sizeBytes: true,
  locationUri: true,
  format: true,
  descriptionHash: true,
  createdHeight: true,
  offerCount: true,
  licenseCount: true,
};

const OFFER: Shape<Item<"data_getDataset", "offers">> = {
  datasetId: true,
  offerId: true,
  price: true,
  durationBlocks: true,
  commercialUse: true,
  trainingAllowed: true,
  royaltyBps: true,
  maxLicenses: true,
  sold: true,
  retired: true,
  createdHeight: true,
};

const LICENSE: Shape<Item<"data_listLicenses", "licenses">> = {
  id: true,
  licensee: true,
  datasetId: true,
  offerId: true,
  price: true,
  durationBlocks: true,
  commercialUse: true,
  trainingAllowed: true,
  royaltyBps: true,
  grantedHeight: true,
  expiresHeight: true,
};

const MODEL: Shape<Item<"model_list", "models">> = {
  id: true,
  name: true,
  version: true,
  owner: true,
  weightsHash: true,
  sizeBytes: true,
  format: true,
  locationUri: true,
  cardHash: true,
  inferenceFee: true,
  parentId: true,
  licenseIds: true,
  allowDerivatives: true,
  derivativeRoyaltyBps: true,
  deprecated: true,
  createdHeight: true,
  depth: true,
};

const LINEAGE_ENTRY: Shape<Item<"model_getLineage", "lineage">> = {
  id: true,
  name: true,
  version: true,
  owner: true,
  depth: true,
  parentId: true,
  deprecated: true,
  inferenceFee: true,
  derivativeRoyaltyBps: true,
  licenses: {
    licenseId: true,
    datasetId: true,
    datasetOwner: true,
    licensee: true,
    royaltyBps: true,
    commercialUse: true,
    trainingAllowed: true,
    expiresHeight: true,
  },
};

const JOB: Shape<Item<"compute_listJobs", "jobs">> = {
  id: true,
  owner: true,
  modelId: true,
  inputHash: true,
  inputUri: true,
  params: true,
  replication: true,
  maxPrice: true,
  modelFee: true,
  escrow: true,
  minGpuMemoryMib: true,
  deadlineHeight: true,
  state: true,
  submittedHeight: true,
  round: true,
  assignments: {
    worker: true,
    operator: true,
    price: true,
    state: true,
    trusted: true,
    commitment: true,
    resultHash: true,
    committedHeight: true,
    revealedHeight: true,
  },
  pastWorkers: true,
  assignedHeight: true,
  commitEndHeight: true,
  revealEndHeight: true,
  resultHash: true,
  resultOutput: true,
  resultUri: true,
  settledHeight: true,
  paidWorkers: true,
  paidModelFee: true,
  refunded: true,
  auditOf: true,
  failure: true,
};

const WORKER: Shape<Item<"compute_listWorkers", "workers">> = {
  address: true,
  operator: true,
  keyType: true,
  publicKey: true,
  stake: true,
  price: true,
  status: true,
  capabilities: { gpuModel: true, gpuMemoryMib: true, runtimes: true, maxConcurrentJobs: true },
  jailedUntil: true,
  unbondingDoneHeight: true,
  activeJobs: true,
  consecutiveFaults: true,
  reputation: {
    jobsAgreed: true,
    jobsMinority: true,
    jobsMissed: true,
    auditsPassed: true,
    auditsFailed: true,
    slashes: true,
    slashedTotal: true,
  },
  registeredHeight: true,
  attestation: {
    evidenceClass: true,
    trusted: true,
    deviceId: true,
    reportDigest: true,
    gpuIndex: true,
    arch: true,
    anchorHeight: true,
    attestedHeight: true,
    expiresHeight: true,
    expired: true,
    driverVersion: true,
    vbiosVersion: true,
  },
};

const TALLY = { yes: true, no: true, abstain: true, noWithVeto: true, totalBonded: true } as const;

const CONTENT: Shape<GovContentJson> = {
  $by: "type",
  $variants: {
    text: { type: true },
    param_change: { type: true, changes: { module: true, key: true, value: true }, effectiveHeight: true },
    add_trusted_root: { type: true, evidenceClass: true, label: true, rootId: true, certificateDer: true },
    remove_trusted_root: { type: true, rootId: true },
    set_measurement: { type: true, evidenceClass: true, index: true, value: true, allowed: true },
    software_upgrade: { type: true, name: true, height: true, info: true },
    cancel_software_upgrade: { type: true },
  },
};

const PROPOSAL: Shape<Item<"gov_listProposals", "proposals">> = {
  id: true,
  proposer: true,
  title: true,
  summary: true,
  content: CONTENT,
  status: true,
  submitHeight: true,
  depositEndHeight: true,
  votingStartHeight: true,
  votingEndHeight: true,
  totalDeposit: true,
  finalTally: TALLY,
  failureReason: true,
};

const TRUSTED_ROOT: Shape<Item<"attestation_getTrustedRoots", "trustedRoots">> = {
  id: true,
  evidenceClass: true,
  label: true,
  certificateDer: true,
  addedHeight: true,
};

const MEASUREMENT: Shape<Item<"attestation_getAllowedMeasurements", "allowedMeasurements">> = {
  evidenceClass: true,
  index: true,
  value: true,
  addedHeight: true,
};

const PARAMS: Shape<Omit<Results["chain_getParams"], "height">> = {
  bank: { minGasPrice: true },
  staking: { powerReduction: true, maxValidators: true, unbondingBlocks: true, minSelfStake: true },
  slashing: {
    signedBlocksWindow: true,
    minSignedPerWindowBps: true,
    slashFractionDoubleSignBps: true,
    slashFractionDowntimeBps: true,
    downtimeJailBlocks: true,
    maxEvidenceAgeBlocks: true,
  },
  models: { maxLineageDepth: true, maxLicensesPerModel: true },
  gov: {
    minDeposit: true,
    maxDepositBlocks: true,
    votingBlocks: true,
    quorumBps: true,
    thresholdBps: true,
    vetoThresholdBps: true,
  },
  compute: {
    minWorkerStake: true,
    workerUnbondingBlocks: true,
    maxReplication: true,
    commitWindowBlocks: true,
    revealWindowBlocks: true,
    slashMissedBps: true,
    slashMinorityBps: true,
    slashAuditBps: true,
    maxFaults: true,
    jailBlocks: true,
    maxReruns: true,
    rerunExtraReplicas: true,
    auditBps: true,
    maxAssignmentsPerBlock: true,
    maxParamsBytes: true,
    maxOutputBytes: true,
    maxJobBlocks: true,
  },
  attestation: { anchorWindowBlocks: true, validityBlocks: true, anyValueIndices: true },
  tx: { maxTxBytes: true, maxMemoBytes: true, maxMsgs: true, maxNonceGap: true },
  block: { maxBytes: true, maxGas: true },
};

/** One table per module method: a method without one does not compile. */
const TABLES: { [M in keyof Results]: Shape<Results[M]> } = {
  chain_getParams: { height: true, ...PARAMS },
  data_getDataset: { height: true, ...DATASET, offers: OFFER },
  data_listDatasets: { height: true, datasets: DATASET, nextCursor: true },
  data_getLicense: { height: true, ...LICENSE },
  data_listLicenses: { height: true, licenses: LICENSE, nextCursor: true },
  model_get: { height: true, ...MODEL },
  model_list: { height: true, models: MODEL, nextCursor: true },
  model_getLineage: { height: true, modelId: true, lineage: LINEAGE_ENTRY },
  gov_getProposal: { height: true, ...PROPOSAL, tally: { $optional: TALLY } },
  gov_listProposals: { height: true, proposals: PROPOSAL, nextCursor: true },
  gov_getVotes: { height: true, votes: { proposalId: true, voter: true, option: true }, nextCursor: true },
  gov_getUpgradePlan: { height: true, plan: { name: true, height: true, info: true, proposalId: true } },
  attestation_getTrustedRoots: { height: true, trustedRoots: TRUSTED_ROOT, nextCursor: true },
  attestation_getAllowedMeasurements: { height: true, allowedMeasurements: MEASUREMENT, nextCursor: true },
  compute_getJob: { height: true, ...JOB },
  compute_listJobs: { height: true, jobs: JOB, nextCursor: true },
  compute_getWorker: { height: true, ...WORKER },
  compute_listWorkers: { height: true, workers: WORKER, nextCursor: true },
};

let chains: PopulatedChains;
let onCompute: Awaited<ReturnType<typeof serveAppJsonRpc>>;
let onGov: Awaited<ReturnType<typeof serveAppJsonRpc>>;
const checker = new ShapeChecker();
const checked = new Set<keyof Results>();

/** Checks `answer` (what the SDK method for `method` resolved to) against the method's table. */
function check<M extends keyof Results>(method: M, answer: Results[M]): Results[M] {
  checked.add(method);
  checker.check(method, TABLES[method], JSON.parse(JSON.stringify(answer)));
  return answer;
}

beforeAll(async () => {
  chains = await populateChains();
  onCompute = await serveAppJsonRpc(chains.compute.fixture.chain);
  onGov = await serveAppJsonRpc(chains.gov.chain);
}, 120_000);

afterAll(async () => {
  await onCompute?.server.close();
  await onGov?.server.close();
  await chains?.close();
});

describe("module method results have exactly the keys their types declare", () => {
  it("the SDK resolves each method to its declared result type", () => {
    expectTypeOf<CamelCase<"no_with_veto">>().toEqualTypeOf<"noWithVeto">();
    expectTypeOf<CamelCase<"id">>().toEqualTypeOf<"id">();
    expectTypeOf<ReturnType<KyochiRpcClient["getJob"]>>().toEqualTypeOf<Promise<Results["compute_getJob"]>>();
    expectTypeOf<RpcMethods["compute_getJob"]["result"]>().toEqualTypeOf<Results["compute_getJob"]>();
    expectTypeOf<Results["compute_getJob"]["resultHash"]>().toEqualTypeOf<string | null>();
    expectTypeOf<Results["compute_getWorker"]["attestation"]>().toEqualTypeOf<
      Results["compute_listWorkers"]["workers"][number]["attestation"]
    >();
    expectTypeOf<Results["model_get"]["licenseIds"]>().toEqualTypeOf<number[]>();
    expectTypeOf<Results["gov_getProposal"]["tally"]>().toEqualTypeOf<
      { yes: string; no: string; abstain: string; noWithVeto: string; totalBonded: string } | undefined
    >();
  });

  it("data and models", async () => {
    const client = onCompute.client;
    const { modelOwner } = chains.compute;
    const dataset = check("data_getDataset", await client.getDataset(1));
    expect(dataset.offers.map((o) => o.offerId)).toEqual([1]);
    check("data_listDatasets", await client.listDatasets({ owner: modelOwner.bech32 }));
    const license = check("data_getLicense", await client.getLicense(1));
    expect(license.licensee).toBe(modelOwner.bech32);
    check("data_listLicenses", await client.listLicenses({ datasetId: 1 }));
    check("data_listLicenses", await client.listLicenses({ licensee: modelOwner.bech32 }));
    check("model_get", await client.getModel(1));
    const derivative = check("model_get", await client.getModel({ name: "tiny-mlp-tuned", version: "2" }));
    expect(derivative.parentId).toBe(1);
    check("model_list", await client.listModels());
    const lineage = check("model_getLineage", await client.getModelLineage(2));
    expect(lineage.lineage.map((m) => m.id)).toEqual([2, 1]);
    expect(lineage.lineage[1]?.licenses.map((l) => l.licenseId)).toEqual([1]);
  });

  it("compute: jobs in every state and workers with and without attestation", async () => {
    const client = onCompute.client;
    const states = [];
    for (const id of [1, 2, 3, 4]) states.push(check("compute_getJob", await client.getJob(id)).state);
    expect(states).toEqual(["settled", "pending", "cancelled", "commit"]);
    check("compute_listJobs", await client.listJobs());
    const attested = [];
    for (const w of Object.values(chains.compute.workers)) {
      const worker = check("compute_getWorker", await client.getWorker(w.bech32));
      attested.push(worker.attestation?.evidenceClass ?? null);
    }
    expect(attested).toEqual(["dev", "dev", "dev", "nvidia-cc", null]);
    check("compute_listWorkers", await client.listWorkers());
  });

  it("attestation, params and the upgrade plan on both chains", async () => {
    for (const { client } of [onCompute, onGov]) {
      check("attestation_getTrustedRoots", await client.getTrustedRoots());
      check("chain_getParams", await client.getParams());
      check("gov_getUpgradePlan", await client.getUpgradePlan());
    }
    const measurements = check(
      "attestation_getAllowedMeasurements",
      await onCompute.client.getAllowedMeasurements("dev"),
    );
    expect(measurements.allowedMeasurements.length).toBeGreaterThan(0);
    expect((await onGov.client.getUpgradePlan()).plan).toMatchObject({ name: "v2", height: 1000 });
    expect((await onCompute.client.getUpgradePlan()).plan).toBeNull();
  });

  it("gov: proposals of every content type and state, votes", async () => {
    const client = onGov.client;
    const statuses = new Set<string>();
    for (let id = 1; id <= 8; id++)
      statuses.add(check("gov_getProposal", await client.getProposal(id)).status);
    expect([...statuses].sort()).toEqual(["deposit_period", "passed", "rejected", "voting_period"]);
    check("gov_listProposals", await client.listProposals());
    const votes = check("gov_getVotes", await client.getVotes(2));
    expect(votes.votes.map((v) => v.option).sort()).toEqual(["abstain", "no", "no_with_veto", "yes"]);
  });

  it("every method was checked, every answer fit, every nested object was met", () => {
    expect([...checked].sort()).toEqual(Object.keys(TABLES).sort());
    expect(checker.problems).toEqual([]);
    expect(checker.unfilled()).toEqual([]);
  });
});
