// Sampled audits keep single-replica jobs honest. When a job settles with one worker, it is audited
// with probability compute.audit_bps / 10000: the draw is
//   uint256(sha256("kyochi/compute/audit/v1", lastBlockHash, u64be(job id))) mod 10000 < audit_bps,
// so nobody knows in advance which jobs will be checked. The audit is a new job (audit_of = the
// original's id, replication 1, the original's owner, model, input and params, no model fee) paid
// from the audit pool (slashed stake) with the original's max_price, and never assigned to the
// audited worker's operator. When it settles, its result is compared with the original's: a
// mismatch slashes the original worker (slash_audit_bps) and counts a fault; a match counts a
// passed audit. Whatever the audit does not spend goes back to the pool. With a pool too small to
// pay max_price, no audit is started.
import { encodeAddress } from "../../../crypto/address.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import { bytesEqual } from "../../../proto/canonical.js";
import { AssignmentState, Job, JobState } from "../../../proto/index.js";
import { u64be } from "../../../state/db.js";
import { checkedSub, formatAmount } from "../../amount.js";
import { makeEvent } from "../events.js";
import type { BlockEndContext } from "../types.js";
import { loadAuditPool, saveAuditPool } from "./audit-pool.js";
import {
  assignmentsOf,
  DEADLINE_QUEUE,
  insertJob,
  jobMaxPrice,
  loadJob,
  PENDING_JOBS,
  takeJobId,
} from "./job-records.js";
import type { ComputeParamsState } from "./params.js";
import { recordAuditPassed, recordFault, slashWorker } from "./worker-faults.js";

export const AUDIT_DOMAIN = "kyochi/compute/audit/v1";
const DOMAIN_BYTES = new TextEncoder().encode(AUDIT_DOMAIN);
const BPS = 10_000n;

/** Whether the job settled in the block after `lastBlockHash` is audited. */
export function auditSampled(lastBlockHash: Uint8Array, jobId: number, auditBps: number): boolean {
  const x = BigInt(`0x${toHex(sha256(DOMAIN_BYTES, lastBlockHash, u64be(jobId)))}`);
  return x % BPS < BigInt(auditBps);
}

/** After a single-replica job settled: maybe start its audit. */
export async function maybeStartAudit(
  ctx: BlockEndContext,
  job: Job,
  params: ComputeParamsState,
): Promise<void> {
  if (params.auditBps === 0 || !auditSampled(ctx.lastBlockHash, job.id, params.auditBps)) return;
  const audited = assignmentsOf(job)[0];
  if (!audited) return;
  const price = jobMaxPrice(job);
  const pool = await loadAuditPool(ctx.store);
  if (pool < price) {
    ctx.events.push(
      makeEvent("skip_audit", [
        ["job_id", String(job.id)],
        ["needed", price.toString()],
        ["audit_pool", pool.toString()],
      ]),
    );
    return;
  }
  saveAuditPool(ctx.store, checkedSub(pool, price));
  const id = await takeJobId(ctx.store);
  const deadlineHeight = ctx.height + params.maxJobBlocks - 1;
  const audit = Job.create({
    id,
    owner: job.owner,
    modelId: job.modelId,
    inputHash: job.inputHash,
    inputUri: job.inputUri,
    params: job.params,
    replication: 1,
    maxPrice: job.maxPrice,
    escrow: formatAmount(price),
    deadlineHeight,
    state: JobState.JOB_STATE_PENDING,
    submittedHeight: ctx.height,
    round: 0,
    pastWorkers: [audited.worker],
    paidWorkers: "0",
    paidModelFee: "0",
    refunded: "0",
    minGpuMemoryMib: job.minGpuMemoryMib,
    auditOf: job.id,
    modelFee: "0",
  });
  await insertJob(ctx.store, audit);
  await PENDING_JOBS.push(ctx.store, id);
  await DEADLINE_QUEUE.add(ctx.store, deadlineHeight, id);
  ctx.events.push(
    makeEvent("audit_job", [
      ["job_id", String(id)],
      ["audit_of", String(job.id)],
      ["audited_worker", encodeAddress(audited.worker)],
      ["escrow", audit.escrow],
    ]),
  );
}

/** After an audit job settled: compare with the original and judge the original worker. */
export async function finishAudit(
  ctx: BlockEndContext,
  audit: Job,
  params: ComputeParamsState,
): Promise<void> {
  const original = await loadJob(ctx.store, audit.auditOf);
  if (!original) return;
  const audited = assignmentsOf(original).find((a) => a.state === AssignmentState.ASSIGNMENT_STATE_AGREED);
  if (!audited) return;
  const match = bytesEqual(audit.resultHash, original.resultHash);
  let slashed = 0n;
  if (match) {
    await recordAuditPassed(ctx.store, audited.worker);
  } else {
    slashed = await slashWorker(
      ctx.store,
      audited.worker,
      params.slashAuditBps,
      "audit",
      ctx.height,
      params,
      ctx.events,
    );
    await recordFault(ctx.store, audited.worker, ctx.height, params, ctx.events);
  }
  ctx.events.push(
    makeEvent("finish_audit", [
      ["job_id", String(audit.id)],
      ["audit_of", String(original.id)],
      ["audited_worker", encodeAddress(audited.worker)],
      ["outcome", match ? "match" : "mismatch"],
      ["slashed", slashed.toString()],
    ]),
  );
}
