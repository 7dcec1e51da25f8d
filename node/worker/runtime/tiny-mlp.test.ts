import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../crypto/hash.js";
import { OnnxSession } from "./onnx-runner.js";
import {
  TINY_MLP_HIDDEN,
  TINY_MLP_OUTPUT,
  type TinyMlpSpec,
  tinyMlpBytes,
  tinyMlpInput,
  tinyMlpWeights,
  writeTinyMlp,
} from "./tiny-mlp.js";

const spec: TinyMlpSpec = { seed: 7, inputSize: 16, hidden: 32, outputSize: 4 };
const dir = mkdtempSync(join(tmpdir(), "kyochi-tiny-mlp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The MLP's forward pass by hand, in float32 (every intermediate rounded with Math.fround). */
function forward(
  s: TinyMlpSpec,
  x: Float32Array,
  batch: number,
): { hidden: Float32Array; output: Float32Array } {
  const w = tinyMlpWeights(s);
  const hidden = new Float32Array(batch * s.hidden);
  const output = new Float32Array(batch * s.outputSize);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < s.hidden; j++) {
      let acc = 0;
      for (let i = 0; i < s.inputSize; i++)
        acc = Math.fround(acc + Math.fround(x[b * s.inputSize + i]! * w.w1[i * s.hidden + j]!));
      hidden[b * s.hidden + j] = Math.max(0, Math.fround(acc + w.b1[j]!));
    }
    for (let k = 0; k < s.outputSize; k++) {
      let acc = 0;
      for (let j = 0; j < s.hidden; j++) {
        acc = Math.fround(acc + Math.fround(hidden[b * s.hidden + j]! * w.w2[j * s.outputSize + k]!));
      }
      output[b * s.outputSize + k] = Math.fround(acc + w.b2[k]!);
    }
  }
  return { hidden, output };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    // onnxruntime sums in its own order with fused multiply-adds: equal to a few float32 ulps.
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(expected[i]!)));
  }
}

describe("tiny MLP model file", () => {
  it("is the same bytes for the same seed and sizes, and different for another seed", () => {
    const a = tinyMlpBytes(spec);
    expect(toHex(tinyMlpBytes(spec))).toBe(toHex(a));
    expect(toHex(tinyMlpBytes({ ...spec, seed: 8 }))).not.toBe(toHex(a));
    expect(toHex(tinyMlpBytes({ ...spec, exposeHidden: true }))).not.toBe(toHex(a));
    // weights are spread over both signs and bounded by the layer scale
    const w = tinyMlpWeights(spec);
    expect(w.w1.some((v) => v < 0) && w.w1.some((v) => v > 0)).toBe(true);
    expect(w.w1.every((v) => Math.abs(v) <= 1 / Math.sqrt(spec.inputSize))).toBe(true);
  });

  it("writes the file and reports the hash a model registration names", async () => {
    const path = join(dir, "mlp.onnx");
    const { sizeBytes, sha256: hash } = await writeTinyMlp(path, spec);
    const onDisk = new Uint8Array(readFileSync(path));
    expect(onDisk.length).toBe(sizeBytes);
    expect(toHex(hash)).toBe(toHex(sha256(onDisk)));
    expect(toHex(onDisk)).toBe(toHex(tinyMlpBytes(spec)));
  });

  it("loads in onnxruntime and computes the forward pass done by hand", async () => {
    const s = { ...spec, exposeHidden: true };
    const session = await OnnxSession.create(tinyMlpBytes(s));
    try {
      expect(session.inputNames).toEqual(["input"]);
      expect(session.outputNames).toEqual([TINY_MLP_OUTPUT, TINY_MLP_HIDDEN]);
      const input = tinyMlpInput({ seed: 1, batch: 3, inputSize: s.inputSize });
      const [output, hidden] = await session.run([input]);
      const expected = forward(s, input.data as Float32Array, 3);
      expect(output!.dtype).toBe("float32");
      expect(output!.dims).toEqual([3, s.outputSize]);
      expect(hidden!.dims).toEqual([3, s.hidden]);
      expectClose(output!.data as Float32Array, expected.output);
      expectClose(hidden!.data as Float32Array, expected.hidden);
      // ReLU really cuts: some hidden units are exactly zero, some positive
      expect([...(hidden!.data as Float32Array)].some((v) => v === 0)).toBe(true);
      expect([...(hidden!.data as Float32Array)].some((v) => v > 0)).toBe(true);
    } finally {
      await session.close();
    }
  });

  it("refuses sizes out of range and fractional seeds", () => {
    expect(() => tinyMlpBytes({ ...spec, hidden: 0 })).toThrow(RangeError);
    expect(() => tinyMlpBytes({ ...spec, inputSize: 5000 })).toThrow(RangeError);
    expect(() => tinyMlpBytes({ ...spec, seed: 1.5 })).toThrow(RangeError);
    expect(() => tinyMlpInput({ seed: -1, batch: 1, inputSize: 2 })).toThrow(RangeError);
  });
});
