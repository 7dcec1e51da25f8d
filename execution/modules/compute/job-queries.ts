// Job queries (answers are UTF-8 JSON):
//   job/<id>                                          JobView
//   jobs/<cursor=&limit=&state=&owner=kyo1..&worker=kyo1..>
//                                                     {"jobs": JobView[], "next_cursor": n | null}
//   audit_pool                                        {"audit_pool": "<decimal>"}: slashed stake
//                                                     waiting to pay audits
// `jobs` walks one list: the worker's jobs if `worker` is given, else the owner's, else the jobs in
// `state`, else every job; the other filters are applied to that page, so a filtered page may hold
// fewer than `limit` jobs (keep following next_cursor).
import { bytesEqual } from "../../../proto/canonical.js";
import type { Job, JobState } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parseAddress } from "../accounts/index.js";
import { parsePageArgs, type SlotList } from "../slot-list.js";
import type { QueryAnswer, QueryHandler } from "../types.js";
import { loadAuditPool } from "./audit-pool.js";
import { ALL_JOBS, JOB_STATE_NAMES, jobsInState, jobsOfOwner, jobsOfWorker, loadJob } from "./job-records.js";
import { jobView } from "./job-views.js";

function json(value: unknown): QueryAnswer {
  return { value: new TextEncoder().encode(JSON.stringify(value)) };
}

function parseJobId(text: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `job id must be a positive integer, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

export function parseJobState(name: string): JobState {
  for (const [state, n] of Object.entries(JOB_STATE_NAMES)) if (n === name) return Number(state);
  throw new ExecutionError(
    "QUERY_INVALID_ARGUMENT",
    `state must be one of ${Object.values(JOB_STATE_NAMES).join(", ")}, got ${JSON.stringify(name)}`,
  );
}

/** `job/<id>`. */
export async function queryJob(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const id = parseJobId(arg);
  const job = await loadJob(reader, id);
  if (!job) throw new ExecutionError("COMPUTE_JOB_NOT_FOUND", `no compute job has id ${id}`);
  return json(jobView(job));
}

/** `jobs/<cursor=&limit=&state=&owner=&worker=>`. */
export async function queryJobs(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const { cursor, limit, filters } = parsePageArgs(arg, ["state", "owner", "worker"]);
  const stateText = filters.get("state");
  const ownerText = filters.get("owner");
  const workerText = filters.get("worker");
  const state = stateText === undefined ? undefined : parseJobState(stateText);
  const owner = ownerText === undefined ? undefined : parseAddress(ownerText, "QUERY_INVALID_ARGUMENT");
  const worker = workerText === undefined ? undefined : parseAddress(workerText, "QUERY_INVALID_ARGUMENT");
  let list: SlotList = ALL_JOBS;
  if (worker) list = jobsOfWorker(worker);
  else if (owner) list = jobsOfOwner(owner);
  else if (state !== undefined) list = jobsInState(state);
  const page = await list.page(reader, cursor, limit);
  const found = await Promise.all(page.ids.map((id) => loadJob(reader, id)));
  const jobs = found.filter(
    (job): job is Job =>
      job !== undefined &&
      (state === undefined || job.state === state) &&
      // (the worker's own list was walked when `worker` is given: every job in it matches)
      (owner === undefined || bytesEqual(job.owner, owner)),
  );
  return json({ jobs: jobs.map(jobView), next_cursor: page.nextCursor });
}

/** `audit_pool`: the slashed stake that pays the auditors of single-replica jobs. */
export async function queryAuditPool(reader: KvReader): Promise<QueryAnswer> {
  return json({ audit_pool: (await loadAuditPool(reader)).toString() });
}

export const JOB_QUERIES: Readonly<Record<string, QueryHandler>> = {
  job: queryJob,
  jobs: queryJobs,
  audit_pool: queryAuditPool,
};
