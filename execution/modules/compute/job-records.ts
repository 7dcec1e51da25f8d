// The job side of compute's state (prefix 0x0a). Jobs are stored as their protos (amounts as
// decimal strings); this file is the only place that knows their keys.
//
//   [0x0a, 0x02]                              next job id (u64be; ids start at 1, never reused)
//   [0x0a, 0x11] ++ u64be(id)                 Job
//   [0x0a, 0x30]                SlotList      every job (the `jobs` list)
//   [0x0a, 0x31] ++ state (1)   SlotList      jobs in that state
//   [0x0a, 0x32] ++ owner (20)  SlotList      jobs of an owner
//   [0x0a, 0x33] ++ worker (20) SlotList      jobs a worker was ever assigned to
//   [0x0a, 0x34]                JobFifo       pending jobs, oldest first (assignment's queue)
//   [0x0a, 0x35] ++ u64be(h)    IdList        jobs to look at in the block end of h: a commit or
//                                             reveal window ends there, or every worker of the
//                                             round committed / revealed during h
//   [0x0a, 0x36] ++ u64be(h)    IdList        jobs whose assignment deadline is h
//   [0x0a, 0x37] ++ u64be(id) ++ hash (32)    the first inline output revealed with that result
//                                             hash in the current round (until settlement)
//   [0x0a, 0x38] ++ u64be(id) ++ hash (32)    the first output URI revealed with that hash
//
// A job's escrow lives in the job (Job.escrow): state, not an account, so no key can spend it;
// only settlement (payments, the model fee, refunds) and cancellation take from it.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { type Assignment, Job, JobState } from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { checkedAdd, checkedMul, formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { SlotList } from "../slot-list.js";
import { HeightQueue, JobFifo } from "./job-queues.js";
import type { ComputeParamsState } from "./params.js";
import { COMPUTE_PREFIX } from "./prefix.js";

function key(tag: number, ...tail: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(2 + tail.reduce((n, t) => n + t.length, 0));
  out[0] = COMPUTE_PREFIX;
  out[1] = tag;
  let off = 2;
  for (const t of tail) {
    out.set(t, off);
    off += t.length;
  }
  return out;
}

const NEXT_JOB_ID_KEY = stateKey(key(0x02));
export const jobKey = (id: number): StateKey => stateKey(key(0x11, u64be(id)));

export const ALL_JOBS = new SlotList(key(0x30));
export const jobsInState = (state: JobState): SlotList => new SlotList(key(0x31, Uint8Array.of(state)));
export const jobsOfOwner = (owner: Uint8Array): SlotList => new SlotList(key(0x32, owner));
export const jobsOfWorker = (worker: Uint8Array): SlotList => new SlotList(key(0x33, worker));
/** Pending jobs, in the order they became pending (a re-run joins at the back). */
export const PENDING_JOBS = new JobFifo(key(0x34));
/** Jobs whose window ends (or whose round completed) at a height. */
export const WINDOW_QUEUE = new HeightQueue(key(0x35));
/** Jobs whose assignment deadline is a height. */
export const DEADLINE_QUEUE = new HeightQueue(key(0x36));

const revealedOutputKey = (id: number, resultHash: Uint8Array): StateKey =>
  stateKey(key(0x37, u64be(id), resultHash));
const revealedUriKey = (id: number, resultHash: Uint8Array): StateKey =>
  stateKey(key(0x38, u64be(id), resultHash));

/** Short lower-case state names, as queries and events spell them. */
export const JOB_STATE_NAMES: Readonly<Record<number, string>> = {
  [JobState.JOB_STATE_PENDING]: "pending",
  [JobState.JOB_STATE_COMMIT]: "commit",
  [JobState.JOB_STATE_REVEAL]: "reveal",
  [JobState.JOB_STATE_SETTLED]: "settled",
  [JobState.JOB_STATE_FAILED]: "failed",
  [JobState.JOB_STATE_CANCELLED]: "cancelled",
};

/** Takes the next job id (1, 2, 3...). */
export async function takeJobId(store: KvStore): Promise<number> {
  const bytes = await store.get(NEXT_JOB_ID_KEY);
  const id = bytes === undefined ? 1 : readU64be(bytes);
  store.set(NEXT_JOB_ID_KEY, u64be(id + 1));
  return id;
}

