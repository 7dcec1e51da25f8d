import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../crypto/hash.js";
import { decodeTensors, encodeTensors, type NamedTensor } from "../../../crypto/inference-output.js";
import { WorkerRuntimeError, type WorkerRuntimeErrorCode } from "./errors.js";
import { runInference, runInferenceOnce } from "./inference.js";
import { parseInferenceParams } from "./inference-params.js";
import {
  CUDA_INSTALL_HINT,
  cudaProviderInstalled,
  deterministicSessionOptions,
  OnnxSession,
} from "./onnx-runner.js";
import { tinyMlpBytes, tinyMlpInput } from "./tiny-mlp.js";

const spec = { seed: 11, inputSize: 8, hidden: 16, outputSize: 3, exposeHidden: true };
const model = tinyMlpBytes(spec);
const input = encodeTensors([tinyMlpInput({ seed: 2, batch: 2, inputSize: spec.inputSize })]);

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<WorkerRuntimeErrorCode | undefined> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof WorkerRuntimeError) return e.code;
    throw e;
  }
  return undefined;
}

describe("inference jobs on the ONNX runtime", () => {
  it("gives the same result hash in two runs and in two separate sessions", async () => {
    const a = await OnnxSession.create(model);
    const b = await OnnxSession.create(new Uint8Array(model)); // another copy of the bytes
    try {
      const first = await runInference(a, input, "");
      const again = await runInference(a, input, "");
      const other = await runInference(b, input, "");
      expect(toHex(again.resultHash)).toBe(toHex(first.resultHash));
      expect(toHex(other.resultHash)).toBe(toHex(first.resultHash));
      expect(toHex(other.output)).toBe(toHex(first.output));
      // the hash is sha256 of the canonical output encoding, which decodes to the outputs
      expect(toHex(first.resultHash)).toBe(toHex(sha256(first.output)));
      expect(decodeTensors(first.output).map((t) => t.name)).toEqual(["hidden", "output"]);
    } finally {
      await a.close();
      await b.close();
    }
    const once = await runInferenceOnce(model, input, "");
    const session = await OnnxSession.create(model);
    try {
      expect(toHex(once.resultHash)).toBe(toHex((await runInference(session, input, "")).resultHash));
    } finally {
      await session.close();
    }
  });

  it("changes the hash when the input, the model or the kept outputs change", async () => {
    const base = await runInferenceOnce(model, input, "");
    const tweaked = tinyMlpInput({ seed: 2, batch: 2, inputSize: spec.inputSize });
    (tweaked.data as Float32Array)[5] = Math.fround((tweaked.data as Float32Array)[5]! + 0.25);
    const otherInput = await runInferenceOnce(model, encodeTensors([tweaked]), "");
    const otherModel = await runInferenceOnce(tinyMlpBytes({ ...spec, seed: 12 }), input, "");
    const onlyOutput = await runInferenceOnce(model, input, '{"outputs":["output"]}');
    const hashes = [base, otherInput, otherModel, onlyOutput].map((r) => toHex(r.resultHash));
    expect(new Set(hashes).size).toBe(4);
    expect(onlyOutput.tensors.map((t) => t.name)).toEqual(["output"]);
    // keeping one output gives exactly that tensor of the full run
    const full = decodeTensors(base.output).find((t) => t.name === "output")!;
    expect(decodeTensors(onlyOutput.output)[0]!.data).toEqual(full.data);
  });

  it("refuses inputs that do not fit the model, with ONNX_BAD_INPUT", async () => {
    const session = await OnnxSession.create(model);
    try {
      const x = tinyMlpInput({ seed: 2, batch: 1, inputSize: spec.inputSize });
      const bad = async (tensors: NamedTensor[]) => codeOf(runInference(session, encodeTensors(tensors), ""));
      expect(await bad([{ ...x, name: "x" }])).toBe("ONNX_BAD_INPUT");
      expect(await bad([x, { ...x, name: "extra" }])).toBe("ONNX_BAD_INPUT");
      expect(await bad([])).toBe("ONNX_BAD_INPUT");
      expect(await bad([{ ...x, dtype: "float64", data: Float64Array.from(x.data as Float32Array) }])).toBe(
        "ONNX_BAD_INPUT",
      );
      expect(await bad([{ ...x, dims: [2, 4], data: x.data }])).toBe("ONNX_BAD_INPUT");
      expect(await bad([{ ...x, dims: [spec.inputSize], data: x.data }])).toBe("ONNX_BAD_INPUT");
      // input bytes that are not a canonical encoding
      expect(await codeOf(runInference(session, Uint8Array.of(1, 2, 3), ""))).toBe("ONNX_BAD_INPUT");
      // a batch of any size is accepted (symbolic dim)
      const big = tinyMlpInput({ seed: 3, batch: 5, inputSize: spec.inputSize });
      const r = await runInference(session, encodeTensors([big]), '{"outputs":["output"]}');
      expect(r.tensors[0]!.dims).toEqual([5, spec.outputSize]);
    } finally {
      await session.close();
    }
    expect(await codeOf(session.run([]))).toBe("ONNX_SESSION_CLOSED");
  });

  it("refuses params it does not understand before loading the model", async () => {
    for (const params of [
      "{}x",
      "[]",
      '{"outputs":[]}',
      '{"outputs":["output","output"]}',
      '{"outputs":[1]}',
      '{"round":3}',
      '{ "outputs": ["output"] }',
    ]) {
      expect(await codeOf(() => parseInferenceParams(params)), params).toBe("INFERENCE_BAD_PARAMS");
      expect(await codeOf(runInferenceOnce(Uint8Array.of(0), input, params)), params).toBe(
        "INFERENCE_BAD_PARAMS",
      );
    }
    expect(parseInferenceParams("{}")).toEqual({});
    expect(parseInferenceParams('{"outputs":["b","a"]}')).toEqual({ outputs: ["b", "a"] });
    expect(await codeOf(runInferenceOnce(model, input, '{"outputs":["logits"]}'))).toBe(
      "INFERENCE_BAD_PARAMS",
    );
  });

  it("refuses bytes that are not a model", async () => {
    expect(await codeOf(OnnxSession.create(Uint8Array.of(1, 2, 3)))).toBe("ONNX_MODEL_INVALID");
    expect(await codeOf(OnnxSession.create(model, { provider: "tpu" as never }))).toBe("ONNX_MODEL_INVALID");
  });

  it("fixes the options that decide the output bits", () => {
    const options = deterministicSessionOptions();
    expect(options).toMatchObject({
      executionProviders: ["cpu"],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "basic",
    });
    const cuda = deterministicSessionOptions({ provider: "cuda", cudaDeviceId: 1 });
    expect(cuda.executionProviders).toEqual([
      expect.objectContaining({ name: "cuda", deviceId: 1, useTf32: false, cudnnConvAlgoSearch: "DEFAULT" }),
      "cpu",
    ]);
  });

  it("names how to install the CUDA provider when it is asked for but missing", async () => {
    try {
      const session = await OnnxSession.create(model, { provider: "cuda" });
      // A host with the CUDA build and a GPU: the model runs.
      expect(cudaProviderInstalled()).toBe(true);
      await session.close();
    } catch (e) {
      expect(e).toBeInstanceOf(WorkerRuntimeError);
      expect((e as WorkerRuntimeError).code).toBe("ONNX_CUDA_UNAVAILABLE");
      if (!cudaProviderInstalled()) expect((e as Error).message).toContain(CUDA_INSTALL_HINT);
      expect((e as Error).message).toContain("cuda12");
    }
  });
});
