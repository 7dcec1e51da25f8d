// The compute module (prefix 0x0a): GPU workers (stake, capabilities, price, reputation, jail,
// unbonding) and inference jobs (escrow, deterministic assignment, commit-reveal, settlement through
// the models' royalty settlement, slashing, re-runs, sampled audits).
//
//   params.ts            params.compute (ComputeParams), its ParamSpace
//   worker-*.ts          worker records, eligibility, faults and slashing, end block, queries
//   msgs-worker.ts       register, update, unbond, unjail
//   job-*.ts             job records, end block (windows, settlement, assignment), queries
//   msgs-job.ts          submit, cancel, commit, reveal
import { ExecutionError } from "../../errors.js";
import type { Module, MsgHandler } from "../types.js";
import { endBlockJobs } from "./job-end-block.js";
import { JOB_QUERIES } from "./job-queries.js";
import { JOB_MSG_HANDLERS } from "./msgs-job.js";
import { WORKER_MSG_HANDLERS } from "./msgs-worker.js";
import { COMPUTE_PARAM_SPACE, storeComputeParams } from "./params.js";
import { COMPUTE_PREFIX } from "./prefix.js";
import { endBlockWorkers } from "./worker-end-block.js";
import { WORKER_QUERIES } from "./worker-queries.js";

export { COMPUTE_PREFIX } from "./prefix.js";

export const COMPUTE_MSG_HANDLERS: {
  computeRegisterWorker: MsgHandler<"computeRegisterWorker">;
  computeUpdateWorker: MsgHandler<"computeUpdateWorker">;
  computeUnbondWorker: MsgHandler<"computeUnbondWorker">;
  computeUnjailWorker: MsgHandler<"computeUnjailWorker">;
  computeSubmitJob: MsgHandler<"computeSubmitJob">;
  computeCancelJob: MsgHandler<"computeCancelJob">;
  computeCommitResult: MsgHandler<"computeCommitResult">;
  computeRevealResult: MsgHandler<"computeRevealResult">;
} = { ...WORKER_MSG_HANDLERS, ...JOB_MSG_HANDLERS };

export const computeModule: Module = {
  name: "compute",
  prefix: COMPUTE_PREFIX,
  async initGenesis(ctx, genesis) {
    const values = genesis.params.compute;
    if (values === undefined || values === null || typeof values !== "object") {
      throw new ExecutionError("GENESIS_INVALID", "params.compute is missing");
    }
    storeComputeParams(ctx.store, { ...values }, "GENESIS_INVALID");
  },
  // Workers first: a worker whose unbonding completes or whose jail ends this block is settled
  // before jobs are assigned.
  async endBlock(ctx) {
    await endBlockWorkers(ctx);
    await endBlockJobs(ctx);
  },
  queries: { ...WORKER_QUERIES, ...JOB_QUERIES },
  paramSpaces: [COMPUTE_PARAM_SPACE],
};
