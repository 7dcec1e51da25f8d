// Test fixture for compute workers and their attestation: a chain (four validators, fee-free txs)
// whose genesis trusts an "nvidia-cc" test root and a "dev" root, both generated at test time, and
// allows the dev measurements for both classes. Evidence is built at test time with the real
// nvidia-cc layout (crypto/attestation/dev-evidence.ts) and a nonce recomputed from chain state.
import { afterEach } from "vitest";
import { decodeAddress } from "../../../crypto/address.js";
import {
  type DevCa,
  type DevEvidence,
  defaultDevMeasurements,
  generateDevRootCa,
  type MakeDevEvidenceOptions,
  makeDevEvidence,
} from "../../../crypto/attestation/dev-evidence.js";
import { attestationNonce } from "../../../crypto/attestation/index.js";
import { toHex } from "../../../crypto/hash.js";
import type { FinalizeBlockResult } from "../../../proto/application.js";
import { kyochi, Msg } from "../../../proto/index.js";
import { u64be } from "../../../state/db.js";
import type {
  AttestationGenesisParams,
  ComputeGenesisParams,
  GenesisMeasurement,
} from "../../genesis-types.js";
import { codes, type FixtureValidator, fixtureGenesis } from "../../staking-fixture.js";
import { startTestChain, type TestChain } from "../../test-chain.js";
import { newAccount, signedMsgs, TEST_CHAIN_ID, type TestAccount } from "../../test-helpers.js";
import type { EvidenceClass } from "../attestation/records.js";

export const OPERATOR_BALANCE = 100_000_000n;
export const WORKER_STAKE = 2_000_000n;
/** Block time of block h in test chains: 1_700_000_000_000 + h * 1000 (see test-chain.ts). */
export const CHAIN_T0 = 1_700_000_000_000;
const DAY = 86_400_000;

export interface ComputeFixtureOptions {
  /** Whether genesis accepts dev evidence (default true). */
  allowDev?: boolean;
  compute?: Partial<ComputeGenesisParams>;
  attestation?: Partial<AttestationGenesisParams>;
  /** Funded operator accounts (default 3). */
  operators?: number;
}

export interface EvidenceRequest extends Partial<Omit<MakeDevEvidenceOptions, "nonce" | "timeMs">> {
  evidenceClass?: EvidenceClass;
  /** default: the last block */
  anchorHeight?: number;
  gpuIndex?: number;
  /** The nonce's operator/worker/GPU, when they must differ from the message's (a wrong nonce). */
  nonceFor?: { worker?: TestAccount; gpuIndex?: number; anchorHeight?: number };
}

export interface BuiltEvidence {
  evidence: DevEvidence;
  evidenceClass: EvidenceClass;
  anchorHeight: number;
  gpuIndex: number;
}

export interface ComputeFixture {
  chain: TestChain;
  validators: FixtureValidator[];
  operators: TestAccount[];
  /** The roots genesis trusts: class nvidia-cc and class dev. */
  nvidiaRoot: DevCa;
  devRoot: DevCa;
  /** Signs `messages` from `from` with its next nonce (tracked here), fee 0. */
  tx(from: TestAccount, ...messages: Msg[]): Uint8Array;
  tx(from: TestAccount, opts: { gasLimit: number }, ...messages: Msg[]): Uint8Array;
  /** Forgets a tracked nonce (after a tx refused statelessly, which never used it). */
  rewindNonce(from: TestAccount): void;
  /** One block with these txs; returns the block and its tx result code names. */
  run(...txs: Uint8Array[]): Promise<{ result: FinalizeBlockResult; codes: string[] }>;
  query<T = Record<string, unknown>>(path: string): Promise<T>;
  queryError(path: string): Promise<string>;
  /** The hash of block `height` as the attestation module keeps it (undefined outside the window). */
  blockHash(height: number): Promise<Uint8Array | undefined>;
  /** Evidence for `worker` answering the nonce the chain expects (unless told otherwise). */
  evidence(worker: TestAccount, req?: EvidenceRequest): Promise<BuiltEvidence>;
  /** A new worker key registered by `operator` (one block); throws unless it succeeds. */
  registerWorker(operator: TestAccount, over?: Partial<RegisterWorkerInput>): Promise<TestAccount>;
  /** Attests `worker` with fresh evidence (one block); returns the evidence; throws unless it succeeds. */
  attestWorker(worker: TestAccount, req?: EvidenceRequest): Promise<BuiltEvidence>;
}

