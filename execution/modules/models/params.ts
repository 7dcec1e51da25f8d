// Models params: stored at [0x07, 0x01]; set by genesis (params.models) and changed by governance
// through MODELS_PARAM_SPACE, which runs the same checks.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { ModelsParams } from "../../../proto/index.js";
import { ExecutionError, type ResultCodeName } from "../../errors.js";
import type { KvReader, KvStore } from "../../store.js";
import type { ParamSpace, ParamValue } from "../types.js";
import { MODELS_PARAMS_KEY } from "./records.js";

/** Bounds of the params (the genesis schema's): lineages deeper than 64 are never allowed. */
export const MAX_LINEAGE_DEPTH_BOUND = 64;
export const MAX_LICENSES_PER_MODEL_BOUND = 256;

export interface ModelsParamsState {
  /** Most ancestors a model may have; royalty settlement never walks further up. */
  maxLineageDepth: number;
  /** Most licenses one model version may cite. */
  maxLicensesPerModel: number;
}

const FIELDS = ["max_lineage_depth", "max_licenses_per_model"] as const;

export async function loadModelsParams(reader: KvReader): Promise<ModelsParamsState> {
  const bytes = await reader.get(MODELS_PARAMS_KEY);
  if (bytes === undefined)
    throw new ExecutionError("NOT_INITIALIZED", "models params are missing from state");
  const p = decodeCanonical<ModelsParams>(ModelsParams, bytes, "stored models Params");
  return { maxLineageDepth: p.maxLineageDepth, maxLicensesPerModel: p.maxLicensesPerModel };
}

function intIn(
  values: Readonly<Record<string, ParamValue | undefined>>,
  field: (typeof FIELDS)[number],
  min: number,
  max: number,
  code: ResultCodeName,
): number {
  const v = values[field];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ExecutionError(
      code,
      `params.models.${field} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * Checks a whole `models` params section (both fields, no others) and stores it. `code` is
 * GENESIS_INVALID at genesis and MODELS_PARAM_INVALID for a governance change.
 */
export function storeModelsParams(
  store: KvStore,
  values: Readonly<Record<string, ParamValue | undefined>>,
  code: ResultCodeName,
): ModelsParamsState {
  for (const key of Object.keys(values)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new ExecutionError(code, `params.models has no field ${JSON.stringify(key)}`);
    }
  }
  const state: ModelsParamsState = {
    maxLineageDepth: intIn(values, "max_lineage_depth", 1, MAX_LINEAGE_DEPTH_BOUND, code),
    maxLicensesPerModel: intIn(values, "max_licenses_per_model", 0, MAX_LICENSES_PER_MODEL_BOUND, code),
  };
  store.set(
    MODELS_PARAMS_KEY,
    encode(
      ModelsParams,
      ModelsParams.create({
        maxLineageDepth: state.maxLineageDepth,
        maxLicensesPerModel: state.maxLicensesPerModel,
      }),
    ),
  );
  return state;
}

/** What governance changes `params.models` through. */
export const MODELS_PARAM_SPACE: ParamSpace = {
  name: "models",
  async load(reader) {
    const p = await loadModelsParams(reader);
    return { max_lineage_depth: p.maxLineageDepth, max_licenses_per_model: p.maxLicensesPerModel };
  },
  async store(store, values) {
    storeModelsParams(store, values, "MODELS_PARAM_INVALID");
  },
};
