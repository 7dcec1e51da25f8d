// Which workers may take a job at a height: active (not jailed, not unbonding), staked at least
// compute.min_worker_stake, with a free slot, and attested with an attestation that has not
// expired. Hardware-attested (nvidia-cc) workers are marked trusted; dev workers are not, and
// assignment gives them only what trusted workers cannot take.
import { type Worker, WorkerStatus } from "../../../proto/index.js";
import type { KvReader } from "../../store.js";
import { attestationCurrent, loadWorkerAttestation } from "../attestation/worker-attestations.js";
import type { ComputeParamsState } from "./params.js";
import { ALL_WORKERS, loadWorker, workerStake } from "./worker-records.js";

export interface AssignableWorker {
  worker: Worker;
  stake: bigint;
  /** Attested with nvidia-cc evidence to a trusted hardware root. */
  trusted: boolean;
  /** max_concurrent_jobs - active_jobs (> 0). */
  freeSlots: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.length),
    Buffer.from(b.buffer, b.byteOffset, b.length),
  );
}

/** The workers that may take a job at `height`, sorted by address (deterministic order). */
export async function loadAssignableWorkers(
  reader: KvReader,
  height: number,
  params: ComputeParamsState,
): Promise<AssignableWorker[]> {
  const out: AssignableWorker[] = [];
  for (const address of await ALL_WORKERS.all(reader)) {
    const worker = await loadWorker(reader, address);
    if (!worker || worker.status !== WorkerStatus.WORKER_STATUS_ACTIVE) continue;
    const stake = workerStake(worker);
    if (stake < params.minWorkerStake) continue;
    const freeSlots = (worker.capabilities?.maxConcurrentJobs ?? 0) - worker.activeJobs;
    if (freeSlots <= 0) continue;
    const attestation = await loadWorkerAttestation(reader, address);
    if (!attestation || !attestationCurrent(attestation, height)) continue;
    out.push({ worker, stake, trusted: attestation.trusted, freeSlots });
  }
  return out.sort((a, b) => compareBytes(a.worker.address, b.worker.address));
}
