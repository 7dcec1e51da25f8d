// One query service per module (kyochi.<module>.v1.<Module>QueryService). Typed methods answer
// exactly as the JSON-RPC method of the same meaning (same validation, same errors: they call it),
// with the request message's fields as its params, and its result turned into the method's
// response message by the static codec's fromObject: the response messages mirror the JSON-RPC
// results field by field (module-services-typed.test.ts fails when a field is missing). One
// exception, GetParams: its keys are the snake_case names a ParamChange takes (see gov's
// service.proto). Every service also has Query(path, height), the application's raw query by path,
// limited to the paths of its own module(s): anything else is INVALID_ARGUMENT naming the paths it
// serves.
import { MODULES } from "../../execution/modules/registry.js";
import { kyochi } from "../../proto/index.js";
import { assertCommitted } from "../jsonrpc/methods/context.js";
import { METHODS } from "../jsonrpc/methods/index.js";
import { camelize, queryFailure } from "../jsonrpc/methods/module-query.js";
import { optionalHeight } from "../jsonrpc/params.js";
import type { RpcLogger } from "../logger.js";
import type { RpcMethodName } from "../types.js";
import type { GrpcContext } from "./context.js";
import { type DefinedService, defineService, type MessageCodec, unary } from "./define.js";
import { GrpcError } from "./errors.js";
import { optionalCommittedHeight } from "./heights.js";
import { type RequestCodec as ParamsCodec, paramsOf } from "./request-params.js";

const QueryRequest = kyochi.query.v1.QueryRequest;
const QueryResponse = kyochi.query.v1.QueryResponse;

const MAX_PATH_LENGTH = 1024;

/** A typed request message: the static class, with its toObject (fields in camelCase). */
interface RequestCodec<T> extends MessageCodec<T>, ParamsCodec<T> {}

/** A typed response message: the static class, with its fromObject. */
interface ResponseCodec<T> extends MessageCodec<T> {
  // The generated signature takes `{ [k: string]: any }`: a JSON-RPC result is such an object.
  fromObject(object: Record<string, unknown>): T;
}

/**
 * A typed method answered by the JSON-RPC method `name`: its result, as the JSON-RPC would send
 * it, becomes the response message. fromObject leaves out a JSON null (an absent field) and
 * ignores a key the message lacks, which is why the typed test compares both surfaces.
 */
function viaJsonRpc<Req, Res>(
  ctx: GrpcContext,
  req: RequestCodec<Req>,
  res: ResponseCodec<Res>,
  name: RpcMethodName,
) {
  return unary<Req, Res>(req, res, async (request) => {
    const result = await METHODS[name](paramsOf(req, request), ctx);
    return res.fromObject(result as unknown as Record<string, unknown>);
  });
}

/**
 * GetParams: chain_getParams's checks and answer, with each section's keys as the `params` query
 * (and genesis, and a ParamChange) spell them, and each value as JSON text.
 */
function getParams(ctx: GrpcContext) {
  const gov = kyochi.gov.v1;
  return unary(gov.GetParamsRequest, gov.GetParamsResponse, async (req) => {
    const height = optionalHeight(paramsOf(gov.GetParamsRequest, req), "height");
    if (height !== undefined) assertCommitted(ctx, height);
    const answer = await ctx.backend.queryApp("params", height);
    if (answer.code !== 0) throw queryFailure(answer);
    const sections = JSON.parse(new TextDecoder().decode(answer.value)) as Record<
      string,
      Record<string, unknown>
    >;
    const params: Record<string, { values: Record<string, string> }> = {};
    for (const [space, values] of Object.entries(sections)) {
      const texts: Record<string, string> = {};
      for (const [key, value] of Object.entries(values)) texts[key] = JSON.stringify(value);
      params[space] = { values: texts };
    }
    return gov.GetParamsResponse.fromObject({ height: answer.height, params });
  });
}

/** The query path heads (the part before the first "/") the modules `names` answer. */
export function queryHeadsOf(names: readonly string[]): string[] {
  const heads: string[] = [];
  for (const name of names) {
    const module = MODULES.find((m) => m.name === name);
    if (module === undefined) throw new GrpcError("DESCRIPTOR_MISMATCH", `no module ${name}`);
    heads.push(...Object.keys(module.queries ?? {}));
  }
  return heads;
}

/** Query(path, height), limited to `heads`. */
function rawQuery(ctx: GrpcContext, serviceName: string, heads: readonly string[]) {
  const allowed = new Set(heads);
  return unary(QueryRequest, QueryResponse, async (req) => {
    if (req.path.length === 0 || req.path.length > MAX_PATH_LENGTH)
      throw new GrpcError("INVALID_ARGUMENT", `path must be 1 to ${MAX_PATH_LENGTH} characters`);
    const head = req.path.split("/")[0]!;
    if (!allowed.has(head)) {
      throw new GrpcError(
        "PATH_NOT_IN_MODULE",
        `${serviceName} does not serve path ${JSON.stringify(req.path.slice(0, 100))}; its paths start with: ${[...allowed].join(", ")}`,
      );
    }
    const answer = await ctx.backend.queryApp(req.path, optionalCommittedHeight(ctx.backend, req.height));
    if (answer.code !== 0) throw queryFailure(answer);
    return QueryResponse.create({
      height: answer.height,
      ...(answer.value !== undefined ? { value: answer.value, json: jsonText(answer.value) } : {}),
    });
  });
}

