// Test fixture for compute jobs: a real chain on LevelDB (fee-free txs, so balances move only by
// escrow, payments, royalties, stakes and refunds) with workers registered by their operators and
// attested with evidence of the real nvidia-cc layout made at test time: class `dev` over a dev
// root (genesis allow_dev), or class `nvidia-cc` over a generated root that the test genesis
// declares as an nvidia-cc root (what stands in for NVIDIA's in tests). Helpers sign real txs
// (submit, commit, reveal...) and read the JSON queries.
import {
  type DevCa,
  defaultDevMeasurements,
  generateDevRootCa,
  makeDevEvidence,
} from "../../../crypto/attestation/dev-evidence.js";
import { attestationNonce } from "../../../crypto/attestation/index.js";
import { resultCommitment } from "../../../crypto/compute-commitment.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import {
  type Event,
  ModelFormat,
  Msg,
  MsgAttestWorker,
  MsgCancelJob,
  MsgCommitResult,
  MsgRegisterWorker,
  MsgRevealResult,
  MsgSubmitJob,
  type TxResult,
} from "../../../proto/index.js";
import { DEFAULT_GENESIS_PARAMS, type GenesisMeasurement } from "../../genesis-types.js";
import { startTestChain, type TestChain } from "../../test-chain.js";
import { newAccount, signedMsgs, TEST_CHAIN_ID, type TestAccount, testGenesis } from "../../test-helpers.js";
import { buyMsg, codeName, offerMsg, registerMsg } from "../data/data-fixture.js";
import { registration } from "../models/models-fixture.js";
import type { JobView } from "./job-views.js";

/** Generous: attestation txs charge for verifying six P-384 signatures. */
export const TEST_GAS = 5_000_000;
const EVIDENCE_TIME_MS = 1_700_000_000_000;
const INITIAL_BALANCE = 1_000_000_000n;

export interface WorkerSpec {
  /** Index of the operator (operators are created as needed); default: a fresh operator each. */
  operator?: number;
  stake?: bigint;
  price?: bigint;
  runtimes?: string[];
  gpuMemoryMib?: number;
  maxConcurrentJobs?: number;
  /** nvidia-cc evidence to the test's hardware root (trusted) instead of dev evidence. */
  trusted?: boolean;
}

export interface TestWorker {
  key: TestAccount;
  operator: TestAccount;
  spec: WorkerSpec;
}

export interface ComputeFixtureOptions {
  workers: WorkerSpec[];
  /** Overrides of params.compute. */
  compute?: Partial<typeof DEFAULT_GENESIS_PARAMS.compute>;
}

export interface ComputeFixture {
  chain: TestChain;
  owner: TestAccount;
  dataOwner: TestAccount;
  modelOwner: TestAccount;
  parentOwner: TestAccount;
  operators: TestAccount[];
  workers: TestWorker[];
  /** Every account the fixture made (for conservation sums). */
  accounts: TestAccount[];
  /** One block holding one tx of `messages` signed by `from`. */
  send(from: TestAccount, ...messages: Msg[]): Promise<TxResult>;
  /** One block holding every tx (each [signer, ...messages]). */
  sendMany(txs: [TestAccount, ...Msg[]][]): Promise<{ results: TxResult[]; events: Event[] }>;
  /** Empty blocks until the chain's last block is `height`; returns the end-block events. */
  advanceTo(height: number): Promise<Event[]>;
  query<T>(path: string): Promise<T>;
  queryCode(path: string): Promise<string>;
  job(id: number): Promise<JobView>;
  balance(who: TestAccount | Uint8Array): Promise<bigint>;
  /** The worker whose key address is `kyo1...`. */
  workerOf(address: string): TestWorker;
  /** Balances of every fixture account + worker stakes + job escrows + the audit pool. */
  totalValue(): Promise<bigint>;
  close(): Promise<void>;
}

export function measurementGenesis(evidenceClass: string): GenesisMeasurement[] {
  return [...defaultDevMeasurements()].map(([index, value]) => ({
    evidence_class: evidenceClass,
    index,
    value: `0x${toHex(value)}`,
  }));
}

function attestMsg(worker: TestWorker, anchorHeight: number, root: DevCa, evidenceClass: string): Msg {
  const nonce = attestationNonce({
    chainId: TEST_CHAIN_ID,
    anchorHeight,
    // The test chain's block at height h hashes to 32 bytes of h (see test-chain.ts).
    anchorBlockHash: new Uint8Array(32).fill(anchorHeight & 0xff),
    operator: worker.operator.address,
    workerKey: worker.key.address,
    gpuIndex: 0,
  });
  const evidence = makeDevEvidence({ nonce, timeMs: EVIDENCE_TIME_MS, root });
  return Msg.create({
    attestationAttestWorker: MsgAttestWorker.create({
      evidenceClass,
      anchorHeight,
      gpuIndex: 0,
      arch: evidence.json.arch,
      report: evidence.report,
      certificateChain: evidence.certificateChain,
    }),
  });
}

