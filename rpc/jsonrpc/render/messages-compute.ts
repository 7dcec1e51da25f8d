// Renderers of the compute and attestation messages (see messages.ts for the pattern). Large
// payloads (an attestation's report and certificate chain, a reveal's output) are shown by size
// and hash: a block explorer lists messages, and the full bytes are in the tx itself.
import { encodeAddress } from "../../../crypto/address.js";
import { sha256 } from "../../../crypto/hash.js";
import type { kyochi } from "../../../proto/index.js";
import type { MessageJson } from "../../types.js";
import { hex } from "./values.js";

type MsgProps = kyochi.tx.v1.Msg.$Properties;

function address(bytes: Uint8Array | null | undefined): string {
  return bytes != null && bytes.length === 20 ? encodeAddress(bytes) : hex(bytes);
}

const num = (n: number | null | undefined): number => n ?? 0;

function capabilities(c: kyochi.compute.v1.IWorkerCapabilities | null | undefined): Record<string, unknown> {
  return {
    gpu_model: c?.gpuModel ?? "",
    gpu_memory_mib: num(c?.gpuMemoryMib),
    runtimes: c?.runtimes ?? [],
    max_concurrent_jobs: num(c?.maxConcurrentJobs),
  };
}

function blob(bytes: Uint8Array | null | undefined): { bytes: number; sha256: string } {
  const b = bytes ?? new Uint8Array();
  return { bytes: b.length, sha256: hex(sha256(b)) };
}

type ComputeKind =
  | "attestationAttestWorker"
  | "computeRegisterWorker"
  | "computeUpdateWorker"
  | "computeUnbondWorker"
  | "computeUnjailWorker"
  | "computeSubmitJob"
  | "computeCancelJob"
  | "computeCommitResult"
  | "computeRevealResult";

export const COMPUTE_RENDERERS: {
  [K in ComputeKind]: (payload: NonNullable<MsgProps[K]>) => MessageJson;
} = {
  attestationAttestWorker: (m) => ({
    type: "kyochi.attestation.v1.MsgAttestWorker",
    value: {
      evidence_class: m.evidenceClass ?? "",
      anchor_height: num(m.anchorHeight),
      gpu_index: num(m.gpuIndex),
      arch: m.arch ?? "",
      report: blob(m.report),
      certificate_chain: blob(new TextEncoder().encode(m.certificateChain ?? "")),
    },
  }),
  computeRegisterWorker: (m) => ({
    type: "kyochi.compute.v1.MsgRegisterWorker",
    value: {
      public_key: hex(m.publicKey),
      stake: m.stake ?? "",
      capabilities: capabilities(m.capabilities),
      price: m.price ?? "",
    },
  }),
  computeUpdateWorker: (m) => ({
    type: "kyochi.compute.v1.MsgUpdateWorker",
    value: {
      worker: address(m.worker),
      capabilities: capabilities(m.capabilities),
      price: m.price ?? "",
      add_stake: m.addStake ?? "",
    },
  }),
  computeUnbondWorker: (m) => ({
    type: "kyochi.compute.v1.MsgUnbondWorker",
    value: { worker: address(m.worker) },
  }),
  computeUnjailWorker: (m) => ({
    type: "kyochi.compute.v1.MsgUnjailWorker",
    value: { worker: address(m.worker) },
  }),
  computeSubmitJob: (m) => ({
    type: "kyochi.compute.v1.MsgSubmitJob",
    value: {
      model_id: num(m.modelId),
      input_hash: hex(m.inputHash),
      input_uri: m.inputUri ?? "",
      params: m.params ?? "",
      replication: num(m.replication),
      max_price: m.maxPrice ?? "",
      escrow: m.escrow ?? "",
      deadline_blocks: num(m.deadlineBlocks),
      min_gpu_memory_mib: num(m.minGpuMemoryMib),
    },
  }),
  computeCancelJob: (m) => ({ type: "kyochi.compute.v1.MsgCancelJob", value: { job_id: num(m.jobId) } }),
  computeCommitResult: (m) => ({
    type: "kyochi.compute.v1.MsgCommitResult",
    value: { job_id: num(m.jobId), commitment: hex(m.commitment) },
  }),
  computeRevealResult: (m) => ({
    type: "kyochi.compute.v1.MsgRevealResult",
    value: {
      job_id: num(m.jobId),
      result_hash: hex(m.resultHash),
      salt: hex(m.salt),
      output: blob(m.output),
      output_uri: m.outputUri ?? "",
    },
  }),
};
