// Job messages: submit (the owner's escrow taken into the job) and cancel (before assignment, a
// full refund). Commit and reveal, signed by assigned workers, are in msgs-result.ts.
import { encodeAddress } from "../../../crypto/address.js";
import { Job, JobState } from "../../../proto/index.js";
import { checkedAdd, checkedMul, formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import { loadModel, modelFee, modelKey } from "../models/records.js";
import type { MsgHandler, MsgPayload } from "../types.js";
import {
  addPaid,
  DEADLINE_QUEUE,
  insertJob,
  jobEscrow,
  jobKey,
  PENDING_JOBS,
  requireJob,
  saveJob,
  setEscrow,
  setJobState,
  takeJobId,
} from "./job-records.js";
import { checkContentUri, checkHash32, checkJobParams } from "./job-validate.js";
import { computeCommitResultHandler, computeRevealResultHandler } from "./msgs-result.js";
import { COMPUTE_PARAMS_KEY, loadComputeParams } from "./params.js";

type SubmitPayload = MsgPayload<"computeSubmitJob">;

function invalid(message: string): ExecutionError {
  return new ExecutionError("COMPUTE_INVALID_JOB", message);
}

/** The stateless checks of a submission (bounds that need params are checked in execute). */
export function validateSubmitJob(msg: SubmitPayload): void {
  if (!msg.modelId) throw invalid("model_id must be a model id (1, 2, ...)");
  checkHash32(msg.inputHash, "input_hash", "COMPUTE_INVALID_JOB");
  checkContentUri(msg.inputUri ?? "", "input_uri", "COMPUTE_INVALID_JOB");
  if (!msg.replication) throw invalid("replication must be at least 1");
  if (!msg.deadlineBlocks) throw invalid("deadline_blocks must be at least 1");
  parseAmount(msg.maxPrice ?? "", "max_price");
  parseAmount(msg.escrow ?? "", "escrow");
}

export const computeSubmitJobHandler: MsgHandler<"computeSubmitJob"> = {
  validate: validateSubmitJob,
  touchedKeys(msg) {
    return msg.modelId ? [modelKey(msg.modelId), COMPUTE_PARAMS_KEY] : [COMPUTE_PARAMS_KEY];
  },
  async execute(ctx, msg) {
    const params = await loadComputeParams(ctx.store);
    const replication = msg.replication ?? 0;
    if (replication > params.maxReplication) {
      throw invalid(`replication ${replication} is above compute.max_replication ${params.maxReplication}`);
    }
    const deadlineBlocks = msg.deadlineBlocks ?? 0;
    if (deadlineBlocks > params.maxJobBlocks) {
      throw invalid(
        `deadline_blocks ${deadlineBlocks} is above compute.max_job_blocks ${params.maxJobBlocks}`,
      );
    }
    const jobParams = msg.params ?? "";
    checkJobParams(jobParams, params.maxParamsBytes);
    const modelId = msg.modelId ?? 0;
    const model = await loadModel(ctx.store, modelId);
    if (!model) throw new ExecutionError("MODEL_NOT_FOUND", `no model has id ${modelId}`);
    if (model.deprecated) {
      throw new ExecutionError("MODEL_DEPRECATED", `model ${model.id} is deprecated: it takes no new jobs`);
    }
    const maxPrice = parseAmount(msg.maxPrice ?? "", "max_price");
    const escrow = parseAmount(msg.escrow ?? "", "escrow");
    const fee = modelFee(model);
    const needed = checkedAdd(checkedMul(BigInt(replication), maxPrice), fee);
    if (escrow < needed) {
      throw new ExecutionError(
        "COMPUTE_ESCROW_TOO_LOW",
        `escrow ${escrow} is below ${replication} x max_price ${maxPrice} + model fee ${fee} = ${needed}`,
      );
    }
    const owner = await loadAccount(ctx.store, ctx.senderKey);
    if (owner.balance < escrow) {
      throw new ExecutionError(
        "INSUFFICIENT_FUNDS",
        `balance ${owner.balance} is below the escrow ${escrow}`,
      );
    }
    saveAccount(ctx.store, ctx.senderKey, { nonce: owner.nonce, balance: owner.balance - escrow });
    const id = await takeJobId(ctx.store);
    const deadlineHeight = ctx.height + deadlineBlocks - 1;
    const job = Job.create({
      id,
      owner: ctx.sender,
      modelId: model.id,
      inputHash: msg.inputHash ?? new Uint8Array(0),
      inputUri: msg.inputUri ?? "",
      params: jobParams,
      replication,
      maxPrice: formatAmount(maxPrice),
      escrow: formatAmount(escrow),
      deadlineHeight,
      state: JobState.JOB_STATE_PENDING,
      submittedHeight: ctx.height,
      round: 0,
      paidWorkers: "0",
      paidModelFee: "0",
      refunded: "0",
      minGpuMemoryMib: msg.minGpuMemoryMib ?? 0,
      auditOf: 0,
      modelFee: formatAmount(fee),
    });
    await insertJob(ctx.store, job);
    await PENDING_JOBS.push(ctx.store, id);
    await DEADLINE_QUEUE.add(ctx.store, deadlineHeight, id);
    ctx.events.push(
      makeEvent("submit_job", [
        ["job_id", String(id)],
        ["owner", ctx.senderBech32],
        ["model_id", String(model.id)],
        ["replication", String(replication)],
        ["max_price", job.maxPrice],
        ["escrow", job.escrow],
        ["model_fee", job.modelFee],
        ["deadline_height", String(deadlineHeight)],
      ]),
    );
  },
};

export const computeCancelJobHandler: MsgHandler<"computeCancelJob"> = {
  validate(msg) {
    if (!msg.jobId) throw invalid("job_id must be a job id (1, 2, ...)");
  },
  touchedKeys(msg) {
    return msg.jobId ? [jobKey(msg.jobId)] : [];
  },
  async execute(ctx, msg) {
    const job = await requireJob(ctx.store, msg.jobId ?? 0);
    if (!Buffer.from(job.owner).equals(Buffer.from(ctx.sender))) {
      throw new ExecutionError(
        "COMPUTE_NOT_JOB_OWNER",
        `job ${job.id} belongs to ${encodeAddress(job.owner)}`,
      );
    }
    // An audit is paid from the audit pool: its refund must go back there, never to an account.
    if (job.auditOf !== 0) {
      throw new ExecutionError(
        "COMPUTE_NOT_JOB_OWNER",
        `job ${job.id} audits job ${job.auditOf}: the chain runs it, nobody cancels it`,
      );
    }
    if (job.state !== JobState.JOB_STATE_PENDING) {
      throw new ExecutionError(
        "COMPUTE_JOB_NOT_PENDING",
        `job ${job.id} is not pending: it cannot be cancelled`,
      );
    }
    const refund = jobEscrow(job);
    const owner = await loadAccount(ctx.store, ctx.senderKey);
    saveAccount(ctx.store, ctx.senderKey, { nonce: owner.nonce, balance: checkedAdd(owner.balance, refund) });
    setEscrow(job, 0n);
    addPaid(job, "refunded", refund);
    await setJobState(ctx.store, job, JobState.JOB_STATE_CANCELLED);
    await PENDING_JOBS.remove(ctx.store, job.id);
    saveJob(ctx.store, job);
    ctx.events.push(
      makeEvent("cancel_job", [
        ["job_id", String(job.id)],
        ["owner", ctx.senderBech32],
        ["refunded", refund.toString()],
      ]),
    );
  },
};

export const JOB_MSG_HANDLERS: {
  computeSubmitJob: MsgHandler<"computeSubmitJob">;
  computeCancelJob: MsgHandler<"computeCancelJob">;
  computeCommitResult: MsgHandler<"computeCommitResult">;
  computeRevealResult: MsgHandler<"computeRevealResult">;
} = {
  computeSubmitJob: computeSubmitJobHandler,
  computeCancelJob: computeCancelJobHandler,
  computeCommitResult: computeCommitResultHandler,
  computeRevealResult: computeRevealResultHandler,
};
