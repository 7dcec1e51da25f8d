// The parts of the compute module's JSON answers (compute_getWorker, compute_getJob, in the RPC's
// camelCase) the daemon reads, checked at the boundary: a node that answers something else is
// reported, never half-understood.
import type { JsonObject } from "../../rpc/types.js";
import { WorkerError } from "./errors.js";

export interface WorkerAttestationView {
  evidenceClass: string;
  trusted: boolean;
  expiresHeight: number;
  expired: boolean;
}

export interface WorkerView {
  address: string;
  operator: string;
  status: string;
  attestation: WorkerAttestationView | null;
}

export interface AssignmentView {
  worker: string;
  state: string;
}

export interface JobView {
  id: number;
  modelId: number;
  inputHash: string;
  inputUri: string;
  params: string;
  state: string;
  round: number;
  commitEndHeight: number;
  revealEndHeight: number;
  assignments: AssignmentView[];
}

function bad(what: string, value: unknown): WorkerError {
  return new WorkerError("WORKER_JOB_FAILED", `unexpected ${what} from the node: ${JSON.stringify(value)}`);
}

function str(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string") throw bad(`${what}.${key}`, v);
  return v;
}

function int(o: JsonObject, key: string, what: string): number {
  const v = o[key];
  const n = typeof v === "string" && /^[0-9]+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n)) throw bad(`${what}.${key}`, v);
  return n;
}

function obj(v: unknown, what: string): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw bad(what, v);
  return v as JsonObject;
}

export function workerView(answer: JsonObject): WorkerView {
  const w = obj(answer.worker ?? answer, "worker");
  const a = w.attestation;
  return {
    address: str(w, "address", "worker"),
    operator: str(w, "operator", "worker"),
    status: str(w, "status", "worker"),
    attestation:
      a === null || a === undefined
        ? null
        : {
            evidenceClass: str(obj(a, "attestation"), "evidenceClass", "attestation"),
            trusted: obj(a, "attestation").trusted === true,
            expiresHeight: int(obj(a, "attestation"), "expiresHeight", "attestation"),
            expired: obj(a, "attestation").expired === true,
          },
  };
}

export function jobView(value: unknown): JobView {
  const j = obj(value, "job");
  const assignments = j.assignments;
  if (!Array.isArray(assignments)) throw bad("job.assignments", assignments);
  return {
    id: int(j, "id", "job"),
    modelId: int(j, "modelId", "job"),
    inputHash: str(j, "inputHash", "job"),
    inputUri: str(j, "inputUri", "job"),
    params: str(j, "params", "job"),
    state: str(j, "state", "job"),
    round: int(j, "round", "job"),
    // null until the job's round is assigned
    commitEndHeight: j.commitEndHeight === null ? 0 : int(j, "commitEndHeight", "job"),
    revealEndHeight: j.revealEndHeight === null ? 0 : int(j, "revealEndHeight", "job"),
    assignments: assignments.map((a) => {
      const o = obj(a, "assignment");
      return { worker: str(o, "worker", "assignment"), state: str(o, "state", "assignment") };
    }),
  };
}

/** The jobs of a compute_listJobs page. */
export function jobsOfPage(answer: JsonObject): JobView[] {
  const jobs = answer.jobs;
  if (!Array.isArray(jobs)) throw bad("jobs page", answer);
  return jobs.map(jobView);
}
