// Assignment of pending jobs at block end. Deterministic (every node picks the same workers) and
// unpredictable before the previous block exists (the seed is that block's hash):
//
//   candidates  assignable workers (worker-eligibility.ts) that run the model's runtime, offer the
//               job's minimum GPU memory, ask at most its max_price, have a free slot this block,
//               never worked on the job in an earlier round, and (for an audit) do not belong to
//               the audited worker's operator;
//   draws       weighted sampling without replacement, weight = stake. Draw d of a round takes
//               x = uint256(sha256("kyochi/compute/assign/v1", lastBlockHash, u64be(job id),
//               u32be(round), u32be(d))) mod (total stake of the remaining candidates) and picks the
//               candidate whose cumulative stake range (in address order) holds x. A pick removes
//               every candidate of the same operator: one operator never holds two replicas;
//   trust       hardware-attested (trusted) workers are drawn first; dev workers only fill the
//               replicas trusted ones cannot;
//   capacity    a job is assigned only when enough distinct operators qualify; otherwise it stays
//               pending (and fails at its deadline).
//
// Work per block is bounded: at most compute.max_assignments_per_block rounds are assigned, and at
// most SCAN_FACTOR times as many pending jobs are examined, oldest first.
import { encodeAddress } from "../../../crypto/address.js";
import { u32be } from "../../../crypto/bytes.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import { Assignment, AssignmentState, type Job, JobState } from "../../../proto/index.js";
import { u64be } from "../../../state/db.js";
import { formatAmount, parseAmount } from "../../amount.js";
import { makeEvent } from "../events.js";
import { loadModel, modelFormatName } from "../models/index.js";
import type { BlockEndContext } from "../types.js";
import {
  assignmentsOf,
  escrowNeeded,
  jobEscrow,
  jobMaxPrice,
  jobsOfWorker,
  loadJob,
  PENDING_JOBS,
  replicasOfRound,
  saveJob,
  setJobState,
  WINDOW_QUEUE,
} from "./job-records.js";
import type { ComputeParamsState } from "./params.js";
import { failJob } from "./settlement.js";
import { type AssignableWorker, loadAssignableWorkers } from "./worker-eligibility.js";
import { takeSlot } from "./worker-faults.js";

export const ASSIGN_DOMAIN = "kyochi/compute/assign/v1";
/** Pending jobs examined per block, as a multiple of compute.max_assignments_per_block. */
export const SCAN_FACTOR = 4;
/** Queue entries read per examined job (holes of cancelled or assigned jobs included). */
const READS_PER_SCAN = 4;

const DOMAIN_BYTES = new TextEncoder().encode(ASSIGN_DOMAIN);

/** The draw-th random number of a job's round, as a 256-bit integer. */
export function assignmentDraw(
  lastBlockHash: Uint8Array,
  jobId: number,
  round: number,
  draw: number,
): bigint {
  return BigInt(`0x${toHex(sha256(DOMAIN_BYTES, lastBlockHash, u64be(jobId), u32be(round), u32be(draw)))}`);
}

export interface PickInput {
  lastBlockHash: Uint8Array;
  jobId: number;
  round: number;
  count: number;
  /** Qualified candidates, sorted by address. */
  candidates: readonly AssignableWorker[];
}

const operatorId = (w: AssignableWorker): string => toHex(w.worker.operator);

/**
 * Draws `count` workers (trusted first, then dev), or undefined when fewer than `count` distinct
 * operators qualify. Pure: the same input always gives the same picks in the same order.
 */
export function pickWorkers(input: PickInput): AssignableWorker[] | undefined {
  // Each pick removes exactly one operator, so enough distinct operators means enough picks.
  if (new Set(input.candidates.map(operatorId)).size < input.count) return undefined;
  const picks: AssignableWorker[] = [];
  const taken = new Set<string>();
  let draw = 0;
  for (const trusted of [true, false]) {
    let pool = input.candidates.filter((c) => c.trusted === trusted && !taken.has(operatorId(c)));
    while (picks.length < input.count && pool.length > 0) {
      const total = pool.reduce((sum, c) => sum + c.stake, 0n);
      const x = assignmentDraw(input.lastBlockHash, input.jobId, input.round, draw++);
      let chosen = pool[Number(x % BigInt(pool.length))] as AssignableWorker;
      if (total > 0n) {
        let point = x % total;
        for (const c of pool) {
          if (point < c.stake) {
            chosen = c;
            break;
          }
          point -= c.stake;
        }
      }
      picks.push(chosen);
      taken.add(operatorId(chosen));
      pool = pool.filter((c) => !taken.has(operatorId(c)));
    }
  }
  return picks;
}

function workerPrice(w: AssignableWorker): bigint {
  return parseAmount(w.worker.price === "" ? "0" : w.worker.price, "stored worker price", "INTERNAL");
}

