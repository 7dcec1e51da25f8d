// Result messages, signed by an assigned worker's key (the sender is the worker address):
//   commit  within the commit window: the commitment to a result (crypto/compute-commitment.ts);
//   reveal  within the reveal window: the result hash and salt that open the commitment, and the
//           output bytes inline (hashing to the result hash) or a URI where they are.
// When every worker of the round has committed (revealed), the job is queued for this block's end,
// which opens the reveal window early (settles the round) instead of waiting for the window's end.
import { MAX_SALT_BYTES, MIN_SALT_BYTES, resultCommitment } from "../../../crypto/compute-commitment.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import { bytesEqual } from "../../../proto/canonical.js";
import { type Assignment, AssignmentState, type Job, JobState } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { makeEvent } from "../events.js";
import type { MsgContext, MsgHandler } from "../types.js";
import {
  assignmentsOf,
  jobKey,
  rememberRevealedOutput,
  requireJob,
  saveJob,
  WINDOW_QUEUE,
} from "./job-records.js";
import { checkContentUri, checkHash32 } from "./job-validate.js";
import { COMPUTE_PARAMS_KEY, loadComputeParams } from "./params.js";

function invalid(message: string): ExecutionError {
  return new ExecutionError("COMPUTE_INVALID_RESULT", message);
}

/** The sender's assignment in the job's current round, or COMPUTE_NOT_ASSIGNED. */
function assignmentOf(ctx: MsgContext, job: Job): Assignment {
  const a = assignmentsOf(job).find((x) => bytesEqual(x.worker, ctx.sender));
  if (!a) {
    throw new ExecutionError(
      "COMPUTE_NOT_ASSIGNED",
      `${ctx.senderBech32} is not a worker of job ${job.id} round ${job.round}`,
    );
  }
  return a;
}

export const computeCommitResultHandler: MsgHandler<"computeCommitResult"> = {
  validate(msg) {
    if (!msg.jobId) throw invalid("job_id must be a job id (1, 2, ...)");
    checkHash32(msg.commitment, "commitment", "COMPUTE_INVALID_RESULT");
  },
  touchedKeys(msg) {
    return msg.jobId ? [jobKey(msg.jobId)] : [];
  },
  async execute(ctx, msg) {
    const job = await requireJob(ctx.store, msg.jobId ?? 0);
    const a = assignmentOf(ctx, job);
    if (job.state !== JobState.JOB_STATE_COMMIT) {
      throw new ExecutionError(
        "COMPUTE_COMMIT_WINDOW_CLOSED",
        `job ${job.id}'s commit window ended at height ${job.commitEndHeight}`,
      );
    }
    if (a.state !== AssignmentState.ASSIGNMENT_STATE_ASSIGNED) {
      throw new ExecutionError(
        "COMPUTE_ALREADY_COMMITTED",
        `${ctx.senderBech32} already committed to job ${job.id} round ${job.round}`,
      );
    }
    a.commitment = msg.commitment ?? new Uint8Array(0);
    a.committedHeight = ctx.height;
    a.state = AssignmentState.ASSIGNMENT_STATE_COMMITTED;
    if (assignmentsOf(job).every((x) => x.state === AssignmentState.ASSIGNMENT_STATE_COMMITTED)) {
      await WINDOW_QUEUE.add(ctx.store, ctx.height, job.id);
    }
    saveJob(ctx.store, job);
    ctx.events.push(
      makeEvent("commit_result", [
        ["job_id", String(job.id)],
        ["round", String(job.round)],
        ["worker", ctx.senderBech32],
        ["commitment", `0x${toHex(a.commitment)}`],
      ]),
    );
  },
};

