// Errors of the worker daemon; `code` is stable. A job-level error (a model that will not load, an
// input whose hash does not match) never stops the daemon: it is logged and the job is left to
// its window (the chain slashes a missed window, so the daemon never reveals a result it did not
// compute).
import { CodedError } from "../../proto/coded-error.js";

export type WorkerErrorCode =
  | "WORKER_CONFIG_INVALID"
  | "WORKER_NOT_REGISTERED"
  | "WORKER_TX_REFUSED"
  | "WORKER_EVIDENCE_FAILED"
  | "WORKER_JOURNAL_CORRUPT"
  | "WORKER_JOB_FAILED";

export class WorkerError extends CodedError<WorkerErrorCode> {}
