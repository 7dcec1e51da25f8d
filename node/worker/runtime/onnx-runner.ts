// Runs ONNX models with onnxruntime-node under options fixed for reproducibility: every honest
// worker must turn the same model and input bytes into the same output bits (DETERMINISM.md says
// why each option is what it is). Callers never choose session options, only the provider: "cpu"
// (the default, bundled in the npm package) or "cuda" (opt-in, needs the CUDA build installed).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import type { NamedTensor, TensorData, TensorDtype } from "../../../crypto/inference-output.js";
import { DTYPE_CODES } from "../../../crypto/inference-output.js";
import { WorkerRuntimeError } from "./errors.js";

export type InferenceProvider = "cpu" | "cuda";

export interface OnnxSessionConfig {
  /** Default "cpu". */
  provider?: InferenceProvider;
  /** The GPU for "cuda" (default 0). */
  cudaDeviceId?: number;
}

/** The onnxruntime version the results are computed with (replicas must agree on it). */
export const ONNXRUNTIME_VERSION: string = ort.env.versions.node ?? ort.env.versions.common;

/**
 * How a provider installs the CUDA execution provider. onnxruntime-node bundles the CPU runtime
 * only; its install script fetches the CUDA provider libraries from NuGet when asked, and the
 * project's .npmrc tells it to skip that by default.
 */
export const CUDA_INSTALL_HINT =
  "install the CUDA 12 provider libraries of onnxruntime-node (linux x64, needs CUDA 12 and cuDNN 9 on the host): " +
  "`ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js` " +
  "(or `npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12`), which downloads " +
  "Microsoft.ML.OnnxRuntime.Gpu.Linux from nuget.org into node_modules/onnxruntime-node/bin/napi-v6/linux/x64";

const CUDA_LIBRARIES = ["libonnxruntime_providers_shared.so", "libonnxruntime_providers_cuda.so"];

/** The folder onnxruntime-node loads its native libraries from on this platform. */
function ortBinaryFolder(): string {
  const pkg = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
  return join(dirname(pkg), "bin", "napi-v6", process.platform, process.arch);
}

/**
 * Whether this onnxruntime-node install has the CUDA provider libraries next to its binding (CUDA
 * itself may still be missing on the host: creating a session then fails with ONNX_CUDA_UNAVAILABLE).
 */
export function cudaProviderInstalled(): boolean {
  if (process.platform !== "linux" || process.arch !== "x64") return false;
  const folder = ortBinaryFolder();
  return CUDA_LIBRARIES.every((f) => existsSync(join(folder, f)));
}

/**
 * The session options every worker uses. Fixed, not configurable: one thread and sequential
 * execution fix the order of floating-point reductions; "basic" graph optimisation applies only
 * rewrites that do not depend on the host's instruction set (the "extended" and "layout" levels
 * add CPU-feature-specific fusions and blocked layouts); deterministic compute makes the CUDA EP
 * pick deterministic kernels; TF32 is off and cuDNN's algorithm is the fixed default rather than
 * the fastest one found by benchmarking, which can differ from run to run.
 */
