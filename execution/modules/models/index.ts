// Models: registered model versions, their lineage and the royalties paid up it.
//   records.ts        state layout (one record per version, name index, lists)
//   params.ts         max_lineage_depth, max_licenses_per_model (genesis + the "models" ParamSpace)
//   msgs-register.ts  register a version (citations, parent, lineage, royalty total)
//   msgs-manage.ts    deprecate, transfer, change the fee
//   msg-pay.ts        pay a model's fee
//   royalties.ts      settleModelFee: the fee up the lineage (also for compute jobs)
//   citations.ts      checks of the licenses a model cites
//   lineage.ts        parent-chain walks (depth, cycles)
//   queries.ts        model/, models/, lineage/ (views.ts: their JSON)
import { ExecutionError } from "../../errors.js";
import type { Module, MsgHandler } from "../types.js";
import { msgPayModelHandler } from "./msg-pay.js";
import { msgDeprecateModelHandler, msgSetModelFeeHandler, msgTransferModelHandler } from "./msgs-manage.js";
import { msgRegisterModelHandler } from "./msgs-register.js";
import { MODELS_PARAM_SPACE, storeModelsParams } from "./params.js";
import { queryLineage, queryModel, queryModels } from "./queries.js";
import { MODELS_PREFIX } from "./records.js";

export { loadModelsParams, MODELS_PARAM_SPACE, type ModelsParamsState } from "./params.js";
export { loadModel, MODELS_PREFIX } from "./records.js";
export { type RoyaltyPayout, type RoyaltyReason, settleModelFee } from "./royalties.js";
export {
  type ModelFormatName,
  type ModelView,
  modelFormatFromName,
  modelFormatName,
  modelView,
} from "./views.js";

export const MODELS_MSG_HANDLERS: {
  modelsRegister: MsgHandler<"modelsRegister">;
  modelsDeprecate: MsgHandler<"modelsDeprecate">;
  modelsTransfer: MsgHandler<"modelsTransfer">;
  modelsSetFee: MsgHandler<"modelsSetFee">;
  modelsPay: MsgHandler<"modelsPay">;
} = {
  modelsRegister: msgRegisterModelHandler,
  modelsDeprecate: msgDeprecateModelHandler,
  modelsTransfer: msgTransferModelHandler,
  modelsSetFee: msgSetModelFeeHandler,
  modelsPay: msgPayModelHandler,
};

export const modelsModule: Module = {
  name: "models",
  prefix: MODELS_PREFIX,
  async initGenesis(ctx, genesis) {
    const values = genesis.params.models;
    if (values === undefined || values === null || typeof values !== "object") {
      throw new ExecutionError("GENESIS_INVALID", "params.models is missing");
    }
    storeModelsParams(ctx.store, { ...values }, "GENESIS_INVALID");
  },
  queries: { model: queryModel, models: queryModels, lineage: queryLineage },
  paramSpaces: [MODELS_PARAM_SPACE],
};
