// JSON views of jobs, as queries answer them (snake_case, amounts as decimal strings, bytes 0x-hex,
// addresses kyo1..., state names lower-case). The result output is hex: it is the canonical
// encoding of the output tensors (crypto/inference-output.ts decodes it).
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { type Assignment, AssignmentState, type Job } from "../../../proto/index.js";
import { assignmentsOf, JOB_STATE_NAMES } from "./job-records.js";

export const ASSIGNMENT_STATE_NAMES: Readonly<Record<number, string>> = {
  [AssignmentState.ASSIGNMENT_STATE_ASSIGNED]: "assigned",
  [AssignmentState.ASSIGNMENT_STATE_COMMITTED]: "committed",
  [AssignmentState.ASSIGNMENT_STATE_REVEALED]: "revealed",
  [AssignmentState.ASSIGNMENT_STATE_AGREED]: "agreed",
  [AssignmentState.ASSIGNMENT_STATE_MINORITY]: "minority",
  [AssignmentState.ASSIGNMENT_STATE_MISSED]: "missed",
};

export interface AssignmentView {
  worker: string;
  operator: string;
  price: string;
  state: string;
  /** Hardware-attested (nvidia-cc) when assigned; false for dev workers. */
  trusted: boolean;
  /** null until committed / revealed. */
  commitment: string | null;
  result_hash: string | null;
  committed_height: number | null;
  revealed_height: number | null;
}

export interface JobView {
  id: number;
  owner: string;
  model_id: number;
  input_hash: string;
  input_uri: string;
  params: string;
  replication: number;
  max_price: string;
  model_fee: string;
  escrow: string;
  min_gpu_memory_mib: number;
  deadline_height: number;
  state: string;
  submitted_height: number;
  round: number;
  assignments: AssignmentView[];
  past_workers: string[];
  assigned_height: number | null;
  commit_end_height: number | null;
  reveal_end_height: number | null;
  /** The agreed result; null until settled. */
  result_hash: string | null;
  result_output: string | null;
  result_uri: string | null;
  settled_height: number | null;
  paid_workers: string;
  paid_model_fee: string;
  refunded: string;
  /** null when the job is not an audit. */
  audit_of: number | null;
  /** Why the job failed ("deadline", "no_quorum", ...); null otherwise. */
  failure: string | null;
}

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;
const hexOrNull = (b: Uint8Array | null | undefined): string | null => (b && b.length > 0 ? hex(b) : null);
const heightOrNull = (h: number): number | null => (h === 0 ? null : h);
const amount = (text: string): string => (text === "" ? "0" : text);

export function assignmentView(a: Assignment): AssignmentView {
  return {
    worker: encodeAddress(a.worker),
    operator: encodeAddress(a.operator),
    price: amount(a.price),
    state: ASSIGNMENT_STATE_NAMES[a.state] ?? "unspecified",
    trusted: a.trusted,
    commitment: hexOrNull(a.commitment),
    result_hash: hexOrNull(a.resultHash),
    committed_height: heightOrNull(a.committedHeight),
    revealed_height: heightOrNull(a.revealedHeight),
  };
}

export function jobView(job: Job): JobView {
  return {
    id: job.id,
    owner: encodeAddress(job.owner),
    model_id: job.modelId,
    input_hash: hex(job.inputHash),
    input_uri: job.inputUri,
    params: job.params,
    replication: job.replication,
    max_price: amount(job.maxPrice),
    model_fee: amount(job.modelFee),
    escrow: amount(job.escrow),
    min_gpu_memory_mib: job.minGpuMemoryMib,
    deadline_height: job.deadlineHeight,
    state: JOB_STATE_NAMES[job.state] ?? "unspecified",
    submitted_height: job.submittedHeight,
    round: job.round,
    assignments: assignmentsOf(job).map(assignmentView),
    past_workers: job.pastWorkers.map((w) => encodeAddress(w)),
    assigned_height: heightOrNull(job.assignedHeight),
    commit_end_height: heightOrNull(job.commitEndHeight),
    reveal_end_height: heightOrNull(job.revealEndHeight),
    result_hash: hexOrNull(job.resultHash),
    result_output: hexOrNull(job.resultOutput),
    result_uri: job.resultUri === "" ? null : job.resultUri,
    settled_height: heightOrNull(job.settledHeight),
    paid_workers: amount(job.paidWorkers),
    paid_model_fee: amount(job.paidModelFee),
    refunded: amount(job.refunded),
    audit_of: job.auditOf === 0 ? null : job.auditOf,
    failure: job.failure === "" ? null : job.failure,
  };
}