export function deterministicSessionOptions(
  config: OnnxSessionConfig = {},
): ort.InferenceSession.SessionOptions {
  const provider = config.provider ?? "cpu";
  const cuda = {
    name: "cuda",
    deviceId: config.cudaDeviceId ?? 0,
    useTf32: false,
    cudnnConvAlgoSearch: "DEFAULT",
    enableCudaGraph: false,
    tunableOpEnable: false,
  };
  return {
    executionProviders: provider === "cuda" ? [cuda, "cpu"] : ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "basic",
    enableCpuMemArena: true,
    enableMemPattern: true,
    logSeverityLevel: 3,
    extra: {
      session: {
        use_deterministic_compute: "1",
        set_denormal_as_zero: "0",
        // one thread: nothing to gain from spinning, and a worker should not burn a core idle
        intra_op: { allow_spinning: "0" },
      },
    },
  };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const ORT_TYPES = new Set<string>(Object.keys(DTYPE_CODES));

function toOrtTensor(t: NamedTensor): ort.Tensor {
  // The canonical dtypes and typed arrays are onnxruntime's own (Tensor.DataTypeMap).
  const Ctor = ort.Tensor as unknown as new (
    type: TensorDtype,
    data: TensorData,
    dims: readonly number[],
  ) => ort.Tensor;
  return new Ctor(t.dtype, t.data, t.dims);
}

function fromOrtValue(name: string, value: ort.OnnxValue | undefined): NamedTensor {
  if (!(value instanceof ort.Tensor)) {
    throw new WorkerRuntimeError("ONNX_UNSUPPORTED_OUTPUT", `output ${name} is not a tensor`);
  }
  if (!ORT_TYPES.has(value.type)) {
    throw new WorkerRuntimeError("ONNX_UNSUPPORTED_OUTPUT", `output ${name} has type ${value.type}`);
  }
  let data = value.data as TensorData;
  // Where a runtime has Float16Array, onnxruntime hands float16 out as one: keep the raw bits.
  if (value.type === "float16" && !(data instanceof Uint16Array)) {
    const view = data as unknown as ArrayBufferView;
    data = new Uint16Array(view.buffer, view.byteOffset, view.byteLength / 2);
  }
  return { name, dtype: value.type as TensorDtype, dims: [...value.dims], data };
}

/** One loaded model. Not shared between jobs with different providers; close() when done. */
export class OnnxSession {
  private closed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: InferenceProvider,
  ) {}

  /** Loads `modelBytes` (an ONNX ModelProto) with the deterministic options. */
  static async create(modelBytes: Uint8Array, config: OnnxSessionConfig = {}): Promise<OnnxSession> {
    const provider = config.provider ?? "cpu";
    if (provider !== "cpu" && provider !== "cuda") {
      throw new WorkerRuntimeError(
        "ONNX_MODEL_INVALID",
        `unknown provider ${String(provider)} (cpu or cuda)`,
      );
    }
    if (provider === "cuda" && !cudaProviderInstalled()) {
      throw new WorkerRuntimeError(
        "ONNX_CUDA_UNAVAILABLE",
        `the CUDA execution provider is not installed with onnxruntime-node ${ONNXRUNTIME_VERSION} ` +
          `(${process.platform}/${process.arch}); ${CUDA_INSTALL_HINT}`,
      );
    }
    try {
      const session = await ort.InferenceSession.create(modelBytes, deterministicSessionOptions(config));
      return new OnnxSession(session, provider);
    } catch (e) {
      const message = messageOf(e);
      if (provider === "cuda" && /cuda|cudnn|cublas|shared library|providers_/i.test(message)) {
        throw new WorkerRuntimeError(
          "ONNX_CUDA_UNAVAILABLE",
          `the CUDA execution provider failed to load (${message}); check CUDA 12 and cuDNN 9 are installed, or ${CUDA_INSTALL_HINT}`,
          { cause: e },
        );
      }
      throw new WorkerRuntimeError("ONNX_MODEL_INVALID", `onnxruntime refused the model: ${message}`, {
        cause: e,
      });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  private checkInputs(inputs: readonly NamedTensor[]): void {
    const given = new Set(inputs.map((t) => t.name));
    const missing = this.inputNames.filter((n) => !given.has(n));
    const unexpected = [...given].filter((n) => !this.inputNames.includes(n));
    if (missing.length > 0 || unexpected.length > 0 || given.size !== inputs.length) {
      throw new WorkerRuntimeError(
        "ONNX_BAD_INPUT",
        `model inputs are [${this.inputNames.join(", ")}]; job input has [${inputs.map((t) => t.name).join(", ")}]`,
      );
    }
    for (const meta of this.session.inputMetadata) {
      if (!meta.isTensor) continue;
      const t = inputs.find((i) => i.name === meta.name)!;
      if (t.dtype !== meta.type) {
        throw new WorkerRuntimeError(
          "ONNX_BAD_INPUT",
          `input ${meta.name} must be ${meta.type}, job gives ${t.dtype}`,
        );
      }
      const shape = meta.shape;
      const fits =
        shape.length === 0 ||
        (shape.length === t.dims.length && shape.every((d, i) => typeof d === "string" || d === t.dims[i]));
      if (!fits) {
        throw new WorkerRuntimeError(
          "ONNX_BAD_INPUT",
          `input ${meta.name} must have shape [${shape.join(", ")}], job gives [${t.dims.join(", ")}]`,
        );
      }
    }
  }

  /**
   * Runs the model on `inputs` (exactly the model's inputs) and returns the outputs named in
   * `outputNames` (default: every graph output), in the model's output order.
   */
  async run(inputs: readonly NamedTensor[], outputNames?: readonly string[]): Promise<NamedTensor[]> {
    if (this.closed) throw new WorkerRuntimeError("ONNX_SESSION_CLOSED", "session used after close()");
    this.checkInputs(inputs);
    const wanted = outputNames ?? this.outputNames;
    for (const n of wanted) {
      if (!this.outputNames.includes(n)) {
        throw new WorkerRuntimeError(
          "INFERENCE_BAD_PARAMS",
          `model has no output ${JSON.stringify(n)} (outputs: ${this.outputNames.join(", ")})`,
        );
      }
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of inputs) feeds[t.name] = toOrtTensor(t);
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await this.session.run(feeds, [...wanted]);
    } catch (e) {
      throw new WorkerRuntimeError("ONNX_RUN_FAILED", `onnxruntime failed: ${messageOf(e)}`, { cause: e });
    }
    return wanted.map((n) => fromOrtValue(n, results[n]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
