// compute_*: inference jobs and the GPU workers that run them (execution/modules/compute queries),
// each worker with its attestation status.
import { encodeAddress } from "../../../crypto/address.js";
import { RpcError } from "../../errors.js";
import { isPresent, optionalEnum, readParams, requiredAddress, requiredHeight } from "../params.js";
import type { MethodHandler } from "./context.js";
import { filterArg, moduleQuery, pageArgs } from "./module-query.js";

const JOB_STATES = ["pending", "commit", "reveal", "settled", "failed", "cancelled"] as const;
const WORKER_STATUSES = ["active", "jailed", "unbonding"] as const;

export const computeGetJob: MethodHandler<"compute_getJob"> = async (raw, ctx) => {
  const params = readParams(raw, ["id", "height"]);
  return moduleQuery(ctx, params, `job/${requiredHeight(params, "id")}`);
};

export const computeListJobs: MethodHandler<"compute_listJobs"> = async (raw, ctx) => {
  const params = readParams(raw, ["state", "owner", "worker", "cursor", "limit", "height"]);
  const args = pageArgs(params);
  const state = optionalEnum(params, "state", JOB_STATES);
  if (state !== undefined) args.push(filterArg("state", state));
  for (const name of ["owner", "worker"] as const) {
    if (isPresent(params, name)) args.push(filterArg(name, encodeAddress(requiredAddress(params, name))));
  }
  return moduleQuery(ctx, params, `jobs/${args.join("&")}`);
};

export const computeGetWorker: MethodHandler<"compute_getWorker"> = async (raw, ctx) => {
  const params = readParams(raw, ["address", "height"]);
  return moduleQuery(ctx, params, `worker/${encodeAddress(requiredAddress(params, "address"))}`);
};

export const computeListWorkers: MethodHandler<"compute_listWorkers"> = async (raw, ctx) => {
  const params = readParams(raw, ["operator", "status", "attested", "cursor", "limit", "height"]);
  const args = pageArgs(params);
  if (isPresent(params, "operator"))
    args.push(filterArg("operator", encodeAddress(requiredAddress(params, "operator"))));
  const status = optionalEnum(params, "status", WORKER_STATUSES);
  if (status !== undefined) args.push(filterArg("status", status));
  if (isPresent(params, "attested")) {
    if (typeof params.attested !== "boolean")
      throw RpcError.invalidParam("attested", "WRONG_TYPE", '"attested" must be true or false');
    args.push(filterArg("attested", String(params.attested)));
  }
  return moduleQuery(ctx, params, `workers/${args.join("&")}`);
};