function registerWorkerMsg(worker: TestWorker): Msg {
  const s = worker.spec;
  return Msg.create({
    computeRegisterWorker: MsgRegisterWorker.create({
      keyType: worker.key.key.type,
      publicKey: worker.key.key.publicKey,
      stake: String(s.stake ?? 1_000_000n),
      capabilities: {
        gpuModel: s.trusted ? "NVIDIA H100 80GB HBM3" : "dev GPU",
        gpuMemoryMib: s.gpuMemoryMib ?? 81_559,
        runtimes: s.runtimes ?? ["onnx"],
        maxConcurrentJobs: s.maxConcurrentJobs ?? 4,
      },
      price: String(s.price ?? 100n),
    }),
  });
}

export async function startComputeFixture(opts: ComputeFixtureOptions): Promise<ComputeFixture> {
  const owner = newAccount();
  const dataOwner = newAccount();
  const modelOwner = newAccount();
  const parentOwner = newAccount();
  const operators: TestAccount[] = [];
  const workers: TestWorker[] = opts.workers.map((spec, i) => {
    const index = spec.operator ?? i;
    while (operators.length <= index) operators.push(newAccount());
    return { key: newAccount(), operator: operators[index] as TestAccount, spec };
  });
  const accounts = [owner, dataOwner, modelOwner, parentOwner, ...operators, ...workers.map((w) => w.key)];
  const devRoot = generateDevRootCa({ timeMs: EVIDENCE_TIME_MS });
  const hardwareRoot = generateDevRootCa({ timeMs: EVIDENCE_TIME_MS, commonName: "Test NVIDIA Root" });
  const { genesis } = testGenesis(
    [owner, dataOwner, modelOwner, parentOwner, ...operators].map((account) => ({
      account,
      balance: INITIAL_BALANCE,
    })),
    [1],
    {
      bank: { min_gas_price: "0" },
      compute: { ...DEFAULT_GENESIS_PARAMS.compute, ...opts.compute },
    },
  );
  genesis.attestation = {
    trusted_roots: [
      { evidence_class: "dev", label: "test dev root", certificate_pem: devRoot.certificatePem },
      {
        evidence_class: "nvidia-cc",
        label: "test hardware root",
        certificate_pem: hardwareRoot.certificatePem,
      },
    ],
    allowed_measurements: [...measurementGenesis("dev"), ...measurementGenesis("nvidia-cc")],
    allow_dev: true,
  };
  const chain = await startTestChain(genesis);
  const sign = async (from: TestAccount, nonce: number, messages: Msg[]) =>
    signedMsgs(from, messages, { nonce, fee: 0n, gasLimit: TEST_GAS });
  const sendMany = async (txs: [TestAccount, ...Msg[]][]) => {
    const nonces = new Map<string, number>();
    const encoded: Uint8Array[] = [];
    for (const [from, ...messages] of txs) {
      const nonce = nonces.get(from.bech32) ?? (await chain.nonce(from));
      nonces.set(from.bech32, nonce + 1);
      encoded.push(await sign(from, nonce, messages));
    }
    const result = await chain.block({ txs: encoded });
    return { results: result.txResults, events: result.events };
  };
  const query = async <T>(path: string): Promise<T> => {
    const r = await chain.app.query({ path });
    if (r.code !== 0) throw new Error(`query ${path} failed: ${codeName(r)} ${r.log ?? ""}`);
    return JSON.parse(new TextDecoder().decode(r.value)) as T;
  };
  const f: ComputeFixture = {
    chain,
    owner,
    dataOwner,
    modelOwner,
    parentOwner,
    operators,
    workers,
    accounts,
    async send(from, ...messages) {
      return (await sendMany([[from, ...messages]])).results[0] as TxResult;
    },
    sendMany,
    async advanceTo(height) {
      const events: Event[] = [];
      while (chain.height < height) events.push(...(await sendMany([])).events);
      return events;
    },
    query,
    async queryCode(path) {
      return codeName(await chain.app.query({ path }));
    },
    job: (id) => query<JobView>(`job/${id}`),
    balance: (who) => chain.balance(who),
    workerOf(address) {
      const w = workers.find((x) => x.key.bech32 === address);
      if (!w) throw new Error(`no fixture worker ${address}`);
      return w;
    },
    async totalValue() {
      let total = 0n;
      for (const a of accounts) total += await chain.balance(a);
      for (const w of workers)
        total += BigInt((await query<{ stake: string }>(`worker/${w.key.bech32}`)).stake);
      let cursor: number | null = 0;
      while (cursor !== null) {
        const page: { jobs: JobView[]; next_cursor: number | null } = await query(`jobs/cursor=${cursor}`);
        for (const job of page.jobs) total += BigInt(job.escrow);
        cursor = page.next_cursor;
      }
      return total + BigInt((await query<{ audit_pool: string }>("audit_pool")).audit_pool);
    },
    close: () => chain.close(),
  };
  // Register every worker (operators sign), then attest each (worker keys sign) anchored to the
  // registration block.
  if (workers.length > 0) {
    const registered = await sendMany(workers.map((w) => [w.operator, registerWorkerMsg(w)]));
    expectAllOk(registered.results, "register workers");
    const anchor = chain.height;
    const attested = await sendMany(
      workers.map((w) => [
        w.key,
        w.spec.trusted
          ? attestMsg(w, anchor, hardwareRoot, "nvidia-cc")
          : attestMsg(w, anchor, devRoot, "dev"),
      ]),
    );
    expectAllOk(attested.results, "attest workers");
  }
  return f;
}

