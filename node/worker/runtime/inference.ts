// One inference job from bytes to result: decode the job's input (canonical tensor encoding), run
// the model, keep the outputs the params name, encode them canonically and hash the encoding. The
// returned `output` is what a worker reveals and `resultHash` what it commits to.
import {
  DEFAULT_TENSOR_LIMITS,
  decodeTensors,
  encodeTensors,
  inferenceResultHash,
  type NamedTensor,
  TensorEncodingError,
  type TensorEncodingLimits,
} from "../../../crypto/inference-output.js";
import { WorkerRuntimeError } from "./errors.js";
import { parseInferenceParams } from "./inference-params.js";
import { OnnxSession, type OnnxSessionConfig } from "./onnx-runner.js";

export interface InferenceResult {
  /** Canonical encoding of the output tensors. */
  output: Uint8Array;
  /** sha256(output). */
  resultHash: Uint8Array;
  tensors: NamedTensor[];
}

export interface RunInferenceOptions {
  /** Limits on the job's input encoding (default DEFAULT_TENSOR_LIMITS). */
  inputLimits?: TensorEncodingLimits;
  /** Limits on the output encoding; a larger output throws TENSORS_TOO_LARGE. */
  outputLimits?: TensorEncodingLimits;
}

function decodeInput(inputBytes: Uint8Array, limits: TensorEncodingLimits): NamedTensor[] {
  try {
    return decodeTensors(inputBytes, limits);
  } catch (e) {
    if (e instanceof TensorEncodingError) {
      throw new WorkerRuntimeError(
        "ONNX_BAD_INPUT",
        `job input is not a canonical tensor encoding: ${e.message}`,
        {
          cause: e,
        },
      );
    }
    throw e;
  }
}

/** Runs one job on an open session. Throws WorkerRuntimeError (or TensorEncodingError for outputs over the limits). */
export async function runInference(
  session: OnnxSession,
  inputBytes: Uint8Array,
  params: string,
  options: RunInferenceOptions = {},
): Promise<InferenceResult> {
  const { outputs } = parseInferenceParams(params);
  const inputs = decodeInput(inputBytes, options.inputLimits ?? DEFAULT_TENSOR_LIMITS);
  const tensors = await session.run(inputs, outputs);
  const output = encodeTensors(tensors, options.outputLimits ?? DEFAULT_TENSOR_LIMITS);
  return { output, resultHash: inferenceResultHash(output), tensors };
}

/** Loads the model, runs one job and releases the session. */
export async function runInferenceOnce(
  modelBytes: Uint8Array,
  inputBytes: Uint8Array,
  params: string,
  config: OnnxSessionConfig & RunInferenceOptions = {},
): Promise<InferenceResult> {
  // Parse the cheap things first: a bad job should not cost a model load.
  parseInferenceParams(params);
  const session = await OnnxSession.create(modelBytes, config);
  try {
    return await runInference(session, inputBytes, params, config);
  } finally {
    await session.close();
  }
}
