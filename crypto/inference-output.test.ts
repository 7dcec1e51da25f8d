import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "./hash.js";
import {
  decodeTensors,
  encodeTensors,
  inferenceResultHash,
  type NamedTensor,
  TensorEncodingError,
  type TensorEncodingErrorCode,
  tensorsResultHash,
} from "./inference-output.js";

function codeOf(f: () => unknown): TensorEncodingErrorCode | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof TensorEncodingError) return e.code;
    throw e;
  }
  return undefined;
}

const sample: NamedTensor[] = [
  { name: "logits", dtype: "float32", dims: [2, 3], data: Float32Array.of(1, -2.5, 0, -0, 3e38, 1e-45) },
  { name: "ids", dtype: "int64", dims: [3], data: BigInt64Array.of(-1n, 0n, 9007199254740993n) },
  { name: "mask", dtype: "bool", dims: [2], data: Uint8Array.of(1, 0) },
  { name: "score", dtype: "float64", dims: [], data: Float64Array.of(Math.PI) },
  { name: "counts", dtype: "int32", dims: [0, 4], data: new Int32Array(0) },
  { name: "pixels", dtype: "uint8", dims: [1, 2], data: Uint8Array.of(0, 255) },
];

/** Offset of the first tensor's data-length field in an encoding of one tensor named `name` of rank `rank`. */
function dataLengthOffset(name: string, rank: number): number {
  return 10 + 2 + Buffer.byteLength(name) + 2 + 4 * rank;
}

