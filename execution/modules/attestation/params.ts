// Attestation params: stored at [0x09, 0x01] (set by genesis params.attestation, changed by
// governance through ATTESTATION_PARAM_SPACE with the same checks), and the genesis-only flag
// allow_dev at [0x09, 0x02] (no param, no proposal changes it).
//
// ParamValue has no lists, so the ParamSpace spells any_value_indices as a comma-separated
// decimal string ("" for none, "3,7"); genesis spells it as a JSON array.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { AttestationParams } from "../../../proto/index.js";
import { ExecutionError, type ResultCodeName } from "../../errors.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";
import type { ParamSpace, ParamValue } from "../types.js";
import { ATTESTATION_PREFIX, MAX_MEASUREMENT_INDEX } from "./records.js";

export const ATTESTATION_PARAMS_KEY = stateKey(Uint8Array.of(ATTESTATION_PREFIX, 0x01));
export const ALLOW_DEV_KEY = stateKey(Uint8Array.of(ATTESTATION_PREFIX, 0x02));

export const MAX_ANCHOR_WINDOW_BLOCKS = 10_000;
export const MAX_VALIDITY_BLOCKS = 10_000_000;

export interface AttestationParamsState {
  /** The nonce's anchor block must be among the last this many blocks. */
  anchorWindowBlocks: number;
  /** Blocks an attestation counts for after the block that accepted it. */
  validityBlocks: number;
  /** Measurement indices whose value is not checked, ascending. */
  anyValueIndices: number[];
}

export async function loadAttestationParams(reader: KvReader): Promise<AttestationParamsState> {
  const bytes = await reader.get(ATTESTATION_PARAMS_KEY);
  if (bytes === undefined)
    throw new ExecutionError("NOT_INITIALIZED", "attestation params are missing from state");
  const p = decodeCanonical<AttestationParams>(AttestationParams, bytes, "stored attestation Params");
  return {
    anchorWindowBlocks: p.anchorWindowBlocks,
    validityBlocks: p.validityBlocks,
    anyValueIndices: [...p.anyValueIndices],
  };
}

function intIn(value: unknown, field: string, min: number, max: number, code: ResultCodeName): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ExecutionError(
      code,
      `params.attestation.${field} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Checks and stores the params. `code`: GENESIS_INVALID at genesis, ATTESTATION_PARAM_INVALID later. */
export function storeAttestationParams(
  store: KvStore,
  p: { anchorWindowBlocks: unknown; validityBlocks: unknown; anyValueIndices: unknown },
  code: ResultCodeName,
): AttestationParamsState {
  const state: AttestationParamsState = {
    anchorWindowBlocks: intIn(
      p.anchorWindowBlocks,
      "anchor_window_blocks",
      1,
      MAX_ANCHOR_WINDOW_BLOCKS,
      code,
    ),
    validityBlocks: intIn(p.validityBlocks, "validity_blocks", 1, MAX_VALIDITY_BLOCKS, code),
    anyValueIndices: [],
  };
  if (!Array.isArray(p.anyValueIndices))
    throw new ExecutionError(code, "params.attestation.any_value_indices must be a list of indices");
  for (const v of p.anyValueIndices as unknown[]) {
    const index = intIn(v, "any_value_indices[]", 0, MAX_MEASUREMENT_INDEX, code);
    const last = state.anyValueIndices.at(-1);
    if (last !== undefined && index <= last)
      throw new ExecutionError(
        code,
        "params.attestation.any_value_indices must be ascending without repeats",
      );
    state.anyValueIndices.push(index);
  }
  store.set(
    ATTESTATION_PARAMS_KEY,
    encode(
      AttestationParams,
      AttestationParams.create({
        anchorWindowBlocks: state.anchorWindowBlocks,
        validityBlocks: state.validityBlocks,
        anyValueIndices: state.anyValueIndices,
      }),
    ),
  );
  return state;
}

/** Whether this chain's genesis accepts dev evidence. */
export async function loadAllowDev(reader: KvReader): Promise<boolean> {
  const bytes = await reader.get(ALLOW_DEV_KEY);
  return bytes !== undefined && bytes.length === 1 && bytes[0] === 1;
}

export function storeAllowDev(store: KvStore, allow: boolean): void {
  store.set(ALLOW_DEV_KEY, Uint8Array.of(allow ? 1 : 0));
}

function indicesFromText(text: ParamValue | undefined, code: ResultCodeName): unknown[] {
  if (typeof text !== "string" || !/^([0-9]+(,[0-9]+)*)?$/.test(text))
    throw new ExecutionError(
      code,
      `params.attestation.any_value_indices must be a string of comma-separated indices ("" or "3,7"), got ${JSON.stringify(text)}`,
    );
  return text === "" ? [] : text.split(",").map((d) => (d.length > 3 ? Number.NaN : Number(d)));
}

const FIELDS = ["anchor_window_blocks", "validity_blocks", "any_value_indices"];

/** What governance changes `params.attestation` through. */
export const ATTESTATION_PARAM_SPACE: ParamSpace = {
  name: "attestation",
  async load(reader) {
    const p = await loadAttestationParams(reader);
    return {
      anchor_window_blocks: p.anchorWindowBlocks,
      validity_blocks: p.validityBlocks,
      any_value_indices: p.anyValueIndices.join(","),
    };
  },
  async store(store, values) {
    const code = "ATTESTATION_PARAM_INVALID";
    for (const key of Object.keys(values))
      if (!FIELDS.includes(key))
        throw new ExecutionError(code, `params.attestation has no field ${JSON.stringify(key)}`);
    storeAttestationParams(
      store,
      {
        anchorWindowBlocks: values.anchor_window_blocks,
        validityBlocks: values.validity_blocks,
        anyValueIndices: indicesFromText(values.any_value_indices, code),
      },
      code,
    );
  },
};
