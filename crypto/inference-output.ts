// The canonical encoding of a set of named tensors: what an inference job's input bytes are, what a
// worker reveals as its output, and what a result hash is taken over (result hash = sha256 of the
// encoding). Two honest workers must produce byte-identical encodings, so the format leaves no
// choice to the encoder:
//
//   "KYTN" (4 bytes) | version u16be = 1 | tensor count u32be
//   per tensor, sorted by the UTF-8 bytes of its name, names unique:
//     name length u16be (1..255) | name (well-formed UTF-8)
//     dtype u8 (ONNX TensorProto.DataType code, see DTYPE_CODES)
//     rank u8 (0..MAX_RANK) | dims u32be × rank
//     data byte length u32be (= product of dims × element size) | data, little-endian, row-major
//
// Floats are written as their IEEE-754 bits, except NaN: every NaN becomes the one quiet NaN of its
// width (0x7e00, 0x7fc00000, 0x7ff8000000000000), because CPUs disagree on the sign and payload of
// the NaN an invalid operation produces (x86 gives a negative one, ARM a positive one) while the
// model's answer is the same "not a number". Negative zero is kept: it is a distinct value a model
// computed, not an artefact of the encoder. Booleans are one byte, 0 or 1.
//
// Decoding is strict (the bytes a worker reveals are checked by anyone who reads them): wrong magic
// or version, unknown dtype, truncated or trailing bytes, dims that do not match the data length,
// names out of order or repeated, a non-canonical NaN or boolean, sizes beyond the limits: each is
// refused with its own code. encode(decode(bytes)) === bytes for every accepted input.
//
// Two honest workers get the same hash when they run the same model bytes (by weights hash) on the
// same input bytes (by input hash) with the same params, on the same onnxruntime version with the
// worker runtime's fixed options (CPU EP, one thread, sequential execution, "basic" graph
// optimisation, deterministic compute). What can still differ (CPU instruction sets, GPU models),
// and why outputs are not rounded before hashing: node/worker/runtime/DETERMINISM.md.
import { CodedError } from "../proto/coded-error.js";
import { sha256 } from "./hash.js";

export type TensorEncodingErrorCode =
  /** the bytes do not start with "KYTN" */
  | "TENSORS_BAD_MAGIC"
  /** a format version this code does not know */
  | "TENSORS_UNSUPPORTED_VERSION"
  /** a dtype code outside DTYPE_CODES (strings, complex, float8... are not supported) */
  | "TENSORS_UNKNOWN_DTYPE"
  /** the bytes end inside a field */
  | "TENSORS_TRUNCATED"
  /** bytes follow the last tensor */
  | "TENSORS_TRAILING_BYTES"
  /** a data length or array length that does not match dims × element size */
  | "TENSORS_SHAPE_MISMATCH"
  /** a name empty, too long or not well-formed UTF-8 */
  | "TENSORS_BAD_NAME"
  /** two tensors with one name */
  | "TENSORS_DUPLICATE_NAME"
  /** names not in ascending UTF-8 byte order (decode only: encode sorts) */
  | "TENSORS_UNSORTED"
  /** a non-canonical NaN, a boolean other than 0/1, or a dim that is not an integer */
  | "TENSORS_NON_CANONICAL"
  /** too many tensors, too high a rank, too many elements or bytes */
  | "TENSORS_TOO_LARGE"
  /** the typed array does not fit the dtype (e.g. Int32Array given for float32) */
  | "TENSORS_BAD_DATA"
  /** a big-endian host: the encoding is little-endian and is copied, not converted */
  | "TENSORS_UNSUPPORTED_HOST";

export class TensorEncodingError extends CodedError<TensorEncodingErrorCode> {}

export const TENSORS_MAGIC: Uint8Array = new TextEncoder().encode("KYTN");
export const TENSORS_VERSION = 1;
export const MAX_RANK = 16;
export const MAX_NAME_BYTES = 255;

/** Element types the encoding carries, by their ONNX TensorProto.DataType codes. */
export const DTYPE_CODES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
} as const;

export type TensorDtype = keyof typeof DTYPE_CODES;

/**
 * The typed array each dtype is held in (onnxruntime-node's own choices): float16 as its raw bits
 * in a Uint16Array, bool as 0/1 bytes in a Uint8Array, 64-bit integers as bigint arrays.
 */
export interface TensorDataOf {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  bool: Uint8Array;
}
export type TensorData = TensorDataOf[TensorDtype];

