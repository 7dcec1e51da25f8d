// gov_*, chain_getParams and attestation_*: proposals, votes, the scheduled upgrade, the
// parameters they change, and the attestation roots and measurements governance keeps.
import { RpcError } from "../../errors.js";
import { isPresent, readParams, requiredHeight, requiredString } from "../params.js";
import type { MethodHandler } from "./context.js";
import { filterArg, moduleQuery, pageArgs } from "./module-query.js";

export const govGetProposal: MethodHandler<"gov_getProposal"> = async (raw, ctx) => {
  const params = readParams(raw, ["id", "height"]);
  return moduleQuery(ctx, params, `proposal/${requiredHeight(params, "id")}`);
};

export const govListProposals: MethodHandler<"gov_listProposals"> = async (raw, ctx) => {
  const params = readParams(raw, ["status", "cursor", "limit", "height"]);
  const args = pageArgs(params);
  if (isPresent(params, "status")) args.push(filterArg("status", requiredString(params, "status")));
  return moduleQuery(ctx, params, `proposals/${args.join("&")}`);
};

export const govGetVotes: MethodHandler<"gov_getVotes"> = async (raw, ctx) => {
  const params = readParams(raw, ["proposalId", "cursor", "limit", "height"]);
  const args = [filterArg("proposal_id", requiredHeight(params, "proposalId")), ...pageArgs(params)];
  return moduleQuery(ctx, params, `votes/${args.join("&")}`);
};

export const govGetUpgradePlan: MethodHandler<"gov_getUpgradePlan"> = async (raw, ctx) => {
  const params = readParams(raw, ["height"]);
  return moduleQuery(ctx, params, "upgrade_plan", "plan");
};

export const chainGetParams: MethodHandler<"chain_getParams"> = async (raw, ctx) => {
  const params = readParams(raw, ["height"]);
  return moduleQuery(ctx, params, "params");
};

export const attestationGetTrustedRoots: MethodHandler<"attestation_getTrustedRoots"> = async (raw, ctx) => {
  const params = readParams(raw, ["evidenceClass", "cursor", "limit", "height"]);
  const args = pageArgs(params);
  // The module filters within the page it read (the list-filter rule): a page may come back short.
  if (isPresent(params, "evidenceClass"))
    args.push(filterArg("evidence_class", requiredString(params, "evidenceClass")));
  return moduleQuery(ctx, params, `trusted_roots/${args.join("&")}`);
};

export const attestationGetAllowedMeasurements: MethodHandler<"attestation_getAllowedMeasurements"> = async (
  raw,
  ctx,
) => {
  const params = readParams(raw, ["evidenceClass", "cursor", "limit", "height"]);
  const evidenceClass = requiredString(params, "evidenceClass");
  // A "/" would end the class in the query path and start list arguments: refuse it here.
  if (evidenceClass.includes("/")) {
    throw RpcError.invalidParam(
      "evidenceClass",
      "BAD_VALUE",
      `"evidenceClass" must be an evidence class name (e.g. "dev"), got ${JSON.stringify(evidenceClass.slice(0, 40))}`,
    );
  }
  const args = pageArgs(params);
  const page = args.length > 0 ? `/${args.join("&")}` : "";
  return moduleQuery(ctx, params, `allowed_measurements/${evidenceClass}${page}`);
};
