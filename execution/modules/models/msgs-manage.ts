// The owner's messages on an existing model: deprecate it, transfer it, change its fee.
import { encodeAddress } from "../../../crypto/address.js";
import { bytesEqual } from "../../../proto/canonical.js";
import type { ModelVersion } from "../../../proto/index.js";
import { formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { ADDRESS_BYTES } from "../bank/index.js";
import { makeEvent } from "../events.js";
import type { MsgContext, MsgHandler } from "../types.js";
import { loadCitedLicense, requireCommercial } from "./citations.js";
import { loadModel, modelFee, modelKey, modelsOfOwner, saveModel } from "./records.js";

function requireModelId(id: number | null | undefined): void {
  if (!id) throw new ExecutionError("INVALID_MODEL", "model_id must be a model id (1, 2, ...)");
}

/** The model `id`, refused unless the signer owns it. */
async function loadOwnedModel(ctx: MsgContext, id: number): Promise<ModelVersion> {
  const model = await loadModel(ctx.store, id);
  if (!model) throw new ExecutionError("MODEL_NOT_FOUND", `no model has id ${id}`);
  if (!bytesEqual(model.owner, ctx.sender)) {
    throw new ExecutionError(
      "NOT_MODEL_OWNER",
      `model ${id} is owned by ${encodeAddress(model.owner)}, not by ${ctx.senderBech32}`,
    );
  }
  return model;
}

export const msgDeprecateModelHandler: MsgHandler<"modelsDeprecate"> = {
  validate(msg) {
    requireModelId(msg.modelId);
  },
  touchedKeys(msg) {
    return msg.modelId ? [modelKey(msg.modelId)] : [];
  },
  async execute(ctx, msg) {
    const model = await loadOwnedModel(ctx, msg.modelId ?? 0);
    if (model.deprecated)
      throw new ExecutionError("MODEL_DEPRECATED", `model ${model.id} is already deprecated`);
    model.deprecated = true;
    saveModel(ctx.store, model);
    ctx.events.push(
      makeEvent("deprecate_model", [
        ["model_id", String(model.id)],
        ["owner", ctx.senderBech32],
      ]),
    );
  },
};

export const msgTransferModelHandler: MsgHandler<"modelsTransfer"> = {
  validate(msg) {
    requireModelId(msg.modelId);
    const length = msg.newOwner?.length ?? 0;
    if (length !== ADDRESS_BYTES) {
      throw new ExecutionError("INVALID_ADDRESS", `new_owner must be ${ADDRESS_BYTES} bytes, got ${length}`);
    }
  },
  touchedKeys(msg) {
    return msg.modelId ? [modelKey(msg.modelId)] : [];
  },
  async execute(ctx, msg) {
    const model = await loadOwnedModel(ctx, msg.modelId ?? 0);
    const newOwner = msg.newOwner as Uint8Array;
    if (bytesEqual(newOwner, model.owner)) {
      throw new ExecutionError(
        "MODEL_TRANSFER_TO_SELF",
        `${ctx.senderBech32} already owns model ${model.id}`,
      );
    }
    await modelsOfOwner(model.owner).remove(ctx.store, model.id);
    await modelsOfOwner(newOwner).append(ctx.store, model.id);
    model.owner = newOwner;
    saveModel(ctx.store, model);
    ctx.events.push(
      makeEvent("transfer_model", [
        ["model_id", String(model.id)],
        ["from", ctx.senderBech32],
        ["to", encodeAddress(newOwner)],
      ]),
    );
  },
};

export const msgSetModelFeeHandler: MsgHandler<"modelsSetFee"> = {
  validate(msg) {
    requireModelId(msg.modelId);
    parseAmount(msg.inferenceFee ?? "", "inference_fee");
  },
  touchedKeys(msg) {
    return msg.modelId ? [modelKey(msg.modelId)] : [];
  },
  async execute(ctx, msg) {
    const fee = parseAmount(msg.inferenceFee ?? "", "inference_fee");
    const model = await loadOwnedModel(ctx, msg.modelId ?? 0);
    if (model.deprecated) {
      throw new ExecutionError("MODEL_DEPRECATED", `model ${model.id} is deprecated: its fee is frozen`);
    }
    const previous = modelFee(model);
    // Same rule as registration: charging for a model needs every cited license to allow commercial
    // use. (A model that already charges passed this check when it was registered or repriced.)
    if (fee > 0n && previous === 0n) {
      const licenses = [];
      for (const id of model.licenseIds) licenses.push(await loadCitedLicense(ctx.store, id));
      requireCommercial(licenses, fee);
    }
    model.inferenceFee = formatAmount(fee);
    saveModel(ctx.store, model);
    ctx.events.push(
      makeEvent("set_model_fee", [
        ["model_id", String(model.id)],
        ["owner", ctx.senderBech32],
        ["previous_fee", previous.toString()],
        ["inference_fee", model.inferenceFee],
      ]),
    );
  },
};
