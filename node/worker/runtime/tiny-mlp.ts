// A small multi-layer perceptron as an ONNX model file, generated rather than downloaded: tests,
// the devnet and the inference benchmark need a real model whose bytes (and so whose weights hash)
// are the same on every machine. output = relu(input · W1 + B1) · W2 + B2, in float32, with the
// batch dimension left symbolic. Weights come from a seeded sha256 counter stream, never
// Math.random, so a seed names one model forever.
import { writeFile } from "node:fs/promises";
import { sha256 } from "../../../crypto/hash.js";
import type { NamedTensor } from "../../../crypto/inference-output.js";
import { encodeOnnxModel, ONNX_FLOAT, type OnnxValueInfo } from "./onnx-subset.js";

export const TINY_MLP_INPUT = "input";
export const TINY_MLP_OUTPUT = "output";
/** The post-ReLU hidden layer, a second graph output when `exposeHidden` is set. */
export const TINY_MLP_HIDDEN = "hidden";
/** ONNX IR version 8 and opset 17: read by every onnxruntime since 1.14. */
export const TINY_MLP_IR_VERSION = 8;
export const TINY_MLP_OPSET = 17;
const MAX_SIZE = 4096;

export interface TinyMlpSpec {
  /** Any integer 0..2^32-1; the same seed and sizes give the same bytes. */
  seed: number;
  inputSize: number;
  hidden: number;
  outputSize: number;
  /** Also output the hidden layer (to exercise multi-output models and output selection). */
  exposeHidden?: boolean;
}

export interface TinyMlpWeights {
  /** [inputSize, hidden], row-major. */
  w1: Float32Array;
  b1: Float32Array;
  /** [hidden, outputSize], row-major. */
  w2: Float32Array;
  b2: Float32Array;
}

function checkSize(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > MAX_SIZE)
    throw new RangeError(`tiny MLP ${name} must be ${min}..${MAX_SIZE}`);
}

function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError("tiny MLP seed must be 0..2^32-1");
}

/**
 * `count` floats uniform in [-scale, scale), from sha256(tag, seed, block counter): eight 32-bit
 * words per block. Each value is rounded to float32 once, so it is exact in the model file.
 */
function seededFloats(tag: string, seed: number, count: number, scale: number): Float32Array {
  const out = new Float32Array(count);
  const prefix = new TextEncoder().encode(`kyochi/tiny-mlp/v1/${tag}`);
  const counter = new Uint8Array(8);
  const cv = new DataView(counter.buffer);
  cv.setUint32(0, seed);
  for (let block = 0, i = 0; i < count; block++) {
    cv.setUint32(4, block);
    const digest = sha256(prefix, counter);
    const words = new DataView(digest.buffer, digest.byteOffset, 32);
    for (let w = 0; w < 8 && i < count; w++, i++) {
      out[i] = ((words.getUint32(w * 4) / 0x100000000) * 2 - 1) * scale;
    }
  }
  return out;
}

/** The weights `tinyMlpBytes(spec)` stores (for checking a runtime's answer by hand). */
export function tinyMlpWeights(spec: TinyMlpSpec): TinyMlpWeights {
  checkSeed(spec.seed);
  checkSize("inputSize", spec.inputSize, 1);
  checkSize("hidden", spec.hidden, 1);
  checkSize("outputSize", spec.outputSize, 1);
  // Glorot-like scales keep activations near 1 whatever the sizes, so outputs stay well inside float32.
  return {
    w1: seededFloats("w1", spec.seed, spec.inputSize * spec.hidden, 1 / Math.sqrt(spec.inputSize)),
    b1: seededFloats("b1", spec.seed, spec.hidden, 0.1),
    w2: seededFloats("w2", spec.seed, spec.hidden * spec.outputSize, 1 / Math.sqrt(spec.hidden)),
    b2: seededFloats("b2", spec.seed, spec.outputSize, 0.1),
  };
}

function littleEndian(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function floatMatrix(name: string, columns: number): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: { elemType: ONNX_FLOAT, shape: { dim: [{ dimParam: "batch" }, { dimValue: columns }] } },
    },
  };
}

/** The ONNX ModelProto bytes of the MLP `spec` describes (deterministic: same spec, same bytes). */
export function tinyMlpBytes(spec: TinyMlpSpec): Uint8Array {
  const w = tinyMlpWeights(spec);
  const init = (name: string, dims: number[], values: Float32Array) => ({
    name,
    dims,
    dataType: ONNX_FLOAT,
    rawData: littleEndian(values),
  });
  const node = (opType: string, input: string[], output: string) => ({
    name: `${opType.toLowerCase()}_${output}`,
    opType,
    input,
    output: [output],
  });
  const outputs = [floatMatrix(TINY_MLP_OUTPUT, spec.outputSize)];
  if (spec.exposeHidden) outputs.push(floatMatrix(TINY_MLP_HIDDEN, spec.hidden));
  return encodeOnnxModel({
    irVersion: TINY_MLP_IR_VERSION,
    producerName: "kyochi-tiny-mlp",
    producerVersion: "1",
    docString: `tiny MLP seed=${spec.seed} ${spec.inputSize}-${spec.hidden}-${spec.outputSize}`,
    opsetImport: [{ domain: "", version: TINY_MLP_OPSET }],
    graph: {
      name: "tiny_mlp",
      node: [
        node("MatMul", [TINY_MLP_INPUT, "W1"], "h_mm"),
        node("Add", ["h_mm", "B1"], "h_pre"),
        node("Relu", ["h_pre"], TINY_MLP_HIDDEN),
        node("MatMul", [TINY_MLP_HIDDEN, "W2"], "o_mm"),
        node("Add", ["o_mm", "B2"], TINY_MLP_OUTPUT),
      ],
      initializer: [
        init("W1", [spec.inputSize, spec.hidden], w.w1),
        init("B1", [spec.hidden], w.b1),
        init("W2", [spec.hidden, spec.outputSize], w.w2),
        init("B2", [spec.outputSize], w.b2),
      ],
      input: [floatMatrix(TINY_MLP_INPUT, spec.inputSize)],
      output: outputs,
    },
  });
}

/** Writes the model to `path`; returns its size and sha256 (the weights hash a registration names). */
export async function writeTinyMlp(
  path: string,
  spec: TinyMlpSpec,
): Promise<{ sizeBytes: number; sha256: Uint8Array }> {
  const bytes = tinyMlpBytes(spec);
  await writeFile(path, bytes);
  return { sizeBytes: bytes.length, sha256: sha256(bytes) };
}

/** A deterministic [batch, inputSize] float32 input tensor for the MLP (values in [-1, 1)). */
export function tinyMlpInput(i: { seed: number; batch: number; inputSize: number }): NamedTensor {
  checkSeed(i.seed);
  checkSize("batch", i.batch, 1);
  checkSize("inputSize", i.inputSize, 1);
  return {
    name: TINY_MLP_INPUT,
    dtype: "float32",
    dims: [i.batch, i.inputSize],
    data: seededFloats("input", i.seed, i.batch * i.inputSize, 1),
  };
}