export const computeRevealResultHandler: MsgHandler<"computeRevealResult"> = {
  validate(msg) {
    if (!msg.jobId) throw invalid("job_id must be a job id (1, 2, ...)");
    checkHash32(msg.resultHash, "result_hash", "COMPUTE_INVALID_RESULT");
    const salt = msg.salt?.length ?? 0;
    if (salt < MIN_SALT_BYTES || salt > MAX_SALT_BYTES) {
      throw invalid(`salt must be ${MIN_SALT_BYTES}..${MAX_SALT_BYTES} bytes, got ${salt}`);
    }
    const uri = msg.outputUri ?? "";
    if (uri !== "") checkContentUri(uri, "output_uri", "COMPUTE_INVALID_RESULT");
    if ((msg.output?.length ?? 0) === 0 && uri === "") {
      throw invalid("a reveal carries the output bytes or an output_uri");
    }
  },
  touchedKeys(msg) {
    return msg.jobId ? [jobKey(msg.jobId), COMPUTE_PARAMS_KEY] : [];
  },
  async execute(ctx, msg) {
    const job = await requireJob(ctx.store, msg.jobId ?? 0);
    const a = assignmentOf(ctx, job);
    const notCommitted = () =>
      new ExecutionError(
        "COMPUTE_NOT_COMMITTED",
        `${ctx.senderBech32} did not commit to job ${job.id} round ${job.round}: nothing to reveal`,
      );
    if (job.state === JobState.JOB_STATE_COMMIT) {
      if (a.state === AssignmentState.ASSIGNMENT_STATE_ASSIGNED) throw notCommitted();
      throw new ExecutionError(
        "COMPUTE_REVEAL_WINDOW_NOT_OPEN",
        `job ${job.id} reveals open after its commit window (ends at height ${job.commitEndHeight})`,
      );
    }
    if (job.state !== JobState.JOB_STATE_REVEAL) {
      throw new ExecutionError(
        "COMPUTE_REVEAL_WINDOW_CLOSED",
        `job ${job.id}'s reveal window is over (the round ended at height ${job.revealEndHeight})`,
      );
    }
    if (a.state === AssignmentState.ASSIGNMENT_STATE_ASSIGNED) throw notCommitted();
    if (a.state !== AssignmentState.ASSIGNMENT_STATE_COMMITTED) {
      throw new ExecutionError(
        "COMPUTE_ALREADY_REVEALED",
        `${ctx.senderBech32} already revealed for job ${job.id} round ${job.round}`,
      );
    }
    const output = msg.output ?? new Uint8Array(0);
    const { maxOutputBytes } = await loadComputeParams(ctx.store);
    if (output.length > maxOutputBytes) {
      throw invalid(`output is ${output.length} bytes, above compute.max_output_bytes ${maxOutputBytes}`);
    }
    const resultHash = msg.resultHash ?? new Uint8Array(0);
    const opened = resultCommitment({
      jobId: job.id,
      round: job.round,
      resultHash,
      salt: msg.salt ?? new Uint8Array(0),
      worker: ctx.sender,
    });
    if (!bytesEqual(opened, a.commitment)) {
      throw new ExecutionError(
        "COMPUTE_REVEAL_MISMATCH",
        `the result hash and salt do not open ${ctx.senderBech32}'s commitment to job ${job.id}`,
      );
    }
    if (output.length > 0 && !bytesEqual(sha256(output), resultHash)) {
      throw new ExecutionError(
        "COMPUTE_OUTPUT_MISMATCH",
        `sha256 of the output is 0x${toHex(sha256(output))}, not the revealed result hash`,
      );
    }
    a.resultHash = resultHash;
    a.revealedHeight = ctx.height;
    a.state = AssignmentState.ASSIGNMENT_STATE_REVEALED;
    await rememberRevealedOutput(ctx.store, job.id, resultHash, output, msg.outputUri ?? "");
    if (!assignmentsOf(job).some((x) => x.state === AssignmentState.ASSIGNMENT_STATE_COMMITTED)) {
      await WINDOW_QUEUE.add(ctx.store, ctx.height, job.id);
    }
    saveJob(ctx.store, job);
    ctx.events.push(
      makeEvent("reveal_result", [
        ["job_id", String(job.id)],
        ["round", String(job.round)],
        ["worker", ctx.senderBech32],
        ["result_hash", `0x${toHex(resultHash)}`],
      ]),
    );
  },
};
