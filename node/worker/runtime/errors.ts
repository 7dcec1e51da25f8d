// Errors of the worker runtime (fetching job inputs and model weights, running ONNX models). The
// worker daemon reports them in its logs and decides from the code whether a job can be retried
// (a timeout) or never will succeed (a hash mismatch, a model the runtime refuses).
import { CodedError } from "../../../proto/coded-error.js";

export type WorkerRuntimeErrorCode =
  /** the fetched bytes do not hash (sha256) to the hash the chain names */
  | "FETCH_HASH_MISMATCH"
  /** the content is larger than the limit (declared or while streaming) */
  | "FETCH_TOO_LARGE"
  /** a URI scheme other than file:, http:, https:, data: (or a redirect to another scheme) */
  | "FETCH_UNSUPPORTED_SCHEME"
  /** the URI does not parse, or a data: URI is malformed */
  | "FETCH_BAD_URI"
  /** the expected hash is not 32 bytes */
  | "FETCH_BAD_HASH"
  /** no answer within the timeout */
  | "FETCH_TIMEOUT"
  /** a non-2xx HTTP status, too many redirects, a network or file-system error */
  | "FETCH_FAILED"
  /** the job's params are not the JSON this runtime understands */
  | "INFERENCE_BAD_PARAMS"
  /** onnxruntime refused the model bytes */
  | "ONNX_MODEL_INVALID"
  /** the CUDA execution provider was asked for but this onnxruntime-node install cannot load it */
  | "ONNX_CUDA_UNAVAILABLE"
  /** the job's input tensors do not match the model's inputs (names, dtypes, shapes) */
  | "ONNX_BAD_INPUT"
  /** onnxruntime failed while running the model */
  | "ONNX_RUN_FAILED"
  /** the model produced an output the canonical encoding cannot carry (strings, maps, sequences) */
  | "ONNX_UNSUPPORTED_OUTPUT"
  /** the session was used after close() */
  | "ONNX_SESSION_CLOSED";

export class WorkerRuntimeError extends CodedError<WorkerRuntimeErrorCode> {}
