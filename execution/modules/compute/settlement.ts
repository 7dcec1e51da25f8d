// The end of a round, when its reveal window closes (or every committed worker revealed):
//
//   quorum      floor(r/2)+1 equal result hashes among the reveals, r = the round's replicas;
//   with one    each agreeing worker is paid its assignment price (to its worker address: the
//               account that signs its commits and reveals) and its fault count resets; the model
//               fee fixed at submission goes up the model's lineage (models/royalties.ts, after the
//               escrow is debited); minority workers (slash_minority_bps) and missing ones
//               (slash_missed_bps) are slashed and count a fault (jailed at max_faults); the agreed
//               hash and the first inline output revealed with it become the job's result; what is
//               left of the escrow is refunded to the owner (to the audit pool for an audit);
//   without     missing workers are slashed; the job is re-run by a fresh set of
//               replication + round x rerun_extra_replicas workers (none of an earlier round) when
//               round < max_reruns and the escrow covers that set at max_price plus the fee;
//               otherwise it fails ("no_quorum") and the escrow is refunded.
// Revealers of a round without quorum are neither paid nor slashed: nobody can tell who was right.
import { encodeAddress } from "../../../crypto/address.js";
import { fromHex, toHex } from "../../../crypto/hash.js";
import { type Assignment, AssignmentState, type Job, JobState } from "../../../proto/index.js";
import { checkedAdd, checkedSub } from "../../amount.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import { loadModelsParams, settleModelFee } from "../models/index.js";
import type { BlockEndContext } from "../types.js";
import { addToAuditPool } from "./audit-pool.js";
import { finishAudit, maybeStartAudit } from "./audits.js";
import {
  addPaid,
  assignmentPrice,
  assignmentsOf,
  DEADLINE_QUEUE,
  escrowNeeded,
  forgetRevealedOutput,
  jobEscrow,
  jobModelFee,
  loadRevealedOutput,
  PENDING_JOBS,
  replicasOfRound,
  saveJob,
  setEscrow,
  setJobState,
} from "./job-records.js";
import type { ComputeParamsState } from "./params.js";
import { recordAgreement, recordFault, releaseSlot, slashWorker } from "./worker-faults.js";

async function credit(ctx: BlockEndContext, address: Uint8Array, amount: bigint): Promise<void> {
  const key = accountStateKey(address);
  const account = await loadAccount(ctx.store, key);
  saveAccount(ctx.store, key, { nonce: account.nonce, balance: checkedAdd(account.balance, amount) });
}

/** Empties the job's escrow: back to its owner, or to the audit pool for an audit. */
export async function refundEscrow(ctx: BlockEndContext, job: Job): Promise<bigint> {
  const rest = jobEscrow(job);
  if (rest === 0n) return 0n;
  setEscrow(job, 0n);
  addPaid(job, "refunded", rest);
  if (job.auditOf !== 0) await addToAuditPool(ctx.store, rest);
  else await credit(ctx, job.owner, rest);
  ctx.events.push(
    makeEvent("refund_job", [
      ["job_id", String(job.id)],
      ["to", job.auditOf !== 0 ? "audit_pool" : encodeAddress(job.owner)],
      ["amount", rest.toString()],
    ]),
  );
  return rest;
}

/** Ends a job that will not be (re-)assigned: escrow refunded, state FAILED with `reason`. */
export async function failJob(ctx: BlockEndContext, job: Job, reason: string): Promise<void> {
  await refundEscrow(ctx, job);
  await setJobState(ctx.store, job, JobState.JOB_STATE_FAILED);
  job.failure = reason;
  job.settledHeight = ctx.height;
  await PENDING_JOBS.remove(ctx.store, job.id);
  saveJob(ctx.store, job);
  ctx.events.push(
    makeEvent("fail_job", [
      ["job_id", String(job.id)],
      ["round", String(job.round)],
      ["reason", reason],
      ["refunded", job.refunded],
    ]),
  );
}

/** Slashes a worker for a fault of this round and counts the fault (jail at max_faults). */
async function penalize(
  ctx: BlockEndContext,
  a: Assignment,
  reason: "missed" | "minority",
  params: ComputeParamsState,
): Promise<void> {
  const bps = reason === "missed" ? params.slashMissedBps : params.slashMinorityBps;
  await slashWorker(ctx.store, a.worker, bps, reason, ctx.height, params, ctx.events);
  await recordFault(ctx.store, a.worker, ctx.height, params, ctx.events);
}

const isRevealed = (a: Assignment) => a.state === AssignmentState.ASSIGNMENT_STATE_REVEALED;

/** The hash revealed by at least floor(r/2)+1 workers of the round, as hex; undefined if none. */
export function quorumHash(assignments: readonly Assignment[]): string | undefined {
  const quorum = Math.floor(assignments.length / 2) + 1;
  const counts = new Map<string, number>();
  for (const a of assignments) {
    if (!isRevealed(a)) continue;
    const h = toHex(a.resultHash);
    const n = (counts.get(h) ?? 0) + 1;
    counts.set(h, n);
    if (n >= quorum) return h;
  }
  return undefined;
}

