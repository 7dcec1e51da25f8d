// Compute jobs: how many inference jobs per second the chain can settle when workers answer
// instantly (chain-side cost only: no model runs, no network, no consensus rounds). A real chain on
// LevelDB gets W dev-attested workers (each its own operator, evidence of the real nvidia-cc layout
// made here) and a priced ONNX model citing a data license (10% royalty); jobs are then submitted
// by their owners and the workers commit and reveal with their own signed txs in the block right
// after they see their assignment, as the worker daemon does.
//
// Two runs per replication r:
//   phases    K jobs at a time, one phase per block (submit / commit / reveal): the cost of each
//             phase's txs and of the block end that follows it (assignment, opening the reveal
//             window, settlement with its royalty payments), and LevelDB commit;
//   pipeline  N jobs, K submitted per block while earlier jobs commit and reveal in the same
//             blocks (the steady state of a busy chain): jobs settled per second of block time
//             (finalizeBlock + commit + fsync), blocks per job, and each job's latency in blocks
//             from its submit block to its settle block.
//
//   node dist/scripts/bench/compute-jobs.js
// Env: KYOCHI_BENCH_QUICK=1 (small sizes), KYOCHI_BENCH_COMPUTE_WORKERS=8,
//      KYOCHI_BENCH_COMPUTE_REPLICATION=1,3, KYOCHI_BENCH_COMPUTE_JOBS=1280 (pipeline jobs per r),
//      KYOCHI_BENCH_COMPUTE_PER_BLOCK=64 (jobs submitted per block),
//      KYOCHI_BENCH_COMPUTE_PHASE_ROUNDS=5 (measured K-job rounds of the phase run, after one
//      warm-up round; the median is shown). The default K is compute.max_assignments_per_block's
//      default (64); a larger K raises that param in the bench's genesis.
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import {
  defaultDevMeasurements,
  generateDevRootCa,
  makeDevEvidence,
} from "../../crypto/attestation/dev-evidence.js";
import { attestationNonce } from "../../crypto/attestation/index.js";
import { resultCommitment } from "../../crypto/compute-commitment.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { encodeTensors } from "../../crypto/inference-output.js";
import { computeModule } from "../../execution/modules/compute/index.js";
import { startTestChain, type TestChain } from "../../execution/test-chain.js";
import {
  newAccount,
  signedMsgs,
  TEST_CHAIN_ID,
  type TestAccount,
  testGenesis,
} from "../../execution/test-helpers.js";
import type { FinalizeBlockResult } from "../../proto/application.js";
import { ModelFormat, type Msg } from "../../proto/index.js";
import {
  attestWorkerMsg,
  computeCommitResultMsg,
  computeRegisterWorkerMsg,
  computeRevealResultMsg,
  computeSubmitJobMsg,
} from "../../rpc/client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../../rpc/client/msgs-data.js";
import { modelsRegisterMsg } from "../../rpc/client/msgs-models.js";

const quick = process.env.KYOCHI_BENCH_QUICK === "1";
/** What the worker daemon signs its commits and reveals with (node/worker/tx-sender.ts). */
const TX_GAS = 400_000;
/** Attestation txs pay for six P-384 verifications. */
const ATTEST_GAS = 5_000_000;
const RICH = 10n ** 15n;
const WORKER_STAKE = 1_000_000n;
const WORKER_PRICE = 100n;
const MODEL_FEE = 1_000_003n;
/** The most jobs one worker holds at once (execution/modules/compute/worker-validate.ts). */
const WORKER_SLOTS = 64;
const EVIDENCE_TIME_MS = 1_700_000_000_000;

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw.trim());
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name}: not an integer >= ${min}: ${raw}`);
  return n;
}

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  return raw.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: not a positive integer: ${s}`);
    return n;
  });
}

interface EventLike {
  attributes?: { key?: string | null; value?: string | null }[] | null;
}