/** The answer re-rendered as the JSON-RPC renders module JSON (camelCase), or "" when not JSON. */
function jsonText(value: Uint8Array): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(value));
  } catch {
    return "";
  }
  return JSON.stringify(camelize(parsed));
}

export const MODULE_SERVICES = {
  bank: "kyochi.bank.v1.BankQueryService",
  staking: "kyochi.staking.v1.StakingQueryService",
  compute: "kyochi.compute.v1.ComputeQueryService",
  attestation: "kyochi.attestation.v1.AttestationQueryService",
  models: "kyochi.models.v1.ModelsQueryService",
  data: "kyochi.data.v1.DataQueryService",
  gov: "kyochi.gov.v1.GovQueryService",
} as const;

export function moduleServices(ctx: GrpcContext, logger?: RpcLogger): DefinedService[] {
  const bank = kyochi.bank.v1;
  const staking = kyochi.staking.v1;
  const compute = kyochi.compute.v1;
  const attestation = kyochi.attestation.v1;
  const models = kyochi.models.v1;
  const data = kyochi.data.v1;
  const gov = kyochi.gov.v1;
  const raw = (key: keyof typeof MODULE_SERVICES, modules: string[], extra: string[] = []) =>
    rawQuery(ctx, MODULE_SERVICES[key], [...queryHeadsOf(modules), ...extra]);
  const typed = <Req, Res>(req: RequestCodec<Req>, res: ResponseCodec<Res>, name: RpcMethodName) =>
    viaJsonRpc(ctx, req, res, name);
  return [
    defineService(
      MODULE_SERVICES.bank,
      {
        GetAccount: typed(bank.GetAccountRequest, bank.GetAccountResponse, "account_get"),
        Query: raw("bank", ["accounts", "bank"]),
      },
      logger,
      ctx,
    ),
    defineService(
      MODULE_SERVICES.staking,
      {
        GetValidator: typed(
          staking.GetValidatorRequest,
          staking.GetValidatorResponse,
          "staking_getValidator",
        ),
        ListValidators: typed(
          staking.ListValidatorsRequest,
          staking.ListValidatorsResponse,
          "staking_listValidators",
        ),
        GetValidatorSet: typed(
          staking.GetValidatorSetRequest,
          staking.GetValidatorSetResponse,
          "staking_getValidatorSet",
        ),
        Query: raw("staking", ["staking", "slashing", "distribution"]),
      },
      logger,
      ctx,
    ),
    defineService(
      MODULE_SERVICES.compute,
      {
        GetJob: typed(compute.GetJobRequest, compute.GetJobResponse, "compute_getJob"),
        ListJobs: typed(compute.ListJobsRequest, compute.ListJobsResponse, "compute_listJobs"),
        GetWorker: typed(compute.GetWorkerRequest, compute.GetWorkerResponse, "compute_getWorker"),
        ListWorkers: typed(compute.ListWorkersRequest, compute.ListWorkersResponse, "compute_listWorkers"),
        Query: raw("compute", ["compute"]),
      },
      logger,
      ctx,
    ),
    defineService(
      MODULE_SERVICES.attestation,
      {
        GetTrustedRoots: typed(
          attestation.GetTrustedRootsRequest,
          attestation.GetTrustedRootsResponse,
          "attestation_getTrustedRoots",
        ),
        GetAllowedMeasurements: typed(
          attestation.GetAllowedMeasurementsRequest,
          attestation.GetAllowedMeasurementsResponse,
          "attestation_getAllowedMeasurements",
        ),
        Query: raw("attestation", ["attestation"]),
      },
      logger,
      ctx,
    ),
    defineService(
      MODULE_SERVICES.models,
      {
        GetModel: typed(models.GetModelRequest, models.GetModelResponse, "model_get"),
        ListModels: typed(models.ListModelsRequest, models.ListModelsResponse, "model_list"),
        GetLineage: typed(models.GetLineageRequest, models.GetLineageResponse, "model_getLineage"),
        Query: raw("models", ["models"]),
      },
      logger,
      ctx,
    ),
    defineService(
      MODULE_SERVICES.data,
      {
        GetDataset: typed(data.GetDatasetRequest, data.GetDatasetResponse, "data_getDataset"),
        ListDatasets: typed(data.ListDatasetsRequest, data.ListDatasetsResponse, "data_listDatasets"),
        GetLicense: typed(data.GetLicenseRequest, data.GetLicenseResponse, "data_getLicense"),
        ListLicenses: typed(data.ListLicensesRequest, data.ListLicensesResponse, "data_listLicenses"),
        Query: raw("data", ["data"]),
      },
      logger,
      ctx,
    ),
    defineService(
      MODULE_SERVICES.gov,
      {
        GetProposal: typed(gov.GetProposalRequest, gov.GetProposalResponse, "gov_getProposal"),
        ListProposals: typed(gov.ListProposalsRequest, gov.ListProposalsResponse, "gov_listProposals"),
        GetVotes: typed(gov.GetVotesRequest, gov.GetVotesResponse, "gov_getVotes"),
        GetUpgradePlan: typed(gov.GetUpgradePlanRequest, gov.GetUpgradePlanResponse, "gov_getUpgradePlan"),
        GetParams: getParams(ctx),
        // "params": every module's parameters, which governance changes.
        Query: raw("gov", ["gov"], ["params"]),
      },
      logger,
      ctx,
    ),
  ];
}
