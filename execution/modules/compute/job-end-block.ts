// The job side of compute's block end, after the worker side (unbonding, jail). In this order:
//   1. windows: the jobs queued for this height (a window ends here, or every worker of the round
//      committed / revealed during this block). A COMMIT job whose commit window ended or whose
//      workers all committed opens its reveal window, which then runs for reveal_window_blocks
//      from the next block; a REVEAL job whose window ended or whose committed workers all
//      revealed ends its round (settlement.ts: settle, re-run or fail);
//   2. assignment of pending jobs (assignment.ts), re-runs and new audits included;
//   3. deadlines: jobs whose assignment deadline is this height and that are still pending fail
//      ("deadline") and are refunded.
// Every step reads only queues keyed by this height or the front of the pending queue: the work
// of a block never grows with the number of jobs ever submitted.
import { AssignmentState, type Job, JobState } from "../../../proto/index.js";
import type { BlockEndContext } from "../types.js";
import { assignPendingJobs } from "./assignment.js";
import {
  assignmentsOf,
  DEADLINE_QUEUE,
  loadJob,
  PENDING_JOBS,
  saveJob,
  setJobState,
  WINDOW_QUEUE,
} from "./job-records.js";
import { type ComputeParamsState, loadComputeParams } from "./params.js";
import { closeRound, failJob } from "./settlement.js";

const committedOrLater = (state: AssignmentState) =>
  state !== AssignmentState.ASSIGNMENT_STATE_ASSIGNED &&
  state !== AssignmentState.ASSIGNMENT_STATE_UNSPECIFIED;

/** Moves a job through the windows that close at this height (stale queue entries do nothing). */
async function advanceWindows(ctx: BlockEndContext, job: Job, params: ComputeParamsState): Promise<void> {
  if (job.state === JobState.JOB_STATE_COMMIT) {
    const allCommitted = assignmentsOf(job).every((a) => committedOrLater(a.state));
    if (ctx.height < job.commitEndHeight && !allCommitted) return;
    await setJobState(ctx.store, job, JobState.JOB_STATE_REVEAL);
    job.revealEndHeight = ctx.height + params.revealWindowBlocks;
    await WINDOW_QUEUE.add(ctx.store, job.revealEndHeight, job.id);
    saveJob(ctx.store, job);
  }
  if (job.state === JobState.JOB_STATE_REVEAL) {
    const waiting = assignmentsOf(job).some((a) => a.state === AssignmentState.ASSIGNMENT_STATE_COMMITTED);
    // Nobody committed: nothing can be revealed, so the round ends now instead of idling.
    if (ctx.height < job.revealEndHeight && waiting) return;
    await closeRound(ctx, job, params);
  }
}

export async function endBlockJobs(ctx: BlockEndContext): Promise<void> {
  let params: ComputeParamsState | undefined;
  const loadParams = async () => {
    params ??= await loadComputeParams(ctx.store);
    return params;
  };
  for (const id of await WINDOW_QUEUE.take(ctx.store, ctx.height)) {
    const job = await loadJob(ctx.store, id);
    if (job) await advanceWindows(ctx, job, await loadParams());
  }
  if (!(await PENDING_JOBS.isEmpty(ctx.store))) await assignPendingJobs(ctx, await loadParams());
  for (const id of await DEADLINE_QUEUE.take(ctx.store, ctx.height)) {
    const job = await loadJob(ctx.store, id);
    if (job?.state === JobState.JOB_STATE_PENDING) await failJob(ctx, job, "deadline");
  }
}