async function settleAgreed(
  ctx: BlockEndContext,
  job: Job,
  agreed: string,
  params: ComputeParamsState,
): Promise<void> {
  let escrow = jobEscrow(job);
  for (const a of assignmentsOf(job)) {
    if (isRevealed(a) && toHex(a.resultHash) === agreed) {
      const price = assignmentPrice(a);
      escrow = checkedSub(escrow, price);
      await credit(ctx, a.worker, price);
      addPaid(job, "paidWorkers", price);
      a.state = AssignmentState.ASSIGNMENT_STATE_AGREED;
      await recordAgreement(ctx.store, a.worker);
      ctx.events.push(
        makeEvent("pay_worker", [
          ["job_id", String(job.id)],
          ["worker", encodeAddress(a.worker)],
          ["operator", encodeAddress(a.operator)],
          ["amount", price.toString()],
        ]),
      );
    } else if (isRevealed(a)) {
      a.state = AssignmentState.ASSIGNMENT_STATE_MINORITY;
      await penalize(ctx, a, "minority", params);
    } else {
      a.state = AssignmentState.ASSIGNMENT_STATE_MISSED;
      await penalize(ctx, a, "missed", params);
    }
    await releaseSlot(ctx.store, a.worker);
  }
  const fee = jobModelFee(job);
  if (fee > 0n) {
    escrow = checkedSub(escrow, fee);
    addPaid(job, "paidModelFee", fee);
    ctx.events.push(
      makeEvent("pay_model", [
        ["model_id", String(job.modelId)],
        ["payer", encodeAddress(job.owner)],
        ["amount", fee.toString()],
        ["job_id", String(job.id)],
      ]),
    );
    const { maxLineageDepth } = await loadModelsParams(ctx.store);
    await settleModelFee(ctx.store, job.modelId, fee, maxLineageDepth, ctx.events);
  }
  setEscrow(job, escrow);
  const result = await loadRevealedOutput(ctx.store, job.id, fromHex(agreed));
  job.resultHash = fromHex(agreed);
  job.resultOutput = result.output ?? new Uint8Array(0);
  job.resultUri = result.uri ?? "";
  await setJobState(ctx.store, job, JobState.JOB_STATE_SETTLED);
  job.settledHeight = ctx.height;
  await refundEscrow(ctx, job);
  saveJob(ctx.store, job);
  ctx.events.push(
    makeEvent("settle_job", [
      ["job_id", String(job.id)],
      ["round", String(job.round)],
      ["result_hash", `0x${agreed}`],
      [
        "agreed",
        String(assignmentsOf(job).filter((a) => a.state === AssignmentState.ASSIGNMENT_STATE_AGREED).length),
      ],
      ["paid_workers", job.paidWorkers],
      ["paid_model_fee", job.paidModelFee],
      ["refunded", job.refunded],
    ]),
  );
  if (job.auditOf !== 0) await finishAudit(ctx, job, params);
  else if (assignmentsOf(job).length === 1) await maybeStartAudit(ctx, job, params);
}

async function rerunOrFail(ctx: BlockEndContext, job: Job, params: ComputeParamsState): Promise<void> {
  for (const a of assignmentsOf(job)) {
    if (!isRevealed(a)) {
      a.state = AssignmentState.ASSIGNMENT_STATE_MISSED;
      await penalize(ctx, a, "missed", params);
    }
    await releaseSlot(ctx.store, a.worker);
    job.pastWorkers.push(a.worker);
  }
  const replicas = replicasOfRound({ replication: job.replication, round: job.round + 1 }, params);
  if (job.round >= params.maxReruns || jobEscrow(job) < escrowNeeded(job, replicas)) {
    await failJob(ctx, job, "no_quorum");
    return;
  }
  const previous = assignmentsOf(job).length;
  job.round += 1;
  job.assignments = [];
  await setJobState(ctx.store, job, JobState.JOB_STATE_PENDING);
  await PENDING_JOBS.push(ctx.store, job.id);
  // Past its deadline, the re-run gets this block's assignment and no later one.
  if (job.deadlineHeight <= ctx.height) await DEADLINE_QUEUE.add(ctx.store, ctx.height, job.id);
  saveJob(ctx.store, job);
  ctx.events.push(
    makeEvent("rerun_job", [
      ["job_id", String(job.id)],
      ["round", String(job.round)],
      ["replicas", String(replicas)],
      ["previous_replicas", String(previous)],
    ]),
  );
}

/** Ends the job's current round (its state is REVEAL): settle, re-run or fail. */
export async function closeRound(ctx: BlockEndContext, job: Job, params: ComputeParamsState): Promise<void> {
  const revealedHashes = new Set(
    assignmentsOf(job)
      .filter(isRevealed)
      .map((a) => toHex(a.resultHash)),
  );
  const agreed = quorumHash(assignmentsOf(job));
  if (agreed !== undefined) await settleAgreed(ctx, job, agreed, params);
  else await rerunOrFail(ctx, job, params);
  for (const h of revealedHashes) forgetRevealedOutput(ctx.store, job.id, fromHex(h));
}
