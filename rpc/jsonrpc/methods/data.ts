// data_*: datasets, their license offers, and licenses (execution/modules/data queries).
import { encodeAddress } from "../../../crypto/address.js";
import { RpcError } from "../../errors.js";
import { isPresent, readParams, requiredAddress, requiredHeight } from "../params.js";
import type { MethodHandler } from "./context.js";
import { filterArg, moduleQuery, pageArgs } from "./module-query.js";

const PAGE = ["cursor", "limit", "height"];

export const dataGetDataset: MethodHandler<"data_getDataset"> = async (raw, ctx) => {
  const params = readParams(raw, ["id", "height"]);
  return moduleQuery(ctx, params, `dataset/${requiredHeight(params, "id")}`);
};

export const dataListDatasets: MethodHandler<"data_listDatasets"> = async (raw, ctx) => {
  const params = readParams(raw, ["owner", ...PAGE]);
  const args = pageArgs(params);
  if (isPresent(params, "owner"))
    args.push(filterArg("owner", encodeAddress(requiredAddress(params, "owner"))));
  return moduleQuery(ctx, params, `datasets/${args.join("&")}`);
};

export const dataGetLicense: MethodHandler<"data_getLicense"> = async (raw, ctx) => {
  const params = readParams(raw, ["id", "height"]);
  return moduleQuery(ctx, params, `license/${requiredHeight(params, "id")}`);
};

export const dataListLicenses: MethodHandler<"data_listLicenses"> = async (raw, ctx) => {
  const params = readParams(raw, ["licensee", "datasetId", ...PAGE]);
  const args = pageArgs(params);
  if (isPresent(params, "licensee") === isPresent(params, "datasetId")) {
    throw RpcError.invalidParam("licensee", "CONFLICT", 'give exactly one of "licensee" or "datasetId"');
  }
  if (isPresent(params, "licensee")) {
    args.push(filterArg("licensee", encodeAddress(requiredAddress(params, "licensee"))));
  } else {
    args.push(filterArg("dataset", requiredHeight(params, "datasetId")));
  }
  return moduleQuery(ctx, params, `licenses/${args.join("&")}`);
};