export interface RegisterWorkerInput {
  stake: bigint | string;
  price: bigint | string;
  gpuModel: string;
  gpuMemoryMib: number;
  runtimes: string[];
  maxConcurrentJobs: number;
}

const compute = kyochi.compute.v1;

export function registerWorkerMsg(worker: TestAccount, over: Partial<RegisterWorkerInput> = {}): Msg {
  return Msg.create({
    computeRegisterWorker: compute.MsgRegisterWorker.create({
      keyType: worker.key.type,
      publicKey: worker.key.publicKey,
      stake: String(over.stake ?? WORKER_STAKE),
      price: String(over.price ?? 1000n),
      capabilities: compute.WorkerCapabilities.create({
        gpuModel: over.gpuModel ?? "NVIDIA H100 80GB HBM3",
        gpuMemoryMib: over.gpuMemoryMib ?? 81_559,
        runtimes: over.runtimes ?? ["onnx"],
        maxConcurrentJobs: over.maxConcurrentJobs ?? 2,
      }),
    }),
  });
}

export function attestMsg(
  built: BuiltEvidence,
  over: { report?: Uint8Array; certificateChain?: string } = {},
): Msg {
  return Msg.create({
    attestationAttestWorker: kyochi.attestation.v1.MsgAttestWorker.create({
      evidenceClass: built.evidenceClass,
      anchorHeight: built.anchorHeight,
      gpuIndex: built.gpuIndex,
      arch: built.evidence.json.arch,
      report: over.report ?? built.evidence.report,
      certificateChain: over.certificateChain ?? built.evidence.certificateChain,
    }),
  });
}

/** Genesis entries allowing the dev measurement values (indices 1..64) for `evidenceClass`. */
export function devMeasurementEntries(evidenceClass: EvidenceClass): GenesisMeasurement[] {
  return [...defaultDevMeasurements()].map(([index, value]) => ({
    evidence_class: evidenceClass,
    index,
    value: `0x${toHex(value)}`,
  }));
}

