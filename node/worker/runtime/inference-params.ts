// A job's `params` string, as the ONNX runtime reads it. The chain stores it as canonical JSON
// (sorted keys, no spaces); everything replicas compute must follow from it, so this parser is
// strict: an unknown key is refused rather than ignored, because a worker that ignored a key
// another version honours would hash a different result.
//
// Version 1 knows one key:
//   {"outputs":["name", ...]}  keep only these graph outputs (unique, non-empty); without the key
//                              (params "" or "{}") every output of the model is kept.
// No output rounding: see DETERMINISM.md for why agreement comes from pinning, not from rounding.
import { WorkerRuntimeError } from "./errors.js";

export interface InferenceParams {
  /** Graph outputs to keep; undefined = all. */
  readonly outputs?: readonly string[];
}

function bad(message: string): never {
  throw new WorkerRuntimeError("INFERENCE_BAD_PARAMS", `job params: ${message}`);
}

export function parseInferenceParams(params: string): InferenceParams {
  if (params === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(params);
  } catch {
    bad("not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) bad("not a JSON object");
  // Canonical form only: the same params must be the same string on every replica.
  if (JSON.stringify(value) !== params) bad("not canonical JSON (no spaces, keys sorted)");
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "outputs") bad(`unknown key ${JSON.stringify(key)} (known: outputs)`);
  }
  if (!("outputs" in record)) return {};
  const outputs = record.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) bad("outputs must be a non-empty array of names");
  const seen = new Set<string>();
  for (const name of outputs) {
    if (typeof name !== "string" || name.length === 0) bad("outputs must hold non-empty strings");
    if (seen.has(name)) bad(`output ${JSON.stringify(name)} named twice`);
    seen.add(name);
  }
  return { outputs: [...seen] };
}
