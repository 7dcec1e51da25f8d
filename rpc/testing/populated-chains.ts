// Two real applications (LevelDB, signed txs, executed blocks) whose module queries answer every
// kind of object with every optional part filled, for tests of the module methods' results:
//   compute chain: workers (hardware-attested, dev, never attested, unbonding), jobs (settled with
//     its assignments, pending, cancelled, assigned), a validator with stake unbonding, a dataset
//     with an offer and a license, a model citing the license and a derivative of it (lineage);
//   gov chain: proposals of every content type in every state that matters (passed with a final
//     tally, rejected, waiting for deposits, voting with a live tally), votes of every option, a
//     scheduled upgrade, and a trusted dev root.
// Building both takes a few seconds; close() closes both chains (and removes their directories).
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
import { ModelFormat } from "../../proto/index.js";
import {
  computeCancelJobMsg,
  computeCommitResultMsg,
  computeRevealResultMsg,
  computeSubmitJobMsg,
  computeUnbondWorkerMsg,
} from "../client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../client/msgs-data.js";
import { modelsRegisterMsg } from "../client/msgs-models.js";

export interface PopulatedComputeChain {
  fixture: ComputeFixture;
  /** Workers: a, b, c dev-attested; trusted nvidia-cc-attested; idle never attested and unbonding. */
  workers: Record<"a" | "b" | "c" | "trusted" | "idle", TestAccount>;
  /** Owner of jobs 1, 3 and 4. */
  jobOwner: TestAccount;
  /** Owner of dataset 1, models 1 and 2, holder of license 1, owner of job 2. */
  modelOwner: TestAccount;
}

export interface PopulatedChains {
  compute: PopulatedComputeChain;
  /** Proposals 1-8 (see fillGov); proposal 2 has one vote of each option. */
  gov: GovFixture;
  close(): Promise<void>;
}

const OUTPUT = new TextEncoder().encode("canonical output tensors");
const MAX_PRICE = 1000n;
const MODEL_FEE = 100n;

async function ok(f: { run(...txs: Uint8Array[]): Promise<{ codes: string[] }> }, ...txs: Uint8Array[]) {
  const { codes } = await f.run(...txs);
  const failed = codes.filter((code) => code !== "OK");
  if (failed.length > 0) throw new Error(`fixture txs failed: ${codes.join(", ")}`);
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

async function fillData(c: ComputeFixture, owner: TestAccount): Promise<void> {
  await ok(
    c,
    c.tx(
      owner,
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
  const offer = {
    price: 5n,
    durationBlocks: 1000,
    commercialUse: true,
    trainingAllowed: true,
    royaltyBps: 1000,
    maxLicenses: 10,
  };
  await ok(c, c.tx(owner, dataAddOfferMsg(1, offer)));
  await ok(c, c.tx(owner, dataBuyLicenseMsg(1, 1)));
  const model = {
    weightsHash: new Uint8Array(32).fill(1),
    sizeBytes: 4096,
    format: ModelFormat.MODEL_FORMAT_ONNX,
    cardHash: new Uint8Array(32).fill(2),
    inferenceFee: MODEL_FEE,
  };
  const base = {
    ...model,
    name: "tiny-mlp",
    version: "1",
    locationUri: "ipfs://tiny-mlp",
    licenseIds: [1],
    allowDerivatives: true,
    derivativeRoyaltyBps: 500,
  };
  await ok(c, c.tx(owner, modelsRegisterMsg(base)));
  const derivative = {
    ...model,
    name: "tiny-mlp-tuned",
    version: "2",
    locationUri: "ipfs://tiny-mlp-tuned",
    licenseIds: [],
    parentId: 1,
  };
  await ok(c, c.tx(owner, modelsRegisterMsg(derivative)));
}

export async function populateComputeChain(): Promise<PopulatedComputeChain> {
  const c = await startComputeFixture({ operators: 5 });
  const [op0, op1, op2, op3, op4] = c.operators as [
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
  ];
  const workers = {
    a: await c.registerWorker(op0),
    b: await c.registerWorker(op1),
    c: await c.registerWorker(op2),
    trusted: await c.registerWorker(op0),
    idle: await c.registerWorker(op1),
  };
  for (const x of [workers.a, workers.b, workers.c]) await c.attestWorker(x, { evidenceClass: "dev" });
  await c.attestWorker(workers.trusted, { evidenceClass: "nvidia-cc" });
  await ok(c, c.tx(op1, computeUnbondWorkerMsg(workers.idle.address)));
  const v0 = c.validators[0];
  if (v0 === undefined) throw new Error("the compute fixture has no validator");
  await ok(c, c.tx(v0.operator, stakingUnbond(1_000_000n)));
  await fillData(c, op4);

  // Job 1 (r = 3): assigned to the trusted worker and one dev worker of each other operator,
  // committed, revealed, settled. Job 2 pending (no worker has that much memory), job 3
  // cancelled, job 4 assigned and waiting for its commit.
  await ok(c, c.tx(op3, submitJob(3)));
  const resultHash = sha256(OUTPUT);
  const salt = (x: TestAccount) => sha256(x.address).subarray(0, 16);
  const committers = [workers.trusted, workers.b, workers.c];
  const commitment = (x: TestAccount) =>
    resultCommitment({ jobId: 1, round: 0, resultHash, salt: salt(x), worker: x.address });
  await ok(c, ...committers.map((x) => c.tx(x, computeCommitResultMsg(1, commitment(x)))));
  await ok(
    c,
    ...committers.map((x) =>
      c.tx(x, computeRevealResultMsg({ jobId: 1, resultHash, salt: salt(x), output: OUTPUT })),
    ),
  );
  await ok(c, c.tx(op4, submitJob(1, 1_000_000)));
  await ok(c, c.tx(op3, submitJob(1, 1_000_000)));
  await ok(c, c.tx(op3, computeCancelJobMsg(3)));
  await ok(c, c.tx(op3, submitJob(1)));
  return { fixture: c, workers, jobOwner: op3, modelOwner: op4 };
}

export async function populateGovChain(): Promise<GovFixture> {
  const kept = generateDevRootCa({ timeMs: 1_700_000_000_000, commonName: "Kept Root" });
  const added = generateDevRootCa({ timeMs: 1_700_000_000_000, commonName: "Added Root" });
  const g = await startGovFixture({
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
  const [v0, v1, v2, v3] = g.validators;
  if (v0 === undefined || v1 === undefined || v2 === undefined || v3 === undefined) {
    throw new Error("the gov fixture has fewer than 4 validators");
  }
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
  return g;
}

/** Both chains, built side by side. */
export async function populateChains(): Promise<PopulatedChains> {
  const [computeBuilt, govBuilt] = await Promise.allSettled([populateComputeChain(), populateGovChain()]);
  if (computeBuilt.status === "rejected" || govBuilt.status === "rejected") {
    // Close what was built before reporting what was not.
    if (computeBuilt.status === "fulfilled") await computeBuilt.value.fixture.chain.close();
    if (govBuilt.status === "fulfilled") await govBuilt.value.chain.close();
    throw computeBuilt.status === "rejected"
      ? computeBuilt.reason
      : (govBuilt as PromiseRejectedResult).reason;
  }
  const compute = computeBuilt.value;
  const gov = govBuilt.value;
  return {
    compute,
    gov,
    async close() {
      await compute.fixture.chain.close();
      await gov.chain.close();
    },
  };
}
