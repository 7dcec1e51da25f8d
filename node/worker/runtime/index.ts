// The worker runtime: fetch content by URI against its hash, run ONNX models deterministically,
// and turn outputs into the canonical bytes and result hash a worker commits to and reveals.
export { WorkerRuntimeError, type WorkerRuntimeErrorCode } from "./errors.js";
export {
  cachePath,
  DEFAULT_FETCH_MAX_BYTES,
  DEFAULT_FETCH_MAX_REDIRECTS,
  DEFAULT_FETCH_TIMEOUT_MS,
  type FetchOptions,
  fetchBytes,
  fetchVerified,
} from "./fetch.js";
export {
  type InferenceResult,
  type RunInferenceOptions,
  runInference,
  runInferenceOnce,
} from "./inference.js";
export { type InferenceParams, parseInferenceParams } from "./inference-params.js";
export {
  CUDA_INSTALL_HINT,
  cudaProviderInstalled,
  deterministicSessionOptions,
  type InferenceProvider,
  ONNXRUNTIME_VERSION,
  OnnxSession,
  type OnnxSessionConfig,
} from "./onnx-runner.js";
export {
  TINY_MLP_HIDDEN,
  TINY_MLP_INPUT,
  TINY_MLP_OUTPUT,
  type TinyMlpSpec,
  type TinyMlpWeights,
  tinyMlpBytes,
  tinyMlpInput,
  tinyMlpWeights,
  writeTinyMlp,
} from "./tiny-mlp.js";