export function expectAllOk(results: readonly TxResult[], what: string): void {
  const bad = results.find((r) => r.code !== 0);
  if (bad) throw new Error(`${what}: ${codeName(bad)} ${bad.log ?? ""}`);
}

export interface ModelSetup {
  modelId: number;
  parentId: number;
  licenseId: number;
  fee: bigint;
  royaltyBps: number;
  derivativeBps: number;
}

/**
 * A priced ONNX model with a parent and a data license: the dataset owner sells a license (royalty
 * `royaltyBps`) to the model owner, the parent's owner registers a parent allowing derivatives
 * (`derivativeBps`), and the model owner registers the model citing both.
 */
export async function registerPricedModel(
  f: ComputeFixture,
  fee: bigint,
  royaltyBps = 1000,
  derivativeBps = 2000,
): Promise<ModelSetup> {
  const setup = await f.sendMany([
    [f.dataOwner, registerMsg("inference-data")],
    [
      f.parentOwner,
      Msg.create({
        modelsRegister: registration({
          name: "tiny-mlp-base",
          format: ModelFormat.MODEL_FORMAT_ONNX,
          allowDerivatives: true,
          derivativeRoyaltyBps: derivativeBps,
        }),
      }),
    ],
  ]);
  expectAllOk(setup.results, "dataset and parent");
  expectAllOk([await f.send(f.dataOwner, offerMsg(1, { price: "0", royaltyBps }))], "license offer");
  expectAllOk([await f.send(f.modelOwner, buyMsg(1, 1))], "license purchase");
  expectAllOk(
    [
      await f.send(
        f.modelOwner,
        Msg.create({
          modelsRegister: registration({
            name: "tiny-mlp",
            format: ModelFormat.MODEL_FORMAT_ONNX,
            inferenceFee: fee.toString(),
            parentId: 1,
            licenseIds: [1],
          }),
        }),
      ),
    ],
    "model",
  );
  return { modelId: 2, parentId: 1, licenseId: 1, fee, royaltyBps, derivativeBps };
}

export interface SubmitOptions {
  modelId: number;
  replication: number;
  maxPrice: bigint;
  escrow: bigint;
  deadlineBlocks?: number;
  minGpuMemoryMib?: number;
  params?: string;
  input?: Uint8Array;
}

export const DEFAULT_INPUT = new TextEncoder().encode("input tensors");

export function submitMsg(o: SubmitOptions): Msg {
  const input = o.input ?? DEFAULT_INPUT;
  return Msg.create({
    computeSubmitJob: MsgSubmitJob.create({
      modelId: o.modelId,
      inputHash: sha256(input),
      inputUri: `data:application/octet-stream;base64,${Buffer.from(input).toString("base64")}`,
      params: o.params ?? "",
      replication: o.replication,
      maxPrice: o.maxPrice.toString(),
      escrow: o.escrow.toString(),
      deadlineBlocks: o.deadlineBlocks ?? 100,
      minGpuMemoryMib: o.minGpuMemoryMib ?? 0,
    }),
  });
}

export function cancelMsg(jobId: number): Msg {
  return Msg.create({ computeCancelJob: MsgCancelJob.create({ jobId }) });
}

/** A worker's result: the output bytes, its hash and a salt derived from the worker and job. */
export interface WorkerResult {
  output: Uint8Array;
  resultHash: Uint8Array;
  salt: Uint8Array;
}

export function resultOf(output: Uint8Array | string, worker: TestWorker, jobId: number): WorkerResult {
  const bytes = typeof output === "string" ? new TextEncoder().encode(output) : output;
  return {
    output: bytes,
    resultHash: sha256(bytes),
    salt: sha256(worker.key.address, Uint8Array.of(jobId & 0xff)).subarray(0, 16),
  };
}

export function commitMsg(worker: TestWorker, jobId: number, round: number, r: WorkerResult): Msg {
  return Msg.create({
    computeCommitResult: MsgCommitResult.create({
      jobId,
      commitment: resultCommitment({
        jobId,
        round,
        resultHash: r.resultHash,
        salt: r.salt,
        worker: worker.key.address,
      }),
    }),
  });
}

export function revealMsg(jobId: number, r: WorkerResult, over: Partial<MsgRevealResult> = {}): Msg {
  return Msg.create({
    computeRevealResult: MsgRevealResult.create({
      jobId,
      resultHash: r.resultHash,
      salt: r.salt,
      output: r.output,
      outputUri: "",
      ...over,
    }),
  });
}

/** Events of `type` as attribute maps. */
export function eventsOf(events: readonly Event[], type: string): Record<string, string>[] {
  return events
    .filter((e) => e.type === type)
    .map((e) => Object.fromEntries((e.attributes ?? []).map((a) => [a.key ?? "", a.value ?? ""])));
}
