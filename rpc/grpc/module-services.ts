// One query service per module (kyochi.<module>.v1.<Module>QueryService). Typed methods answer
// exactly as the JSON-RPC method of the same meaning (same validation, same JSON, same errors:
// they call it), with the request message's fields as its params. Every service also has
// Query(path, height), the application's raw query by path, limited to the paths of its own
// module(s): anything else is INVALID_ARGUMENT naming the paths it serves.
import { MODULES } from "../../execution/modules/registry.js";
import { kyochi } from "../../proto/index.js";
import { accountGet } from "../jsonrpc/methods/account.js";
import { METHODS } from "../jsonrpc/methods/index.js";
import { camelize, queryFailure } from "../jsonrpc/methods/module-query.js";
import type { RpcLogger } from "../logger.js";
import type { RpcMethodName } from "../types.js";
import type { GrpcContext } from "./context.js";
import { type DefinedService, defineService, type MessageCodec, unary } from "./define.js";
import { GrpcError } from "./errors.js";
import { optionalCommittedHeight } from "./heights.js";

const JsonResponse = kyochi.query.v1.JsonResponse;
type JsonResponse = kyochi.query.v1.JsonResponse;
const QueryRequest = kyochi.query.v1.QueryRequest;
const QueryResponse = kyochi.query.v1.QueryResponse;

const MAX_PATH_LENGTH = 1024;

/** A typed request message: the static class, with its toObject (fields in camelCase). */
interface RequestCodec<T> extends MessageCodec<T> {
  toObject(message: T): Record<string, unknown>;
}

/**
 * The JSON-RPC params of a request: its fields, without the proto3 defaults a client may send
 * for "unset" (0, ""); `optional` fields (e.g. attested) keep false.
 */
function paramsOf<T>(codec: RequestCodec<T>, request: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(codec.toObject(request))) {
    if (value !== 0 && value !== "") out[key] = value;
  }
  return out;
}

/** A typed method answered by the JSON-RPC method `name`. */
function viaJsonRpc<T>(ctx: GrpcContext, codec: RequestCodec<T>, name: RpcMethodName) {
  return unary<T, JsonResponse>(codec, JsonResponse, async (request) => {
    const result: unknown = await METHODS[name](paramsOf(codec, request), ctx);
    return JsonResponse.create({ json: JSON.stringify(result) });
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
  const compute = kyochi.compute.v1;
  const attestation = kyochi.attestation.v1;
  const models = kyochi.models.v1;
  const data = kyochi.data.v1;
  const gov = kyochi.gov.v1;
  const raw = (key: keyof typeof MODULE_SERVICES, modules: string[], extra: string[] = []) =>
    rawQuery(ctx, MODULE_SERVICES[key], [...queryHeadsOf(modules), ...extra]);
  return [
    defineService(
      MODULE_SERVICES.bank,
      {
        GetAccount: unary(bank.GetAccountRequest, bank.GetAccountResponse, async (req) => {
          const a = await accountGet(paramsOf(bank.GetAccountRequest, req), ctx);
          return bank.GetAccountResponse.create({
            address: a.address,
            height: a.height,
            exists: a.exists,
            nonce: a.nonce,
            balance: a.balance,
          });
        }),
        Query: raw("bank", ["accounts", "bank"]),
      },
      logger,
    ),
    defineService(
      MODULE_SERVICES.staking,
      { Query: raw("staking", ["staking", "slashing", "distribution"]) },
      logger,
    ),
    defineService(
      MODULE_SERVICES.compute,
      {
        GetJob: viaJsonRpc(ctx, compute.GetJobRequest, "compute_getJob"),
        ListJobs: viaJsonRpc(ctx, compute.ListJobsRequest, "compute_listJobs"),
        GetWorker: viaJsonRpc(ctx, compute.GetWorkerRequest, "compute_getWorker"),
        ListWorkers: viaJsonRpc(ctx, compute.ListWorkersRequest, "compute_listWorkers"),
        Query: raw("compute", ["compute"]),
      },
      logger,
    ),
    defineService(
      MODULE_SERVICES.attestation,
      {
        GetTrustedRoots: viaJsonRpc(ctx, attestation.GetTrustedRootsRequest, "attestation_getTrustedRoots"),
        GetAllowedMeasurements: viaJsonRpc(
          ctx,
          attestation.GetAllowedMeasurementsRequest,
          "attestation_getAllowedMeasurements",
        ),
        Query: raw("attestation", ["attestation"]),
      },
      logger,
    ),
    defineService(
      MODULE_SERVICES.models,
      {
        GetModel: viaJsonRpc(ctx, models.GetModelRequest, "model_get"),
        ListModels: viaJsonRpc(ctx, models.ListModelsRequest, "model_list"),
        GetLineage: viaJsonRpc(ctx, models.GetLineageRequest, "model_getLineage"),
        Query: raw("models", ["models"]),
      },
      logger,
    ),
    defineService(
      MODULE_SERVICES.data,
      {
        GetDataset: viaJsonRpc(ctx, data.GetDatasetRequest, "data_getDataset"),
        ListDatasets: viaJsonRpc(ctx, data.ListDatasetsRequest, "data_listDatasets"),
        GetLicense: viaJsonRpc(ctx, data.GetLicenseRequest, "data_getLicense"),
        ListLicenses: viaJsonRpc(ctx, data.ListLicensesRequest, "data_listLicenses"),
        Query: raw("data", ["data"]),
      },
      logger,
    ),
    defineService(
      MODULE_SERVICES.gov,
      {
        GetProposal: viaJsonRpc(ctx, gov.GetProposalRequest, "gov_getProposal"),
        ListProposals: viaJsonRpc(ctx, gov.ListProposalsRequest, "gov_listProposals"),
        GetVotes: viaJsonRpc(ctx, gov.GetVotesRequest, "gov_getVotes"),
        GetUpgradePlan: viaJsonRpc(ctx, gov.GetUpgradePlanRequest, "gov_getUpgradePlan"),
        GetParams: viaJsonRpc(ctx, gov.GetParamsRequest, "chain_getParams"),
        // "params": every module's parameters, which governance changes.
        Query: raw("gov", ["gov"], ["params"]),
      },
      logger,
    ),
  ];
}
