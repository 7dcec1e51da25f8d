// Message builders for the compute and attestation modules (SDK, CLI and the worker daemon).
// Amounts are bigints here and decimal strings on the wire; the node re-checks everything, these
// only shape the messages.
import {
  type KeyType,
  Msg,
  MsgAttestWorker,
  MsgCancelJob,
  MsgCommitResult,
  MsgRegisterWorker,
  MsgRevealResult,
  MsgSubmitJob,
  MsgUnbondWorker,
  MsgUnjailWorker,
  MsgUpdateWorker,
  WorkerCapabilities,
} from "../../proto/index.js";

export interface CapabilitiesFields {
  gpuModel: string;
  gpuMemoryMib: number;
  /** Lower-case runtime names, e.g. ["onnx"] (sorted and de-duplicated here). */
  runtimes: string[];
  maxConcurrentJobs: number;
}

function capabilities(c: CapabilitiesFields): WorkerCapabilities {
  return WorkerCapabilities.create({
    gpuModel: c.gpuModel,
    gpuMemoryMib: c.gpuMemoryMib,
    runtimes: [...new Set(c.runtimes)].sort(),
    maxConcurrentJobs: c.maxConcurrentJobs,
  });
}

export interface RegisterWorkerFields {
  keyType: KeyType;
  /** The worker key's public key: the key the worker daemon signs with. */
  publicKey: Uint8Array;
  /** Bonded from the signer's (the operator's) balance. */
  stake: bigint;
  capabilities: CapabilitiesFields;
  /** Price of one replica of one job. */
  price: bigint;
}

/** Registers a worker operated by the signer. */
export function computeRegisterWorkerMsg(f: RegisterWorkerFields): Msg {
  return Msg.create({
    computeRegisterWorker: MsgRegisterWorker.create({
      keyType: f.keyType,
      publicKey: f.publicKey,
      stake: f.stake.toString(),
      capabilities: capabilities(f.capabilities),
      price: f.price.toString(),
    }),
  });
}

/** Changes a worker's capabilities and price, and optionally adds stake (signed by its operator). */
export function computeUpdateWorkerMsg(
  worker: Uint8Array,
  f: { capabilities: CapabilitiesFields; price: bigint; addStake?: bigint },
): Msg {
  return Msg.create({
    computeUpdateWorker: MsgUpdateWorker.create({
      worker,
      capabilities: capabilities(f.capabilities),
      price: f.price.toString(),
      addStake: (f.addStake ?? 0n).toString(),
    }),
  });
}

export function computeUnbondWorkerMsg(worker: Uint8Array): Msg {
  return Msg.create({ computeUnbondWorker: MsgUnbondWorker.create({ worker }) });
}

export function computeUnjailWorkerMsg(worker: Uint8Array): Msg {
  return Msg.create({ computeUnjailWorker: MsgUnjailWorker.create({ worker }) });
}

export interface AttestWorkerFields {
  evidenceClass: "nvidia-cc" | "dev";
  anchorHeight: number;
  gpuIndex: number;
  arch: string;
  /** The SPDM report (GET_MEASUREMENTS request + signed response). */
  report: Uint8Array;
  /** PEM text, leaf first, as NVIDIA's tools export it. */
  certificateChain: string;
}

/** Attests the signing worker's GPU (signed by the worker key). */
export function attestWorkerMsg(f: AttestWorkerFields): Msg {
  return Msg.create({ attestationAttestWorker: MsgAttestWorker.create(f) });
}

export interface SubmitJobFields {
  modelId: number;
  /** sha256 of the input bytes (the canonical tensor encoding), 32 bytes. */
  inputHash: Uint8Array;
  inputUri: string;
  /** Canonical JSON (sorted keys, no spaces); "" for none. */
  params?: string;
  replication: number;
  maxPrice: bigint;
  /** At least replication x maxPrice + the model's fee; the rest is refunded. */
  escrow: bigint;
  deadlineBlocks: number;
  minGpuMemoryMib?: number;
}

export function computeSubmitJobMsg(f: SubmitJobFields): Msg {
  return Msg.create({
    computeSubmitJob: MsgSubmitJob.create({
      modelId: f.modelId,
      inputHash: f.inputHash,
      inputUri: f.inputUri,
      params: f.params ?? "",
      replication: f.replication,
      maxPrice: f.maxPrice.toString(),
      escrow: f.escrow.toString(),
      deadlineBlocks: f.deadlineBlocks,
      minGpuMemoryMib: f.minGpuMemoryMib ?? 0,
    }),
  });
}

export function computeCancelJobMsg(jobId: number): Msg {
  return Msg.create({ computeCancelJob: MsgCancelJob.create({ jobId }) });
}

export function computeCommitResultMsg(jobId: number, commitment: Uint8Array): Msg {
  return Msg.create({ computeCommitResult: MsgCommitResult.create({ jobId, commitment }) });
}

export function computeRevealResultMsg(f: {
  jobId: number;
  resultHash: Uint8Array;
  salt: Uint8Array;
  output?: Uint8Array;
  outputUri?: string;
}): Msg {
  return Msg.create({
    computeRevealResult: MsgRevealResult.create({
      jobId: f.jobId,
      resultHash: f.resultHash,
      salt: f.salt,
      output: f.output ?? new Uint8Array(),
      outputUri: f.outputUri ?? "",
    }),
  });
}
