// Worker queries (app.query paths; JSON answers):
//   worker/<kyo1 address>                                   one worker view
//   workers[/cursor=&limit=&operator=&status=&attested=]    {"workers":[...],"next_cursor":n|null}
// Filters apply within the page (as the other list queries do): a filtered page may hold fewer
// than `limit` workers while next_cursor still points on.
//
// A worker's attestation is shown with its class and `trusted`: dev evidence is always
// trusted=false, and `expired` tells whether it still counts at the queried height.
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { keyTypeName } from "../../../crypto/keys.js";
import type { Worker, WorkerAttestation } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parseAddress } from "../accounts/index.js";
import {
  attestationCurrent,
  loadStateHeight,
  loadWorkerAttestation,
} from "../attestation/worker-attestations.js";
import { parsePageArgs } from "../slot-list.js";
import type { QueryAnswer, QueryHandler } from "../types.js";
import { ALL_WORKERS, loadWorker, reputationOf, WORKER_STATUS_NAMES } from "./worker-records.js";

export interface WorkerAttestationView {
  evidence_class: string;
  trusted: boolean;
  device_id: string;
  report_digest: string;
  gpu_index: number;
  arch: string;
  anchor_height: number;
  attested_height: number;
  expires_height: number;
  expired: boolean;
  driver_version: string;
  vbios_version: string;
}

export interface WorkerView {
  address: string;
  operator: string;
  key_type: string;
  public_key: string;
  stake: string;
  price: string;
  status: string;
  capabilities: {
    gpu_model: string;
    gpu_memory_mib: number;
    runtimes: string[];
    max_concurrent_jobs: number;
  };
  jailed_until: number;
  unbonding_done_height: number;
  active_jobs: number;
  consecutive_faults: number;
  reputation: {
    jobs_agreed: number;
    jobs_minority: number;
    jobs_missed: number;
    audits_passed: number;
    audits_failed: number;
    slashes: number;
    slashed_total: string;
  };
  registered_height: number;
  /** null: never attested (no jobs) */
  attestation: WorkerAttestationView | null;
}

export function attestationView(a: WorkerAttestation, height: number): WorkerAttestationView {
  return {
    evidence_class: a.evidenceClass,
    trusted: a.trusted,
    device_id: `0x${toHex(a.deviceId)}`,
    report_digest: `0x${toHex(a.reportDigest)}`,
    gpu_index: a.gpuIndex,
    arch: a.arch,
    anchor_height: a.anchorHeight,
    attested_height: a.attestedHeight,
    expires_height: a.expiresHeight,
    expired: !attestationCurrent(a, height),
    driver_version: a.driverVersion,
    vbios_version: a.vbiosVersion,
  };
}

export function workerView(w: Worker, a: WorkerAttestation | undefined, height: number): WorkerView {
  const rep = reputationOf(w);
  return {
    address: encodeAddress(w.address),
    operator: encodeAddress(w.operator),
    key_type: keyTypeName(w.keyType),
    public_key: `0x${toHex(w.publicKey)}`,
    stake: w.stake,
    price: w.price,
    status: WORKER_STATUS_NAMES[w.status] ?? "unspecified",
    capabilities: {
      gpu_model: w.capabilities?.gpuModel ?? "",
      gpu_memory_mib: w.capabilities?.gpuMemoryMib ?? 0,
      runtimes: [...(w.capabilities?.runtimes ?? [])],
      max_concurrent_jobs: w.capabilities?.maxConcurrentJobs ?? 0,
    },
    jailed_until: w.jailedUntil,
    unbonding_done_height: w.unbondingDoneHeight,
    active_jobs: w.activeJobs,
    consecutive_faults: w.consecutiveFaults,
    reputation: {
      jobs_agreed: rep.jobsAgreed,
      jobs_minority: rep.jobsMinority,
      jobs_missed: rep.jobsMissed,
      audits_passed: rep.auditsPassed,
      audits_failed: rep.auditsFailed,
      slashes: rep.slashes,
      slashed_total: rep.slashedTotal,
    },
    registered_height: w.registeredHeight,
    attestation: a ? attestationView(a, height) : null,
  };
}

function json(value: unknown): QueryAnswer {
  return { value: new TextEncoder().encode(JSON.stringify(value)) };
}

export async function queryWorker(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const address = parseAddress(arg, "QUERY_INVALID_ARGUMENT");
  const worker = await loadWorker(reader, address);
  if (!worker) throw new ExecutionError("COMPUTE_WORKER_NOT_FOUND", `no worker is registered as ${arg}`);
  const height = await loadStateHeight(reader);
  return json(workerView(worker, await loadWorkerAttestation(reader, address), height));
}

const STATUS_FILTERS = ["active", "jailed", "unbonding"];

export async function queryWorkers(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const page = parsePageArgs(arg, ["operator", "status", "attested"]);
  const operatorText = page.filters.get("operator");
  const operator =
    operatorText === undefined ? undefined : parseAddress(operatorText, "QUERY_INVALID_ARGUMENT");
  const status = page.filters.get("status");
  if (status !== undefined && !STATUS_FILTERS.includes(status))
    throw new ExecutionError("QUERY_INVALID_ARGUMENT", `status must be one of ${STATUS_FILTERS.join(", ")}`);
  const attested = page.filters.get("attested");
  if (attested !== undefined && attested !== "true" && attested !== "false")
    throw new ExecutionError("QUERY_INVALID_ARGUMENT", "attested must be true or false");
  const height = await loadStateHeight(reader);
  const { keys, nextCursor } = await ALL_WORKERS.page(reader, page.cursor, page.limit);
  const views: WorkerView[] = [];
  for (const address of keys) {
    const w = await loadWorker(reader, address);
    if (!w) continue;
    if (operator && !Buffer.from(w.operator).equals(Buffer.from(operator))) continue;
    if (status !== undefined && WORKER_STATUS_NAMES[w.status] !== status) continue;
    const a = await loadWorkerAttestation(reader, address);
    // "attested" = holds an attestation that still counts.
    if (
      attested !== undefined &&
      (attested === "true") !== (a !== undefined && attestationCurrent(a, height))
    )
      continue;
    views.push(workerView(w, a, height));
  }
  return json({ workers: views, next_cursor: nextCursor });
}

export const WORKER_QUERIES: Readonly<Record<string, QueryHandler>> = {
  worker: queryWorker,
  workers: queryWorkers,
};