/** Operators that may not work on this job: for an audit, the audited worker's operator. */
async function excludedOperators(ctx: BlockEndContext, job: Job): Promise<Set<string>> {
  const out = new Set<string>();
  if (job.auditOf === 0) return out;
  const original = await loadJob(ctx.store, job.auditOf);
  for (const a of original ? assignmentsOf(original) : []) out.add(toHex(a.operator));
  return out;
}

async function candidatesFor(
  ctx: BlockEndContext,
  job: Job,
  pool: readonly AssignableWorker[],
): Promise<AssignableWorker[] | undefined> {
  const model = await loadModel(ctx.store, job.modelId);
  const runtime = model ? modelFormatName(model.format) : undefined;
  if (runtime === undefined) return undefined;
  const maxPrice = jobMaxPrice(job);
  const past = new Set(job.pastWorkers.map(toHex));
  const excluded = await excludedOperators(ctx, job);
  return pool.filter(
    (c) =>
      c.freeSlots > 0 &&
      (c.worker.capabilities?.runtimes ?? []).includes(runtime) &&
      (c.worker.capabilities?.gpuMemoryMib ?? 0) >= job.minGpuMemoryMib &&
      workerPrice(c) <= maxPrice &&
      !past.has(toHex(c.worker.address)) &&
      !excluded.has(toHex(c.worker.operator)),
  );
}

async function assignRound(
  ctx: BlockEndContext,
  job: Job,
  picks: readonly AssignableWorker[],
  params: ComputeParamsState,
): Promise<void> {
  job.assignments = [];
  for (const p of picks) {
    p.freeSlots -= 1;
    await takeSlot(ctx.store, p.worker.address);
    await jobsOfWorker(p.worker.address).append(ctx.store, job.id);
    job.assignments.push(
      Assignment.create({
        worker: p.worker.address,
        operator: p.worker.operator,
        price: formatAmount(workerPrice(p)),
        state: AssignmentState.ASSIGNMENT_STATE_ASSIGNED,
        trusted: p.trusted,
      }),
    );
  }
  await setJobState(ctx.store, job, JobState.JOB_STATE_COMMIT);
  job.assignedHeight = ctx.height;
  job.commitEndHeight = ctx.height + params.commitWindowBlocks;
  job.revealEndHeight = job.commitEndHeight + params.revealWindowBlocks;
  await WINDOW_QUEUE.add(ctx.store, job.commitEndHeight, job.id);
  await PENDING_JOBS.remove(ctx.store, job.id);
  saveJob(ctx.store, job);
  ctx.events.push(
    makeEvent("assign_job", [
      ["job_id", String(job.id)],
      ["round", String(job.round)],
      [
        "workers",
        assignmentsOf(job)
          .map((a) => encodeAddress(a.worker))
          .join(","),
      ],
      [
        "trusted",
        assignmentsOf(job)
          .map((a) => String(a.trusted))
          .join(","),
      ],
      ["commit_end_height", String(job.commitEndHeight)],
      ["reveal_end_height", String(job.revealEndHeight)],
    ]),
  );
}

/** Assigns pending jobs, oldest first, within the block's bounds. */
export async function assignPendingJobs(ctx: BlockEndContext, params: ComputeParamsState): Promise<void> {
  const scan = params.maxAssignmentsPerBlock * SCAN_FACTOR;
  const ids = await PENDING_JOBS.front(ctx.store, scan, scan * READS_PER_SCAN);
  if (ids.length === 0) return;
  let pool: AssignableWorker[] | undefined;
  let assigned = 0;
  for (const id of ids) {
    if (assigned >= params.maxAssignmentsPerBlock) break;
    const job = await loadJob(ctx.store, id);
    if (!job || job.state !== JobState.JOB_STATE_PENDING) {
      await PENDING_JOBS.remove(ctx.store, id);
      continue;
    }
    if (ctx.height > job.deadlineHeight) {
      await failJob(ctx, job, "deadline");
      continue;
    }
    const replicas = replicasOfRound(job, params);
    if (jobEscrow(job) < escrowNeeded(job, replicas)) {
      // Only a governance change of rerun_extra_replicas between rounds can get here.
      await failJob(ctx, job, "escrow_short");
      continue;
    }
    pool ??= await loadAssignableWorkers(ctx.store, ctx.height, params);
    const candidates = await candidatesFor(ctx, job, pool);
    if (!candidates) continue;
    const picks = pickWorkers({
      lastBlockHash: ctx.lastBlockHash,
      jobId: job.id,
      round: job.round,
      count: replicas,
      candidates,
    });
    if (!picks) continue;
    await assignRound(ctx, job, picks, params);
    assigned++;
  }
}
