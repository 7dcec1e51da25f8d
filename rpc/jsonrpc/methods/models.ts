// model_*: registered model versions and their lineage (execution/modules/models queries).
import { encodeAddress } from "../../../crypto/address.js";
import { RpcError } from "../../errors.js";
import { isPresent, readParams, requiredAddress, requiredHeight, requiredString } from "../params.js";
import type { MethodHandler } from "./context.js";
import { filterArg, moduleQuery, pageArgs } from "./module-query.js";

export const modelGet: MethodHandler<"model_get"> = async (raw, ctx) => {
  const params = readParams(raw, ["id", "name", "version", "height"]);
  if (isPresent(params, "id")) {
    if (isPresent(params, "name") || isPresent(params, "version")) {
      throw RpcError.invalidParam("id", "CONFLICT", 'give either "id" or "name" and "version", not both');
    }
    return moduleQuery(ctx, params, `model/${requiredHeight(params, "id")}`);
  }
  const name = requiredString(params, "name");
  const version = requiredString(params, "version");
  return moduleQuery(ctx, params, `model/${name}@${version}`);
};

export const modelList: MethodHandler<"model_list"> = async (raw, ctx) => {
  const params = readParams(raw, ["owner", "cursor", "limit", "height"]);
  const args = pageArgs(params);
  if (isPresent(params, "owner"))
    args.push(filterArg("owner", encodeAddress(requiredAddress(params, "owner"))));
  return moduleQuery(ctx, params, `models/${args.join("&")}`);
};

export const modelGetLineage: MethodHandler<"model_getLineage"> = async (raw, ctx) => {
  const params = readParams(raw, ["id", "height"]);
  return moduleQuery(ctx, params, `lineage/${requiredHeight(params, "id")}`);
};
