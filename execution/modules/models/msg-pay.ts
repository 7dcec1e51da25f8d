// MsgPayModel: the signer pays a model's current inference fee, settled up the model's lineage
// (royalties.ts). max_fee protects the payer against a fee raised since they looked.
import { parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { MsgHandler } from "../types.js";
import { loadModelsParams } from "./params.js";
import { loadModel, modelFee, modelKey } from "./records.js";
import { settleModelFee } from "./royalties.js";

export const msgPayModelHandler: MsgHandler<"modelsPay"> = {
  validate(msg) {
    if (!msg.modelId) throw new ExecutionError("INVALID_MODEL", "model_id must be a model id (1, 2, ...)");
    parseAmount(msg.maxFee ?? "", "max_fee");
  },
  touchedKeys(msg) {
    return msg.modelId ? [modelKey(msg.modelId)] : [];
  },
  async execute(ctx, msg) {
    const maxFee = parseAmount(msg.maxFee ?? "", "max_fee");
    const modelId = msg.modelId ?? 0;
    const model = await loadModel(ctx.store, modelId);
    if (!model) throw new ExecutionError("MODEL_NOT_FOUND", `no model has id ${modelId}`);
    if (model.deprecated) throw new ExecutionError("MODEL_DEPRECATED", `model ${model.id} is deprecated`);
    const fee = modelFee(model);
    if (fee === 0n) throw new ExecutionError("MODEL_NOT_PRICED", `model ${model.id} has no inference fee`);
    if (fee > maxFee) {
      throw new ExecutionError("FEE_ABOVE_MAX", `model ${model.id} costs ${fee}, above max_fee ${maxFee}`);
    }
    const payer = await loadAccount(ctx.store, ctx.senderKey);
    if (payer.balance < fee) {
      throw new ExecutionError("INSUFFICIENT_FUNDS", `balance ${payer.balance} is below the fee ${fee}`);
    }
    saveAccount(ctx.store, ctx.senderKey, { nonce: payer.nonce, balance: payer.balance - fee });
    ctx.events.push(
      makeEvent("pay_model", [
        ["model_id", String(model.id)],
        ["payer", ctx.senderBech32],
        ["amount", fee.toString()],
      ]),
    );
    const { maxLineageDepth } = await loadModelsParams(ctx.store);
    await settleModelFee(ctx.store, model.id, fee, maxLineageDepth, ctx.events);
  },
};