export interface NamedTensor {
  readonly name: string;
  readonly dtype: TensorDtype;
  /** Row-major dims; [] for a scalar (one element). */
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export interface TensorEncodingLimits {
  maxTensors: number;
  /** Most elements in one tensor. */
  maxElements: number;
  /** Most bytes of the whole encoding. */
  maxTotalBytes: number;
}

/** Generous defaults (a job's own limits, e.g. compute.max_output_bytes, are checked by the caller). */
export const DEFAULT_TENSOR_LIMITS: Readonly<TensorEncodingLimits> = Object.freeze({
  maxTensors: 1024,
  maxElements: 1 << 28,
  maxTotalBytes: 1 << 30,
});

interface DtypeInfo {
  dtype: TensorDtype;
  code: number;
  bytes: number;
  ctor: { readonly name: string; new (buffer: ArrayBuffer): TensorData };
}

const DTYPES: readonly DtypeInfo[] = [
  { dtype: "float32", code: 1, bytes: 4, ctor: Float32Array },
  { dtype: "uint8", code: 2, bytes: 1, ctor: Uint8Array },
  { dtype: "int8", code: 3, bytes: 1, ctor: Int8Array },
  { dtype: "uint16", code: 4, bytes: 2, ctor: Uint16Array },
  { dtype: "int16", code: 5, bytes: 2, ctor: Int16Array },
  { dtype: "int32", code: 6, bytes: 4, ctor: Int32Array },
  { dtype: "int64", code: 7, bytes: 8, ctor: BigInt64Array },
  { dtype: "bool", code: 9, bytes: 1, ctor: Uint8Array },
  { dtype: "float16", code: 10, bytes: 2, ctor: Uint16Array },
  { dtype: "float64", code: 11, bytes: 8, ctor: Float64Array },
  { dtype: "uint32", code: 12, bytes: 4, ctor: Uint32Array },
  { dtype: "uint64", code: 13, bytes: 8, ctor: BigUint64Array },
];
const BY_NAME = new Map(DTYPES.map((d) => [d.dtype, d]));
const BY_CODE = new Map(DTYPES.map((d) => [d.code, d]));

const HEADER_BYTES = 4 + 2 + 4;
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function fail(code: TensorEncodingErrorCode, message: string): never {
  throw new TensorEncodingError(code, message);
}

function assertHost(): void {
  if (!LITTLE_ENDIAN_HOST) fail("TENSORS_UNSUPPORTED_HOST", "tensor encoding needs a little-endian host");
}

function nameBytes(name: string): Uint8Array {
  const bytes = utf8.encode(name);
  // TextEncoder turns a lone surrogate into U+FFFD: two different JS strings would share bytes.
  if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES || strictUtf8.decode(bytes) !== name) {
    fail("TENSORS_BAD_NAME", `tensor name ${JSON.stringify(name)}: 1..${MAX_NAME_BYTES} bytes of UTF-8`);
  }
  return bytes;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Product of dims, refusing non-integers and anything above `maxElements`. */
function elementCount(dims: readonly number[], maxElements: number, what: string): number {
  if (dims.length > MAX_RANK) fail("TENSORS_TOO_LARGE", `${what}: rank ${dims.length} > ${MAX_RANK}`);
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      fail("TENSORS_NON_CANONICAL", `${what}: dim ${d} is not an integer in 0..2^32-1`);
    }
    n *= d;
    if (n > maxElements) fail("TENSORS_TOO_LARGE", `${what}: more than ${maxElements} elements`);
  }
  return n;
}

/**
 * Rewrites every NaN of a float tensor (little-endian bytes, in place) to the canonical quiet NaN.
 * Works on the bits through integer views: a Float32Array write could itself change a NaN's bits.
 */
function canonicaliseNaNs(dtype: TensorDtype, bytes: Uint8Array): void {
  if (dtype === "float32") {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    for (let i = 0; i < w.length; i++) {
      if ((w[i]! & 0x7f800000) === 0x7f800000 && (w[i]! & 0x007fffff) !== 0) w[i] = 0x7fc00000;
    }
  } else if (dtype === "float64") {
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    for (let i = 0; i < w.length; i += 2) {
      const hi = w[i + 1]!;
      if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0x000fffff) !== 0 || w[i] !== 0)) {
        w[i] = 0;
        w[i + 1] = 0x7ff80000;
      }
    }
  } else if (dtype === "float16") {
    const w = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    for (let i = 0; i < w.length; i++) {
      if ((w[i]! & 0x7c00) === 0x7c00 && (w[i]! & 0x03ff) !== 0) w[i] = 0x7e00;
    }
  }
}