function attrs(e: EventLike): Record<string, string> {
  return Object.fromEntries((e.attributes ?? []).map((a) => [a.key ?? "", a.value ?? ""]));
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Where one block's time went (ms). */
interface BlockTiming {
  height: number;
  txs: number;
  /** finalizeBlock: signatures, tx execution, block begin and end, state tree commit. */
  finalizeMs: number;
  /** the compute module's block end alone (assignment, windows, settlement). */
  endBlockMs: number;
  /** app.commit + the LevelDB write (fsync). */
  commitMs: number;
  settled: number;
}

/** The job's output every honest worker computes: the canonical encoding of a [1, 4] tensor. */
const OUTPUT = encodeTensors([
  { name: "logits", dtype: "float32", dims: [1, 4], data: Float32Array.of(0.25, -1.5, 3, 0.125) },
]);
const INPUT = encodeTensors([
  { name: "x", dtype: "float32", dims: [1, 8], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
]);
const INPUT_URI = `data:application/octet-stream;base64,${Buffer.from(INPUT).toString("base64")}`;

interface Duty {
  jobId: number;
  round: number;
  worker: TestAccount;
  salt: Uint8Array;
}

/**
 * A chain with attested workers and a priced model, and instant workers: after each block they
 * commit to every assignment it made and reveal every commitment of the block before.
 */
class Harness {
  private readonly nonces = new Map<string, number>();
  private readonly workers = new Map<string, TestAccount>();
  private toCommit: Duty[] = [];
  private toReveal: Duty[] = [];
  private endBlockMs = 0;
  private finalizeMs = 0;
  private readonly restore: (() => void)[] = [];
  readonly submittedAt = new Map<number, number>();
  readonly settledAt = new Map<number, number>();
  modelId = 0;
  private ownerTurn = 0;

  private constructor(
    readonly chain: TestChain,
    private readonly owners: TestAccount[],
  ) {}

  static async start(workerCount: number, jobsPerBlock: number, ownerCount: number): Promise<Harness> {
    const operators = Array.from({ length: workerCount }, () => newAccount());
    const workerKeys = Array.from({ length: workerCount }, () => newAccount());
    const owners = Array.from({ length: ownerCount }, () => newAccount());
    const dataOwner = newAccount();
    const modelOwner = newAccount();
    const funded = [...operators, ...workerKeys, ...owners, dataOwner, modelOwner].map((account) => ({
      account,
      balance: RICH,
    }));
    const { genesis } = testGenesis(funded, [1], {
      block: { max_bytes: 64 * 1024 * 1024, max_gas: 4_000_000_000 },
    });
    genesis.params.compute = {
      ...genesis.params.compute,
      max_assignments_per_block: Math.max(genesis.params.compute.max_assignments_per_block, jobsPerBlock),
    };
    genesis.params.attestation = { ...genesis.params.attestation, validity_blocks: 1_000_000 };
    const devRoot = generateDevRootCa({ timeMs: EVIDENCE_TIME_MS });
    genesis.attestation = {
      trusted_roots: [
        { evidence_class: "dev", label: "bench dev root", certificate_pem: devRoot.certificatePem },
      ],
      allowed_measurements: [...defaultDevMeasurements()].map(([index, value]) => ({
        evidence_class: "dev",
        index,
        value: `0x${toHex(value)}`,
      })),
      allow_dev: true,
    };
    const h = new Harness(await startTestChain(genesis), owners);
    h.instrument();
    try {
      for (const w of workerKeys) h.workers.set(w.bech32, w);
      // Workers: registered by their operators, then attested by their own keys (dev evidence,
      // anchored to the registration block).
      await h.setup(
        operators.map((op, i) =>
          h.tx(
            op,
            TX_GAS,
            computeRegisterWorkerMsg({
              keyType: (workerKeys[i] as TestAccount).key.type,
              publicKey: (workerKeys[i] as TestAccount).key.publicKey,
              stake: WORKER_STAKE,
              capabilities: {
                gpuModel: "dev GPU",
                gpuMemoryMib: 81_559,
                runtimes: ["onnx"],
                maxConcurrentJobs: WORKER_SLOTS,
              },
              price: WORKER_PRICE,
            }),
          ),
        ),
      );
      const anchor = h.chain.height;
      await h.setup(
        workerKeys.map((w, i) => {
          const nonce = attestationNonce({
            chainId: TEST_CHAIN_ID,
            anchorHeight: anchor,
            // test-chain.ts gives block h the hash fill(h & 0xff).
            anchorBlockHash: new Uint8Array(32).fill(anchor & 0xff),
            operator: (operators[i] as TestAccount).address,
            workerKey: w.address,
            gpuIndex: 0,
          });
          const evidence = makeDevEvidence({ nonce, timeMs: EVIDENCE_TIME_MS, root: devRoot });
          return h.tx(
            w,
            ATTEST_GAS,
            attestWorkerMsg({
              evidenceClass: "dev",
              anchorHeight: anchor,
              gpuIndex: 0,
              arch: evidence.json.arch,
              report: evidence.report,
              certificateChain: evidence.certificateChain,
            }),
          );
        }),
      );
      // The model: a dataset licensed with a 10% royalty, and an ONNX model citing the license.
      await h.setup([
        h.tx(
          dataOwner,
          TX_GAS,
          dataRegisterMsg({
            name: "bench-corpus",
            contentRoot: new Uint8Array(32).fill(7),
            sizeBytes: 1 << 20,
            locationUri: "s3://bench/corpus",
            format: "jsonl",
          }),
        ),
      ]);
      await h.setup([
        h.tx(
          dataOwner,
          TX_GAS,
          dataAddOfferMsg(1, {
            price: 1n,
            durationBlocks: 0,
            commercialUse: true,
            trainingAllowed: true,
            royaltyBps: 1000,
            maxLicenses: 0,
          }),
        ),
      ]);
      await h.setup([h.tx(modelOwner, TX_GAS, dataBuyLicenseMsg(1, 1))]);
      await h.setup([
        h.tx(
          modelOwner,
          TX_GAS,
          modelsRegisterMsg({
            name: "bench-mlp",
            version: "1",
            weightsHash: new Uint8Array(32).fill(9),
            sizeBytes: 4096,
            format: ModelFormat.MODEL_FORMAT_ONNX,
            locationUri: "ipfs://bench-mlp",
            cardHash: new Uint8Array(32).fill(0xcc),
            inferenceFee: MODEL_FEE,
            licenseIds: [1],
          }),
        ),
      ]);
      h.modelId = 1;
      return h;
    } catch (err) {
      await h.close();
      throw err;
    }
  }

  /** Times finalizeBlock and the compute module's block end (restored by close()). */
  private instrument(): void {
    const app = this.chain.app;
    const finalize = app.finalizeBlock.bind(app);
    app.finalizeBlock = async (req) => {
      const start = performance.now();
      try {
        return await finalize(req);
      } finally {
        this.finalizeMs += performance.now() - start;
      }
    };
    const endBlock = computeModule.endBlock;
    if (!endBlock) throw new Error("the compute module has no block end");
    computeModule.endBlock = async (ctx) => {
      const start = performance.now();
      try {
        return await endBlock.call(computeModule, ctx);
      } finally {
        this.endBlockMs += performance.now() - start;
      }
    };
    this.restore.push(() => {
      computeModule.endBlock = endBlock;
    });
  }

  tx(from: TestAccount, gasLimit: number, ...messages: Msg[]): Uint8Array {
    const nonce = this.nonces.get(from.bech32) ?? 0;
    this.nonces.set(from.bech32, nonce + 1);
    return signedMsgs(from, messages, { nonce, gasLimit, fee: BigInt(gasLimit) });
  }

  private async setup(txs: Uint8Array[]): Promise<void> {
    const { txResults } = await this.chain.block({ txs });
    const failed = txResults.find((r) => (r.code ?? 0) !== 0);
    if (failed) throw new Error(`setup tx failed: ${failed.codespace ?? ""} ${failed.log}`);
  }

  /** `count` job submissions, each by the next owner in turn. */
  submissions(count: number, replication: number): Uint8Array[] {
    return Array.from({ length: count }, () => {
      const owner = this.owners[this.ownerTurn++ % this.owners.length] as TestAccount;
      return this.tx(
        owner,
        TX_GAS,
        computeSubmitJobMsg({
          modelId: this.modelId,
          inputHash: sha256(INPUT),
          inputUri: INPUT_URI,
          replication,
          maxPrice: WORKER_PRICE,
          escrow: BigInt(replication) * WORKER_PRICE + MODEL_FEE,
          deadlineBlocks: 100,
        }),
      );
    });
  }

  get busy(): boolean {
    return this.toCommit.length > 0 || this.toReveal.length > 0;
  }

  /**
   * One block: `extra` txs (submissions), then the workers' commits to last block's assignments
   * and reveals of last block's commitments. Reads the block's events to learn what to do next.
   */
  async block(extra: Uint8Array[]): Promise<BlockTiming> {
    const commits = this.toCommit.map((d) =>
      this.tx(
        d.worker,
        TX_GAS,
        computeCommitResultMsg(
          d.jobId,
          resultCommitment({
            jobId: d.jobId,
            round: d.round,
            resultHash: sha256(OUTPUT),
            salt: d.salt,
            worker: d.worker.address,
          }),
        ),
      ),
    );
    const reveals = this.toReveal.map((d) =>
      this.tx(
        d.worker,
        TX_GAS,
        computeRevealResultMsg({ jobId: d.jobId, resultHash: sha256(OUTPUT), salt: d.salt, output: OUTPUT }),
      ),
    );
    const txs = [...extra, ...commits, ...reveals];
    this.finalizeMs = 0;
    this.endBlockMs = 0;
    const start = performance.now();
    const result = await this.chain.block({ txs });
    const totalMs = performance.now() - start;
    const height = this.chain.height;
    this.toReveal = this.toCommit;
    this.toCommit = [];
    const settled = this.readEvents(result, height);
    return {
      height,
      txs: txs.length,
      finalizeMs: this.finalizeMs,
      endBlockMs: this.endBlockMs,
      commitMs: totalMs - this.finalizeMs,
      settled,
    };
  }

  private readEvents(result: FinalizeBlockResult, height: number): number {
    for (const [i, r] of result.txResults.entries()) {
      if ((r.code ?? 0) !== 0)
        throw new Error(`tx ${i} of block ${height} failed: ${r.codespace ?? ""} ${r.log}`);
      for (const e of r.events ?? []) {
        if (e.type === "submit_job") this.submittedAt.set(Number(attrs(e).job_id), height);
      }
    }
    let settled = 0;
    for (const e of result.events ?? []) {
      const a = attrs(e);
      if (e.type === "assign_job") {
        for (const address of (a.workers ?? "").split(",")) {
          const worker = this.workers.get(address);
          if (!worker) throw new Error(`job ${a.job_id} went to an unknown worker ${address}`);
          this.toCommit.push({
            jobId: Number(a.job_id),
            round: Number(a.round),
            worker,
            salt: randomBytes(16),
          });
        }
      } else if (e.type === "settle_job") {
        this.settledAt.set(Number(a.job_id), height);
        settled++;
      } else if (e.type === "fail_job" || e.type === "rerun_job" || e.type === "slash_worker") {
        throw new Error(`honest instant workers should never see ${e.type}: ${JSON.stringify(a)}`);
      }
    }
    return settled;
  }

  async close(): Promise<void> {
    for (const undo of this.restore.splice(0)) undo();
    await this.chain.close();
  }
}

interface PhaseRow {
  r: number;
  phase: string;
  "txs/job": number;
  "tx µs/job": number;
  "block-end µs/job": number;
  "commit µs/job": number;
  "total µs/job": number;
}

interface PipelineRow {
  r: number;
  jobs: number;
  "jobs/block": number;
  blocks: number;
  "blocks/job": number;
  "latency blocks (min/med/max)": string;
  "block ms (median)": number;
  "exec s": number;
  "compute block-end %": number;
  "jobs/s": number;
}

const PHASES = [
  "submit (+ assign at block end)",
  "commit (+ open reveal window)",
  "reveal (+ settle at block end)",
];

async function measurePhases(h: Harness, r: number, perBlock: number, rounds: number): Promise<PhaseRow[]> {
  const samples: BlockTiming[][] = PHASES.map(() => []);
  // Round 0 warms the JIT and the caches and is not counted.
  for (let round = 0; round <= rounds; round++) {
    const before = h.settledAt.size;
    for (let p = 0; p < PHASES.length; p++) {
      const timing = await h.block(p === 0 ? h.submissions(perBlock, r) : []);
      if (round > 0) (samples[p] as BlockTiming[]).push(timing);
    }
    if (h.settledAt.size - before !== perBlock || h.busy) {
      throw new Error(
        `phase round ${round}: ${h.settledAt.size - before} of ${perBlock} jobs settled in 3 blocks`,
      );
    }
  }
  const us = (ms: number) => Math.round((ms * 1000) / perBlock);
  return PHASES.map((phase, p) => {
    const s = samples[p] as BlockTiming[];
    const tx = median(s.map((t) => t.finalizeMs - t.endBlockMs));
    const end = median(s.map((t) => t.endBlockMs));
    const commit = median(s.map((t) => t.commitMs));
    return {
      r,
      phase,
      "txs/job": (s[0] as BlockTiming).txs / perBlock,
      "tx µs/job": us(tx),
      "block-end µs/job": us(end),
      "commit µs/job": us(commit),
      "total µs/job": us(tx + end + commit),
    };
  });
}

async function measurePipeline(h: Harness, r: number, perBlock: number, jobs: number): Promise<PipelineRow> {
  const settledBefore = new Set(h.settledAt.keys());
  const timings: BlockTiming[] = [];
  let submitted = 0;
  while (submitted < jobs || h.busy) {
    const count = Math.min(perBlock, jobs - submitted);
    timings.push(await h.block(h.submissions(count, r)));
    submitted += count;
    if (timings.length > jobs + 10) throw new Error("the pipeline does not drain: jobs stay pending");
  }
  const latencies: number[] = [];
  for (const [id, height] of h.settledAt) {
    if (settledBefore.has(id)) continue;
    latencies.push(height - (h.submittedAt.get(id) ?? Number.NaN));
  }
  if (latencies.length !== jobs) throw new Error(`${latencies.length} of ${jobs} pipeline jobs settled`);
  const execMs = timings.reduce((sum, t) => sum + t.finalizeMs + t.commitMs, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    r,
    jobs,
    "jobs/block": perBlock,
    blocks: timings.length,
    "blocks/job": Number((timings.length / jobs).toFixed(3)),
    "latency blocks (min/med/max)": `${sorted[0]}/${median(sorted)}/${sorted[sorted.length - 1]}`,
    "block ms (median)": Number(median(timings.map((t) => t.finalizeMs + t.commitMs)).toFixed(1)),
    "exec s": Number((execMs / 1000).toFixed(2)),
    "compute block-end %": Math.round((100 * timings.reduce((sum, t) => sum + t.endBlockMs, 0)) / execMs),
    "jobs/s": Math.round((jobs * 1000) / execMs),
  };
}

export async function run(): Promise<void> {
  const workers = envInt("KYOCHI_BENCH_COMPUTE_WORKERS", 8);
  const replications = envList("KYOCHI_BENCH_COMPUTE_REPLICATION", [1, 3]);
  const perBlock = envInt("KYOCHI_BENCH_COMPUTE_PER_BLOCK", quick ? 32 : 64);
  const jobs = envInt("KYOCHI_BENCH_COMPUTE_JOBS", quick ? 128 : 1280);
  const rounds = envInt("KYOCHI_BENCH_COMPUTE_PHASE_ROUNDS", quick ? 2 : 5);
  const phaseRows: PhaseRow[] = [];
  const pipelineRows: PipelineRow[] = [];
  for (const r of replications) {
    if (r > workers) throw new Error(`replication ${r} needs at least ${r} workers (one per operator)`);
    // A job holds r slots from its assignment to its settlement two block ends later.
    if (2 * perBlock * r > workers * WORKER_SLOTS) {
      console.warn(
        `r=${r}: ${perBlock} jobs/block need ~${2 * perBlock * r} worker slots, ${workers} workers have ` +
          `${workers * WORKER_SLOTS}: some jobs will wait for a slot`,
      );
    }
    const h = await Harness.start(workers, perBlock, Math.min(perBlock, 64));
    try {
      phaseRows.push(...(await measurePhases(h, r, perBlock, rounds)));
      pipelineRows.push(await measurePipeline(h, r, perBlock, jobs));
    } finally {
      await h.close();
    }
  }
  console.log(
    `compute jobs, instant workers (${workers} dev-attested workers, one operator each; model fee with a ` +
      "10% data royalty; one signed tx per submit, commit and reveal; finalize + commit, LevelDB, fsync)",
  );
  console.log(`per phase: ${perBlock} jobs per block, one phase per block (median of ${rounds} rounds)`);
  console.table(phaseRows);
  console.log(
    `pipeline: ${perBlock} jobs submitted per block while earlier jobs commit and reveal in the same blocks; ` +
      "latency = settle height - submit height",
  );
  console.table(pipelineRows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
