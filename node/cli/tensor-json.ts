// Tensors as JSON, for people: `{"<name>": {"dtype": "float32", "dims": [1, 4], "data": [...]}}`.
// 64-bit integers are decimal strings (JSON numbers lose precision past 2^53); booleans true/false;
// float16 is given and shown as its raw 16-bit patterns. The chain only ever sees the canonical
// encoding (crypto/inference-output.ts); this is the CLI's way in and out of it.
import {
  DTYPE_CODES,
  type NamedTensor,
  type TensorData,
  type TensorDtype,
} from "../../crypto/inference-output.js";
import { invalid } from "./flag-values.js";

export interface TensorJson {
  dtype: TensorDtype;
  dims: number[];
  data: (number | string | boolean)[];
}

function typedArray(dtype: TensorDtype, values: (number | string | boolean)[], name: string): TensorData {
  const nums = () =>
    values.map((v, i) => {
      if (typeof v !== "number" || !Number.isFinite(v))
        throw invalid(`tensor "${name}": data[${i}] must be a number, got ${JSON.stringify(v)}`);
      return v;
    });
  const ints = () =>
    nums().map((v, i) => {
      if (!Number.isInteger(v)) throw invalid(`tensor "${name}": data[${i}] must be an integer, got ${v}`);
      return v;
    });
  const bigs = () =>
    values.map((v, i) => {
      if ((typeof v !== "string" && typeof v !== "number") || !/^-?[0-9]+$/.test(String(v)))
        throw invalid(
          `tensor "${name}": data[${i}] must be an integer (a decimal string), got ${JSON.stringify(v)}`,
        );
      return BigInt(v);
    });
  switch (dtype) {
    case "float32":
      return Float32Array.from(nums());
    case "float64":
      return Float64Array.from(nums());
    case "float16":
      return Uint16Array.from(ints());
    case "int8":
      return Int8Array.from(ints());
    case "uint8":
      return Uint8Array.from(ints());
    case "int16":
      return Int16Array.from(ints());
    case "uint16":
      return Uint16Array.from(ints());
    case "int32":
      return Int32Array.from(ints());
    case "uint32":
      return Uint32Array.from(ints());
    case "int64":
      return BigInt64Array.from(bigs());
    case "uint64":
      return BigUint64Array.from(bigs());
    case "bool":
      return Uint8Array.from(
        values.map((v, i) => {
          if (typeof v !== "boolean") throw invalid(`tensor "${name}": data[${i}] must be true or false`);
          return v ? 1 : 0;
        }),
      );
  }
}

/** Named tensors from the JSON form; the encoder then checks dims against the data. */
export function tensorsFromJson(value: unknown): NamedTensor[] {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw invalid('tensors JSON must be an object: {"<name>": {"dtype", "dims", "data"}}');
  return Object.entries(value as Record<string, unknown>).map(([name, t]) => {
    const o = (t ?? {}) as Partial<TensorJson>;
    if (typeof o.dtype !== "string" || !Object.hasOwn(DTYPE_CODES, o.dtype))
      throw invalid(`tensor "${name}": dtype must be one of ${Object.keys(DTYPE_CODES).join(", ")}`);
    if (!Array.isArray(o.dims) || !o.dims.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw invalid(`tensor "${name}": dims must be an array of non-negative integers`);
    if (!Array.isArray(o.data)) throw invalid(`tensor "${name}": data must be an array`);
    return { name, dtype: o.dtype, dims: o.dims, data: typedArray(o.dtype, o.data, name) };
  });
}

/** The JSON form of decoded tensors. */
export function tensorsToJson(tensors: readonly NamedTensor[]): Record<string, TensorJson> {
  const out: Record<string, TensorJson> = {};
  for (const t of tensors) {
    const data: (number | string | boolean)[] =
      t.dtype === "bool"
        ? Array.from(t.data as Uint8Array, (b) => b === 1)
        : t.data instanceof BigInt64Array || t.data instanceof BigUint64Array
          ? Array.from(t.data, (b) => b.toString())
          : Array.from(t.data as ArrayLike<number>);
    out[t.name] = { dtype: t.dtype, dims: [...t.dims], data };
  }
  return out;
}