export async function loadJob(reader: KvReader, id: number): Promise<Job | undefined> {
  if (!Number.isSafeInteger(id) || id < 1) return undefined;
  const bytes = await reader.get(jobKey(id));
  return bytes === undefined ? undefined : decodeCanonical<Job>(Job, bytes, "stored Job");
}

/** The job, or COMPUTE_JOB_NOT_FOUND. */
export async function requireJob(reader: KvReader, id: number): Promise<Job> {
  const job = await loadJob(reader, id);
  if (!job) throw new ExecutionError("COMPUTE_JOB_NOT_FOUND", `no compute job has id ${id}`);
  return job;
}

export function saveJob(store: KvStore, job: Job): void {
  store.set(jobKey(job.id), encode(Job, job));
}

/** Writes a new job and lists it (every job, its state, its owner). */
export async function insertJob(store: KvStore, job: Job): Promise<void> {
  saveJob(store, job);
  await ALL_JOBS.append(store, job.id);
  await jobsInState(job.state).append(store, job.id);
  await jobsOfOwner(job.owner).append(store, job.id);
}

/**
 * The current round's assignments, typed as full messages: decoding and Job.create build real
 * Assignment instances (absent fields read as their defaults), whatever the generated type says.
 */
export function assignmentsOf(job: Job): Assignment[] {
  return job.assignments as Assignment[];
}

/** Moves a job to `state` (and between the state lists); the caller saves it. */
export async function setJobState(store: KvStore, job: Job, state: JobState): Promise<void> {
  if (job.state === state) return;
  await jobsInState(job.state).remove(store, job.id);
  await jobsInState(state).append(store, job.id);
  job.state = state;
}

const amountOf = (text: string, what: string): bigint =>
  parseAmount(text === "" ? "0" : text, `stored ${what}`, "INTERNAL");

export const jobEscrow = (job: Job): bigint => amountOf(job.escrow, "escrow");
export const jobMaxPrice = (job: Job): bigint => amountOf(job.maxPrice, "max_price");
export const jobModelFee = (job: Job): bigint => amountOf(job.modelFee, "model_fee");
export const assignmentPrice = (a: Assignment): bigint => amountOf(a.price, "assignment price");

/** Replicas of a job's current round: the first round's, plus rerun_extra_replicas per re-run. */
export function replicasOfRound(job: Pick<Job, "replication" | "round">, params: ComputeParamsState): number {
  return job.replication + job.round * params.rerunExtraReplicas;
}

/** Escrow a round needs: every replica at max_price, plus the model fee. */
export function escrowNeeded(job: Job, replicas: number): bigint {
  return checkedAdd(checkedMul(BigInt(replicas), jobMaxPrice(job)), jobModelFee(job));
}

export function setEscrow(job: Job, amount: bigint): void {
  job.escrow = formatAmount(amount);
}

/** Adds `amount` to one of the job's paid totals (paid_workers, paid_model_fee, refunded). */
export function addPaid(job: Job, field: "paidWorkers" | "paidModelFee" | "refunded", amount: bigint): void {
  job[field] = formatAmount(amountOf(job[field], field) + amount);
}

export async function loadRevealedOutput(
  reader: KvReader,
  id: number,
  resultHash: Uint8Array,
): Promise<{ output?: Uint8Array; uri?: string }> {
  const output = await reader.get(revealedOutputKey(id, resultHash));
  const uri = await reader.get(revealedUriKey(id, resultHash));
  return {
    ...(output !== undefined ? { output } : {}),
    ...(uri !== undefined ? { uri: new TextDecoder().decode(uri) } : {}),
  };
}

/** Keeps the first inline output and the first URI revealed for a result hash of the round. */
export async function rememberRevealedOutput(
  store: KvStore,
  id: number,
  resultHash: Uint8Array,
  output: Uint8Array,
  uri: string,
): Promise<void> {
  if (output.length > 0 && (await store.get(revealedOutputKey(id, resultHash))) === undefined) {
    store.set(revealedOutputKey(id, resultHash), output);
  }
  if (uri !== "" && (await store.get(revealedUriKey(id, resultHash))) === undefined) {
    store.set(revealedUriKey(id, resultHash), new TextEncoder().encode(uri));
  }
}

export function forgetRevealedOutput(store: KvStore, id: number, resultHash: Uint8Array): void {
  store.delete(revealedOutputKey(id, resultHash));
  store.delete(revealedUriKey(id, resultHash));
}