describe("canonical tensor encoding", () => {
  it("round-trips every supported dtype, in name order, with exact values", () => {
    const bytes = encodeTensors(sample);
    const back = decodeTensors(bytes);
    expect(back.map((t) => t.name)).toEqual(["counts", "ids", "logits", "mask", "pixels", "score"]);
    for (const t of back) {
      const original = sample.find((s) => s.name === t.name)!;
      expect(t.dtype).toBe(original.dtype);
      expect(t.dims).toEqual(original.dims);
      expect(t.data).toEqual(original.data);
    }
    // negative zero survives as itself
    expect(Object.is(back.find((t) => t.name === "logits")!.data[3], -0)).toBe(true);
    expect(encodeTensors(back)).toEqual(bytes);
  });

  it("does not depend on the order the tensors are given in", () => {
    const reversed = [...sample].reverse();
    expect(toHex(encodeTensors(reversed))).toBe(toHex(encodeTensors(sample)));
    expect(tensorsResultHash(reversed)).toEqual(sha256(encodeTensors(sample)));
  });

  it("sorts names by UTF-8 bytes, not UTF-16 code units", () => {
    // In UTF-16 U+1F600 (surrogate 0xD83D) sorts before U+FF61; in UTF-8 (F0.. vs EF..) after it.
    const names = ["\u{1F600}", "\uFF61", "z", "A"];
    const tensors = names.map((name) => ({
      name,
      dtype: "uint8" as const,
      dims: [1],
      data: Uint8Array.of(1),
    }));
    const order = decodeTensors(encodeTensors(tensors)).map((t) => t.name);
    const byBytes = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(order).toEqual(byBytes);
    expect(order).toEqual(["A", "z", "\uFF61", "\u{1F600}"]);
    expect([...names].sort()).not.toEqual(order);
  });

  it("canonicalises every NaN so that x86 and ARM NaNs hash alike", () => {
    const f32 = new Float32Array(3);
    const bits32 = new Uint32Array(f32.buffer);
    bits32.set([0xffc00000, 0x7f800001, 0x7fc00000]); // x86 default NaN, signalling NaN, canonical
    const f64 = new Float64Array(2);
    const bits64 = new Uint32Array(f64.buffer);
    bits64.set([0, 0xfff80000, 1, 0x7ff00000]); // negative quiet NaN, signalling NaN with low payload
    const f16 = Uint16Array.of(0xfe00, 0x7c01, 0x7c00); // negative NaN, signalling NaN, +infinity
    const encoded = encodeTensors([
      { name: "a", dtype: "float32", dims: [3], data: f32 },
      { name: "b", dtype: "float64", dims: [2], data: f64 },
      { name: "c", dtype: "float16", dims: [3], data: f16 },
    ]);
    const [a, b, c] = decodeTensors(encoded);
    expect([...new Uint32Array(a!.data.buffer)]).toEqual([0x7fc00000, 0x7fc00000, 0x7fc00000]);
    expect([...new Uint32Array(b!.data.buffer)]).toEqual([0, 0x7ff80000, 0, 0x7ff80000]);
    expect([...(c!.data as Uint16Array)]).toEqual([0x7e00, 0x7e00, 0x7c00]);
    // the caller's arrays are untouched
    expect(bits32[0]).toBe(0xffc00000);
    // the same tensor with canonical NaNs from the start gives the same hash
    const canonical = encodeTensors([
      { name: "a", dtype: "float32", dims: [3], data: Float32Array.of(Number.NaN, Number.NaN, Number.NaN) },
      { name: "b", dtype: "float64", dims: [2], data: Float64Array.of(Number.NaN, Number.NaN) },
      { name: "c", dtype: "float16", dims: [3], data: Uint16Array.of(0x7e00, 0x7e00, 0x7c00) },
    ]);
    expect(inferenceResultHash(encoded)).toEqual(inferenceResultHash(canonical));
  });

  it("refuses a non-canonical NaN or boolean in bytes it decodes", () => {
    const one = encodeTensors([
      { name: "x", dtype: "float32", dims: [1], data: Float32Array.of(Number.NaN) },
    ]);
    const tampered = one.slice();
    new DataView(tampered.buffer).setUint32(tampered.length - 4, 0xffc00000, true);
    expect(codeOf(() => decodeTensors(tampered))).toBe("TENSORS_NON_CANONICAL");

    const bool = encodeTensors([{ name: "m", dtype: "bool", dims: [1], data: Uint8Array.of(1) }]);
    const two = bool.slice();
    two[two.length - 1] = 2;
    expect(codeOf(() => decodeTensors(two))).toBe("TENSORS_NON_CANONICAL");
    expect(
      codeOf(() => encodeTensors([{ name: "m", dtype: "bool", dims: [1], data: Uint8Array.of(2) }])),
    ).toBe("TENSORS_NON_CANONICAL");
  });

  it("changes the hash when any value, name, dtype or shape changes", () => {
    const base = { name: "y", dtype: "float32" as const, dims: [2], data: Float32Array.of(1, 2) };
    const hashes = [
      tensorsResultHash([base]),
      tensorsResultHash([{ ...base, data: Float32Array.of(1, 2.0000002) }]),
      tensorsResultHash([{ ...base, name: "z" }]),
      tensorsResultHash([{ ...base, dims: [1, 2] }]),
      tensorsResultHash([{ ...base, dtype: "int32", data: new Int32Array(Float32Array.of(1, 2).buffer) }]),
      tensorsResultHash([{ ...base, data: Float32Array.of(-0, 2) }]),
      tensorsResultHash([{ ...base, data: Float32Array.of(0, 2) }]),
    ].map(toHex);
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it("refuses malformed bytes, each with its own code", () => {
    const good = encodeTensors([{ name: "x", dtype: "int32", dims: [2], data: Int32Array.of(7, 8) }]);
    const mutate = (f: (b: Uint8Array, v: DataView) => void): Uint8Array => {
      const b = good.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    expect(decodeTensors(good)[0]!.data).toEqual(Int32Array.of(7, 8));
    expect(codeOf(() => decodeTensors(mutate((b) => (b[0] = 0x4c))))).toBe("TENSORS_BAD_MAGIC");
    expect(codeOf(() => decodeTensors(mutate((_, v) => v.setUint16(4, 2))))).toBe(
      "TENSORS_UNSUPPORTED_VERSION",
    );
    expect(codeOf(() => decodeTensors(mutate((b) => (b[13] = 8))))).toBe("TENSORS_UNKNOWN_DTYPE"); // string
    expect(codeOf(() => decodeTensors(mutate((b) => (b[13] = 99))))).toBe("TENSORS_UNKNOWN_DTYPE");
    expect(codeOf(() => decodeTensors(good.subarray(0, good.length - 1)))).toBe("TENSORS_TRUNCATED");
    expect(codeOf(() => decodeTensors(good.subarray(0, 3)))).toBe("TENSORS_TRUNCATED");
    expect(codeOf(() => decodeTensors(Uint8Array.of(...good, 0)))).toBe("TENSORS_TRAILING_BYTES");
    // dims [3] with 8 bytes of data
    expect(codeOf(() => decodeTensors(mutate((_, v) => v.setUint32(15, 3))))).toBe("TENSORS_SHAPE_MISMATCH");
    // data length field says 12 with dims [2]
    const at = dataLengthOffset("x", 1);
    expect(codeOf(() => decodeTensors(mutate((_, v) => v.setUint32(at, 12))))).toBe("TENSORS_SHAPE_MISMATCH");
    expect(codeOf(() => decodeTensors(mutate((_, v) => v.setUint32(6, 2))))).toBe("TENSORS_TRUNCATED");
    expect(codeOf(() => decodeTensors(mutate((b) => (b[12] = 0xff))))).toBe("TENSORS_BAD_NAME"); // invalid UTF-8
    expect(codeOf(() => decodeTensors(mutate((_, v) => v.setUint16(10, 0))))).toBe("TENSORS_BAD_NAME");
    expect(codeOf(() => decodeTensors(mutate((b) => (b[14] = 17))))).toBe("TENSORS_TOO_LARGE"); // rank
    expect(codeOf(() => decodeTensors(good, { maxTensors: 1, maxElements: 1, maxTotalBytes: 1 << 20 }))).toBe(
      "TENSORS_TOO_LARGE",
    );
    expect(codeOf(() => decodeTensors(good, { maxTensors: 1, maxElements: 2, maxTotalBytes: 20 }))).toBe(
      "TENSORS_TOO_LARGE",
    );
  });

  it("refuses duplicate or unsorted names in decoded bytes", () => {
    const a = encodeTensors([{ name: "a", dtype: "uint8", dims: [1], data: Uint8Array.of(1) }]);
    const b = encodeTensors([{ name: "b", dtype: "uint8", dims: [1], data: Uint8Array.of(2) }]);
    const join = (first: Uint8Array, second: Uint8Array): Uint8Array => {
      const out = Uint8Array.of(...first, ...second.subarray(10));
      new DataView(out.buffer).setUint32(6, 2);
      return out;
    };
    expect(decodeTensors(join(a, b)).map((t) => t.name)).toEqual(["a", "b"]);
    expect(codeOf(() => decodeTensors(join(b, a)))).toBe("TENSORS_UNSORTED");
    expect(codeOf(() => decodeTensors(join(a, a)))).toBe("TENSORS_DUPLICATE_NAME");
  });

  it("refuses tensors it cannot encode canonically", () => {
    const t = (over: Partial<NamedTensor>): NamedTensor => ({
      name: "x",
      dtype: "float32",
      dims: [2],
      data: Float32Array.of(1, 2),
      ...over,
    });
    expect(codeOf(() => encodeTensors([t({}), t({})]))).toBe("TENSORS_DUPLICATE_NAME");
    expect(codeOf(() => encodeTensors([t({ dims: [3] })]))).toBe("TENSORS_SHAPE_MISMATCH");
    expect(codeOf(() => encodeTensors([t({ dims: [1.5] })]))).toBe("TENSORS_NON_CANONICAL");
    expect(codeOf(() => encodeTensors([t({ data: Int32Array.of(1, 2) })]))).toBe("TENSORS_BAD_DATA");
    expect(codeOf(() => encodeTensors([t({ name: "" })]))).toBe("TENSORS_BAD_NAME");
    expect(codeOf(() => encodeTensors([t({ name: "\uD800" })]))).toBe("TENSORS_BAD_NAME"); // lone surrogate
    expect(codeOf(() => encodeTensors([t({ name: "n".repeat(256) })]))).toBe("TENSORS_BAD_NAME");
    expect(codeOf(() => encodeTensors([t({ dtype: "string" as never })]))).toBe("TENSORS_UNKNOWN_DTYPE");
    expect(codeOf(() => encodeTensors([t({ dims: new Array(17).fill(1), data: Float32Array.of(1) })]))).toBe(
      "TENSORS_TOO_LARGE",
    );
    expect(
      codeOf(() => encodeTensors([t({})], { maxTensors: 8, maxElements: 1 << 20, maxTotalBytes: 16 })),
    ).toBe("TENSORS_TOO_LARGE");
  });

  it("decodes from an unaligned offset of a larger buffer", () => {
    const bytes = encodeTensors([{ name: "w", dtype: "float64", dims: [2], data: Float64Array.of(0.1, -7) }]);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeTensors(padded.subarray(3))[0]!.data).toEqual(Float64Array.of(0.1, -7));
  });

  it("decodes a Node Buffer at an odd offset of a shared pool (a file read), without touching the rest", () => {
    const bytes = encodeTensors([
      { name: "x", dtype: "float32", dims: [3], data: Float32Array.of(1.5, -2, 0) },
    ]);
    // Buffer.from(string) is carved from a shared pool; slice() of a Buffer is a view, not a copy.
    const pool = Buffer.concat([Buffer.from([9]), Buffer.from(bytes), Buffer.from([7, 7])]);
    const view = pool.subarray(1, 1 + bytes.length);
    expect(view.byteOffset % 4).not.toBe(0);
    const [x] = decodeTensors(view);
    expect(x!.data).toEqual(Float32Array.of(1.5, -2, 0));
    expect(x!.data.byteLength).toBe(12);
    expect([...pool.subarray(1 + bytes.length)]).toEqual([7, 7]);
  });

  it("re-encodes every decodable float32 tensor to the same bytes (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 24 }), (words) => {
        const data = new Float32Array(Uint32Array.from(words).buffer);
        const bytes = encodeTensors([{ name: "p", dtype: "float32", dims: [words.length], data }]);
        expect(encodeTensors(decodeTensors(bytes))).toEqual(bytes);
      }),
    );
  });
});