/** First element that canonicalisation would change (a non-canonical NaN or a bool > 1), or -1. */
function firstNonCanonical(dtype: TensorDtype, bytes: Uint8Array): number {
  if (dtype === "bool") return bytes.findIndex((b) => b > 1);
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "float16") return -1;
  // new Uint8Array(view) copies into a fresh, aligned buffer; a Buffer's slice() would not copy.
  const copy = new Uint8Array(bytes);
  canonicaliseNaNs(dtype, copy);
  const at = copy.findIndex((b, i) => b !== bytes[i]);
  return at < 0 ? -1 : Math.floor(at / BY_NAME.get(dtype)!.bytes);
}

interface PreparedTensor {
  name: Uint8Array;
  info: DtypeInfo;
  dims: readonly number[];
  data: Uint8Array;
}

function prepare(t: NamedTensor, limits: TensorEncodingLimits): PreparedTensor {
  const name = nameBytes(t.name);
  const info = BY_NAME.get(t.dtype) ?? fail("TENSORS_UNKNOWN_DTYPE", `tensor ${t.name}: dtype ${t.dtype}`);
  if (!(t.data instanceof info.ctor)) {
    fail("TENSORS_BAD_DATA", `tensor ${t.name}: ${t.dtype} data must be a ${info.ctor.name}`);
  }
  const count = elementCount(t.dims, limits.maxElements, `tensor ${t.name}`);
  if (t.data.length !== count) {
    fail(
      "TENSORS_SHAPE_MISMATCH",
      `tensor ${t.name}: dims [${t.dims}] need ${count} elements, got ${t.data.length}`,
    );
  }
  // A copy: canonicalisation must not write into the caller's tensor.
  const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
  if (t.dtype === "bool") {
    const bad = data.findIndex((b) => b > 1);
    if (bad >= 0) fail("TENSORS_NON_CANONICAL", `tensor ${t.name}: bool element ${bad} is ${data[bad]}`);
  }
  canonicaliseNaNs(t.dtype, data);
  return { name, info, dims: t.dims, data };
}

/**
 * The canonical bytes of `tensors` (any order; sorted here). Throws TensorEncodingError on a bad
 * name, a duplicate name, data that does not match its dtype or dims, or sizes over `limits`.
 */
export function encodeTensors(
  tensors: readonly NamedTensor[],
  limits: TensorEncodingLimits = DEFAULT_TENSOR_LIMITS,
): Uint8Array {
  assertHost();
  if (tensors.length > limits.maxTensors) {
    fail("TENSORS_TOO_LARGE", `${tensors.length} tensors > ${limits.maxTensors}`);
  }
  const prepared = tensors.map((t) => prepare(t, limits)).sort((a, b) => compareBytes(a.name, b.name));
  let total = HEADER_BYTES;
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i]!;
    if (i > 0 && compareBytes(prepared[i - 1]!.name, p.name) === 0) {
      fail("TENSORS_DUPLICATE_NAME", `two tensors named ${JSON.stringify(strictUtf8.decode(p.name))}`);
    }
    total += 2 + p.name.length + 1 + 1 + 4 * p.dims.length + 4 + p.data.length;
  }
  if (total > limits.maxTotalBytes)
    fail("TENSORS_TOO_LARGE", `encoding of ${total} bytes > ${limits.maxTotalBytes}`);

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(TENSORS_MAGIC, 0);
  view.setUint16(4, TENSORS_VERSION);
  view.setUint32(6, prepared.length);
  let at = HEADER_BYTES;
  for (const p of prepared) {
    view.setUint16(at, p.name.length);
    out.set(p.name, at + 2);
    at += 2 + p.name.length;
    out[at++] = p.info.code;
    out[at++] = p.dims.length;
    for (const d of p.dims) {
      view.setUint32(at, d);
      at += 4;
    }
    view.setUint32(at, p.data.length);
    out.set(p.data, at + 4);
    at += 4 + p.data.length;
  }
  return out;
}

/** Reads fields in order, refusing to read past the end. */
class Reader {
  at = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number, what: string): void {
    if (this.bytes.length - this.at < n) {
      fail("TENSORS_TRUNCATED", `tensor encoding ends inside ${what} (offset ${this.at}, ${n} bytes needed)`);
    }
  }
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const s = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return s;
  }
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.at++);
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.at);
    this.at += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.at);
    this.at += 4;
    return v;
  }
  get left(): number {
    return this.bytes.length - this.at;
  }
}

