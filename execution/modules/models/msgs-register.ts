// MsgRegisterModel: a new model version owned by the signer. Stateless bounds in `validate`; the
// citations (licenses held, valid, allowing training, commercial if priced), the parent (exists,
// active, allows derivatives), the lineage (depth, cycles) and the royalty total in `execute`.
import { ModelVersion } from "../../../proto/index.js";
import { formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore, StateKey } from "../../store.js";
import { makeEvent } from "../events.js";
import type { MsgHandler, MsgPayload } from "../types.js";

type RegisterPayload = MsgPayload<"modelsRegister">;

import { checkCitedLicenses } from "./citations.js";
import { checkAncestry } from "./lineage.js";
import { loadModelsParams } from "./params.js";
import {
  findModelId,
  insertModel,
  loadModel,
  modelKey,
  modelNameKey,
  peekModelId,
  takeModelId,
} from "./records.js";
import { modelFormatName } from "./views.js";

export const MAX_NAME_BYTES = 128;
export const MAX_VERSION_BYTES = 64;
export const MAX_URI_BYTES = 512;
export const HASH_BYTES = 32;
const MAX_BPS = 10_000;
/** C0 controls and DEL: they would make names ambiguous in logs and terminals. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function invalid(message: string): ExecutionError {
  return new ExecutionError("INVALID_MODEL", message);
}

function checkText(value: string, field: string, max: number, allowAt: boolean): void {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes < 1 || bytes > max) throw invalid(`${field} must be 1..${max} UTF-8 bytes, got ${bytes}`);
  if (hasControl(value)) throw invalid(`${field} must not contain control characters`);
  if (!allowAt && value.includes("@"))
    throw invalid(`${field} must not contain '@' (name@version names a model)`);
}

function checkHash(value: Uint8Array | null | undefined, field: string): void {
  const length = value?.length ?? 0;
  if (length !== HASH_BYTES) throw invalid(`${field} must be ${HASH_BYTES} bytes (sha256), got ${length}`);
}

/** The stateless checks of a registration (shared with the CLI, which runs them before signing). */
export function validateRegisterModel(msg: RegisterPayload): void {
  checkText(msg.name ?? "", "name", MAX_NAME_BYTES, false);
  checkText(msg.version ?? "", "version", MAX_VERSION_BYTES, false);
  checkHash(msg.weightsHash, "weights_hash");
  if (!((msg.sizeBytes ?? 0) > 0)) throw invalid("size_bytes must be greater than zero");
  if (modelFormatName(msg.format ?? 0) === undefined) {
    throw invalid("format must be onnx, safetensors or gguf");
  }
  checkText(msg.locationUri ?? "", "location_uri", MAX_URI_BYTES, true);
  checkHash(msg.cardHash, "card_hash");
  parseAmount(msg.inferenceFee ?? "", "inference_fee");
  if ((msg.derivativeRoyaltyBps ?? 0) > MAX_BPS) {
    throw invalid(`derivative_royalty_bps must be 0..${MAX_BPS}, got ${msg.derivativeRoyaltyBps}`);
  }
  const ids = msg.licenseIds ?? [];
  if (ids.some((id) => id === 0)) throw invalid("license_ids must not contain 0");
  if (new Set(ids).size !== ids.length) throw invalid("license_ids must be distinct");
}