export async function startComputeFixture(opts: ComputeFixtureOptions = {}): Promise<ComputeFixture> {
  const operators = Array.from({ length: opts.operators ?? 3 }, () => newAccount());
  const built = fixtureGenesis({
    accounts: operators.map((account) => ({ account, balance: OPERATOR_BALANCE })),
  });
  const nvidiaRoot = generateDevRootCa({
    timeMs: CHAIN_T0 - 30 * DAY,
    commonName: "Test NVIDIA Device Identity CA",
  });
  const devRoot = generateDevRootCa({ timeMs: CHAIN_T0 - 30 * DAY });
  built.genesis.params.compute = { ...built.genesis.params.compute, ...opts.compute };
  built.genesis.params.attestation = { ...built.genesis.params.attestation, ...opts.attestation };
  built.genesis.attestation = {
    trusted_roots: [
      { evidence_class: "nvidia-cc", label: "test nvidia", certificate_pem: nvidiaRoot.certificatePem },
      { evidence_class: "dev", label: "test dev", certificate_pem: devRoot.certificatePem },
    ],
    allowed_measurements: [...devMeasurementEntries("nvidia-cc"), ...devMeasurementEntries("dev")],
    allow_dev: opts.allowDev ?? true,
  };
  const chain = await startTestChain(built.genesis);
  const nonces = new Map<string, number>();
  const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));

  const f: ComputeFixture = {
    chain,
    validators: built.validators,
    operators,
    nvidiaRoot,
    devRoot,
    tx(from: TestAccount, ...rest: (Msg | { gasLimit: number })[]) {
      const first = rest[0];
      const gasLimit = first && !(first instanceof Msg) && "gasLimit" in first ? first.gasLimit : 2_000_000;
      const messages = rest.filter((m): m is Msg => m instanceof Msg);
      const nonce = nonces.get(from.bech32) ?? 0;
      nonces.set(from.bech32, nonce + 1);
      return signedMsgs(from, messages, { nonce, fee: 0n, gasLimit });
    },
    rewindNonce(from) {
      nonces.set(from.bech32, (nonces.get(from.bech32) ?? 1) - 1);
    },
    async run(...txs) {
      const result = await chain.block({ txs });
      return { result, codes: codes(result.txResults) };
    },
    async query(path) {
      const answer = await chain.app.query({ path });
      if (answer.code !== 0) throw new Error(`${answer.codename}: ${answer.log}`);
      return decode(answer.value);
    },
    async queryError(path) {
      return (await chain.app.query({ path })).codename;
    },
    async blockHash(height) {
      const key = Uint8Array.of(0x09, 0x15, ...u64be(height));
      const answer = await chain.app.query({ path: `proof/${toHex(key)}` });
      return answer.value;
    },
    async evidence(worker, req = {}) {
      const evidenceClass = req.evidenceClass ?? "nvidia-cc";
      const anchorHeight = req.anchorHeight ?? chain.height;
      const gpuIndex = req.gpuIndex ?? 0;
      const nonceWorker = req.nonceFor?.worker ?? worker;
      const view = await f.query<{ operator: string }>(`worker/${nonceWorker.bech32}`);
      const nonceAnchor = req.nonceFor?.anchorHeight ?? anchorHeight;
      // The last block's hash is kept by the next block's begin; a daemon reads it from the block
      // itself. test-chain.ts gives block h the hash fill(h & 0xff).
      const anchorBlockHash =
        (await f.blockHash(nonceAnchor)) ??
        (nonceAnchor === chain.height ? new Uint8Array(32).fill(nonceAnchor & 0xff) : new Uint8Array(32));
      const nonce = attestationNonce({
        chainId: TEST_CHAIN_ID,
        anchorHeight: nonceAnchor,
        anchorBlockHash,
        operator: decodeAddress(view.operator),
        workerKey: nonceWorker.address,
        gpuIndex: req.nonceFor?.gpuIndex ?? gpuIndex,
      });
      const { evidenceClass: _c, anchorHeight: _a, gpuIndex: _g, nonceFor: _n, ...makeOpts } = req;
      const evidence = makeDevEvidence({
        root: evidenceClass === "dev" ? devRoot : nvidiaRoot,
        ...makeOpts,
        nonce,
        timeMs: CHAIN_T0 + chain.height * 1000,
      });
      return { evidence, evidenceClass, anchorHeight, gpuIndex };
    },
    async registerWorker(operator, over = {}) {
      const worker = newAccount();
      const { codes: got } = await f.run(f.tx(operator, registerWorkerMsg(worker, over)));
      if (got[0] !== "OK") throw new Error(`register_worker failed: ${got[0]}`);
      return worker;
    },
    async attestWorker(worker, req = {}) {
      const built = await f.evidence(worker, req);
      const { codes: got, result } = await f.run(f.tx(worker, attestMsg(built)));
      if (got[0] !== "OK") throw new Error(`attest_worker failed: ${got[0]} ${result.txResults[0]?.log}`);
      return built;
    },
  };
  return f;
}

/** A `fixture(opts)` for one test file: each chain is closed after the test that opened it. */
export function useComputeFixtures(): (opts?: ComputeFixtureOptions) => Promise<ComputeFixture> {
  const open: ComputeFixture[] = [];
  afterEach(async () => {
    for (const f of open.splice(0)) await f.chain.close();
  });
  return async (opts = {}) => {
    const f = await startComputeFixture(opts);
    open.push(f);
    return f;
  };
}