/**
 * Decodes canonical tensor bytes, refusing anything encodeTensors would not have written
 * (see the codes of TensorEncodingErrorCode). Returned data arrays are fresh copies.
 */
export function decodeTensors(
  bytes: Uint8Array,
  limits: TensorEncodingLimits = DEFAULT_TENSOR_LIMITS,
): NamedTensor[] {
  assertHost();
  if (bytes.length > limits.maxTotalBytes) {
    fail("TENSORS_TOO_LARGE", `encoding of ${bytes.length} bytes > ${limits.maxTotalBytes}`);
  }
  const r = new Reader(bytes);
  const magic = r.take(4, "the magic");
  if (compareBytes(magic, TENSORS_MAGIC) !== 0)
    fail("TENSORS_BAD_MAGIC", "not a Kyochi tensor encoding (magic)");
  const version = r.u16("the version");
  if (version !== TENSORS_VERSION) {
    fail(
      "TENSORS_UNSUPPORTED_VERSION",
      `tensor encoding version ${version} (this node reads ${TENSORS_VERSION})`,
    );
  }
  const count = r.u32("the tensor count");
  if (count > limits.maxTensors) fail("TENSORS_TOO_LARGE", `${count} tensors > ${limits.maxTensors}`);

  const out: NamedTensor[] = [];
  let previous: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    const nameLength = r.u16(`tensor ${i}'s name length`);
    if (nameLength === 0 || nameLength > MAX_NAME_BYTES) {
      fail("TENSORS_BAD_NAME", `tensor ${i}: name of ${nameLength} bytes (1..${MAX_NAME_BYTES})`);
    }
    const rawName = r.take(nameLength, `tensor ${i}'s name`);
    let name: string;
    try {
      name = strictUtf8.decode(rawName);
    } catch {
      fail("TENSORS_BAD_NAME", `tensor ${i}: name is not well-formed UTF-8`);
    }
    if (previous) {
      const order = compareBytes(previous, rawName);
      if (order === 0) fail("TENSORS_DUPLICATE_NAME", `two tensors named ${JSON.stringify(name)}`);
      if (order > 0) fail("TENSORS_UNSORTED", `tensor ${JSON.stringify(name)} is out of name order`);
    }
    previous = rawName;
    const code = r.u8(`tensor ${name}'s dtype`);
    const info = BY_CODE.get(code) ?? fail("TENSORS_UNKNOWN_DTYPE", `tensor ${name}: dtype code ${code}`);
    const rank = r.u8(`tensor ${name}'s rank`);
    if (rank > MAX_RANK) fail("TENSORS_TOO_LARGE", `tensor ${name}: rank ${rank} > ${MAX_RANK}`);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++) dims.push(r.u32(`tensor ${name}'s dims`));
    const elements = elementCount(dims, limits.maxElements, `tensor ${name}`);
    const dataLength = r.u32(`tensor ${name}'s data length`);
    if (dataLength !== elements * info.bytes) {
      fail(
        "TENSORS_SHAPE_MISMATCH",
        `tensor ${name}: dims [${dims}] of ${info.dtype} need ${elements * info.bytes} bytes, header says ${dataLength}`,
      );
    }
    const raw = r.take(dataLength, `tensor ${name}'s data`);
    const bad = firstNonCanonical(info.dtype, raw);
    if (bad >= 0)
      fail("TENSORS_NON_CANONICAL", `tensor ${name}: element ${bad} is not canonical (NaN or bool)`);
    // An aligned copy of just these bytes, so the typed array view below is legal whatever the
    // offset of `bytes` (a Node Buffer from a file read often sits at an odd offset of a shared
    // pool, and its slice() is a view, not a copy).
    const data = new info.ctor(new Uint8Array(raw).buffer);
    out.push({ name, dtype: info.dtype, dims, data });
  }
  if (r.left !== 0) fail("TENSORS_TRAILING_BYTES", `${r.left} bytes follow the last tensor`);
  return out;
}

/** The result hash of an output encoding: what a worker commits to and reveals. */
export function inferenceResultHash(encoded: Uint8Array): Uint8Array {
  return sha256(encoded);
}

/** encodeTensors then inferenceResultHash. */
export function tensorsResultHash(tensors: readonly NamedTensor[]): Uint8Array {
  return inferenceResultHash(encodeTensors(tensors));
}