/** Refuses a parent that cannot take a new child, and returns it. */
async function checkParent(
  store: KvStore,
  msg: RegisterPayload,
  newId: number,
  maxDepth: number,
): Promise<ModelVersion | undefined> {
  const parentId = msg.parentId ?? 0;
  if (parentId === 0) return undefined;
  if (parentId === newId) {
    throw new ExecutionError(
      "LINEAGE_CYCLE",
      `parent_id ${parentId} is the id this model gets: a model cannot be its own parent`,
    );
  }
  const parent = await loadModel(store, parentId);
  if (!parent) throw new ExecutionError("MODEL_NOT_FOUND", `parent model ${parentId} does not exist`);
  if (parent.deprecated) {
    throw new ExecutionError("PARENT_DEPRECATED", `parent model ${parentId} is deprecated`);
  }
  if (!parent.allowDerivatives) {
    throw new ExecutionError(
      "PARENT_FORBIDS_DERIVATIVES",
      `parent model ${parentId} does not allow derivatives`,
    );
  }
  if (parent.depth + 1 > maxDepth) {
    throw new ExecutionError(
      "LINEAGE_TOO_DEEP",
      `the model would have ${parent.depth + 1} ancestors, above models.max_lineage_depth ${maxDepth}`,
    );
  }
  await checkAncestry(
    store,
    { id: newId, name: msg.name ?? "", version: msg.version ?? "" },
    parent,
    maxDepth,
  );
  return parent;
}

export const msgRegisterModelHandler: MsgHandler<"modelsRegister"> = {
  validate: validateRegisterModel,
  touchedKeys(msg) {
    const keys: StateKey[] = [];
    if (msg.name && msg.version) keys.push(modelNameKey(msg.name, msg.version));
    if (msg.parentId) keys.push(modelKey(msg.parentId));
    return keys;
  },
  async execute(ctx, msg) {
    const params = await loadModelsParams(ctx.store);
    const name = msg.name ?? "";
    const version = msg.version ?? "";
    const fee = parseAmount(msg.inferenceFee ?? "", "inference_fee");
    if ((await findModelId(ctx.store, name, version)) !== undefined) {
      throw new ExecutionError("MODEL_EXISTS", `model ${name}@${version} is already registered`);
    }
    const licenseIds = msg.licenseIds ?? [];
    if (licenseIds.length > params.maxLicensesPerModel) {
      throw new ExecutionError(
        "TOO_MANY_LICENSES",
        `${licenseIds.length} licenses cited, models.max_licenses_per_model is ${params.maxLicensesPerModel}`,
      );
    }
    const licenses = await checkCitedLicenses(ctx.store, licenseIds, ctx.sender, ctx.height, fee);
    const newId = await peekModelId(ctx.store);
    const parent = await checkParent(ctx.store, msg, newId, params.maxLineageDepth);
    const licenseBps = licenses.reduce((sum, l) => sum + l.royaltyBps, 0);
    const parentBps = parent?.derivativeRoyaltyBps ?? 0;
    if (licenseBps + parentBps > MAX_BPS) {
      throw new ExecutionError(
        "ROYALTY_SHARES_EXCEED_100",
        `cited licenses take ${licenseBps} bps and the parent ${parentBps} bps: ${licenseBps + parentBps} > ${MAX_BPS}`,
      );
    }
    const id = await takeModelId(ctx.store);
    const model = ModelVersion.create({
      id,
      name,
      version,
      owner: ctx.sender,
      weightsHash: msg.weightsHash ?? new Uint8Array(0),
      sizeBytes: msg.sizeBytes ?? 0,
      format: msg.format ?? 0,
      locationUri: msg.locationUri ?? "",
      cardHash: msg.cardHash ?? new Uint8Array(0),
      inferenceFee: formatAmount(fee),
      parentId: parent?.id ?? 0,
      licenseIds: [...licenseIds],
      allowDerivatives: msg.allowDerivatives ?? false,
      derivativeRoyaltyBps: msg.derivativeRoyaltyBps ?? 0,
      deprecated: false,
      createdHeight: ctx.height,
      depth: parent ? parent.depth + 1 : 0,
    });
    await insertModel(ctx.store, model);
    ctx.events.push(
      makeEvent("register_model", [
        ["model_id", String(id)],
        ["name", model.name],
        ["version", model.version],
        ["owner", ctx.senderBech32],
        ["parent_id", String(model.parentId)],
        ["depth", String(model.depth)],
        ["inference_fee", model.inferenceFee],
        ["license_ids", licenseIds.join(",")],
      ]),
    );
  },
};
