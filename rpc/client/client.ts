// A small typed JSON-RPC client (global fetch). One method per RPC method; every failure is an
// RpcClientError carrying the server's stable code.
import { toHex } from "../../crypto/hash.js";
import type { JsonRpcResponse } from "../jsonrpc/protocol.js";
import type {
  AccountJson,
  BlockJson,
  BlockResultsJson,
  BlocksJson,
  BroadcastCommitJson,
  BroadcastSyncJson,
  CommitJson,
  GetBlocksParams,
  JsonObject,
  NetInfo,
  PageParams,
  ProofJson,
  RpcMethodName,
  RpcMethods,
  StakingValidatorJson,
  StakingValidatorSetJson,
  StakingValidatorsJson,
  StatusJson,
  TxRecordJson,
  ValidatorsJson,
} from "../types.js";
import { RpcClientError } from "./errors.js";

export const DEFAULT_RPC_URL = "http://127.0.0.1:26657";

export interface KyochiRpcClientOptions {
  /** Longest wait for one answer (default 30 s; commit-mode broadcasts add their own wait). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

type Bytes = Uint8Array | string;

function withHeight<T extends object>(params: T, height: number | undefined): T & { height?: number } {
  return height === undefined ? params : { ...params, height };
}

function toHexParam(value: Bytes): string {
  return typeof value === "string" ? value : `0x${toHex(value)}`;
}

export class KyochiRpcClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private nextId = 1;

  constructor(url: string = DEFAULT_RPC_URL, opts: KyochiRpcClientOptions = {}) {
    this.url = url;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.fetchImpl = opts.fetch ?? fetch;
  }

  status(): Promise<StatusJson> {
    return this.call("chain_status", {});
  }

  /** The block at `height` (latest when undefined). */
  getBlock(height?: number): Promise<BlockJson> {
    return this.call("chain_getBlock", height === undefined ? {} : { height });
  }

  /**
   * Block summaries over a height range, newest first unless `order` is "asc"; pass the answer's
   * `nextCursor` as `cursor` for the next page (null on the last one).
   */
  getBlocks(opts: GetBlocksParams = {}): Promise<BlocksJson> {
    return this.call("chain_getBlocks", opts);
  }

  getBlockResults(height: number): Promise<BlockResultsJson> {
    return this.call("chain_getBlockResults", { height });
  }

  /**
   * One page of the validator set that signs block `height` (default: the latest). `cursor` is
   * the previous page's `nextCursor`; `limit` at most 100.
   */
  getValidators(opts: { height?: number; cursor?: number; limit?: number } = {}): Promise<ValidatorsJson> {
    const params: RpcMethods["chain_getValidators"]["params"] = {};
    if (opts.height !== undefined) params.height = opts.height;
    if (opts.cursor !== undefined) params.cursor = opts.cursor;
    if (opts.limit !== undefined) params.limit = opts.limit;
    return this.call("chain_getValidators", params);
  }

  /** Every validator of the set at `height` (default: the latest), following the pages. */
  async getAllValidators(height?: number): Promise<ValidatorsJson> {
    const first = await this.getValidators(height === undefined ? {} : { height });
    const validators = [...first.validators];
    let cursor = first.nextCursor;
    while (cursor !== null) {
      // Pin the height of the first page, so a new block between pages cannot mix two sets.
      const page = await this.getValidators({ height: first.height, cursor });
      validators.push(...page.validators);
      cursor = page.nextCursor;
    }
    return { height: first.height, validators, total: first.total, nextCursor: null };
  }

  /** The commit that decided the block at `height` (default: the latest). */
  getCommit(height?: number): Promise<CommitJson> {
    return this.call("chain_getCommit", height === undefined ? {} : { height });
  }

  /** The node's peer id, listen addresses and connected peers. */
  netInfo(): Promise<NetInfo> {
    return this.call("net_info", {});
  }

  /** Submits a tx; "sync" returns once it passed checkTx, "commit" once a block includes it. */
  broadcastTx(tx: Bytes, mode?: "sync"): Promise<BroadcastSyncJson>;
  broadcastTx(tx: Bytes, mode: "commit", timeoutMs?: number): Promise<BroadcastCommitJson>;
  broadcastTx(tx: Bytes, mode: "sync" | "commit" = "sync", timeoutMs?: number) {
    const params: RpcMethods["tx_broadcast"]["params"] = { tx: toHexParam(tx), mode };
    if (timeoutMs !== undefined) params.timeoutMs = timeoutMs;
    // A commit waits on the server; give the HTTP call that long and then some.
    const wait = mode === "commit" ? (timeoutMs ?? 60_000) + this.timeoutMs : this.timeoutMs;
    return this.call("tx_broadcast", params, wait);
  }

  getTx(hash: Bytes): Promise<TxRecordJson> {
    return this.call("tx_get", { hash: toHexParam(hash) });
  }

  /** `address` is bech32 (kyo1...). */
  getAccount(address: string, height?: number): Promise<AccountJson> {
    return this.call("account_get", height === undefined ? { address } : { address, height });
  }

  /** Value and proof of a raw state key, or of an account (by bech32 address). */
  getProof(target: { key: Bytes } | { address: string }, height?: number): Promise<ProofJson> {
    const base = "key" in target ? { key: toHexParam(target.key) } : { address: target.address };
    return this.call("state_getProof", height === undefined ? base : { ...base, height });
  }

  // ---- data, models, governance (answers are the modules' JSON in camelCase) ----

  getDataset(id: number, height?: number): Promise<JsonObject> {
    return this.call("data_getDataset", withHeight({ id }, height));
  }

  listDatasets(opts: PageParams & { owner?: string } = {}): Promise<JsonObject> {
    return this.call("data_listDatasets", opts);
  }

  getLicense(id: number, height?: number): Promise<JsonObject> {
    return this.call("data_getLicense", withHeight({ id }, height));
  }

  listLicenses(opts: PageParams & ({ licensee: string } | { datasetId: number })): Promise<JsonObject> {
    return this.call("data_listLicenses", opts);
  }

  /** A model version by id, or by name and version. */
  getModel(target: number | { name: string; version: string }, height?: number): Promise<JsonObject> {
    return this.call("model_get", withHeight(typeof target === "number" ? { id: target } : target, height));
  }

  listModels(opts: PageParams & { owner?: string } = {}): Promise<JsonObject> {
    return this.call("model_list", opts);
  }

  getModelLineage(id: number, height?: number): Promise<JsonObject> {
    return this.call("model_getLineage", withHeight({ id }, height));
  }

  getProposal(id: number, height?: number): Promise<JsonObject> {
    return this.call("gov_getProposal", withHeight({ id }, height));
  }

  listProposals(opts: PageParams & { status?: string } = {}): Promise<JsonObject> {
    return this.call("gov_listProposals", opts);
  }

  getVotes(proposalId: number, opts: PageParams = {}): Promise<JsonObject> {
    return this.call("gov_getVotes", { ...opts, proposalId });
  }

  getUpgradePlan(height?: number): Promise<JsonObject> {
    return this.call("gov_getUpgradePlan", withHeight({}, height));
  }

  /** Every module's parameters. */
  getParams(height?: number): Promise<JsonObject> {
    return this.call("chain_getParams", withHeight({}, height));
  }

  getTrustedRoots(height?: number): Promise<JsonObject> {
    return this.call("attestation_getTrustedRoots", withHeight({}, height));
  }

  getAllowedMeasurements(evidenceClass: string, height?: number): Promise<JsonObject> {
    return this.call("attestation_getAllowedMeasurements", withHeight({ evidenceClass }, height));
  }

  // ---- compute (jobs and workers, each worker with its attestation status) ----

  getJob(id: number, height?: number): Promise<JsonObject> {
    return this.call("compute_getJob", withHeight({ id }, height));
  }

  /** Jobs, filtered by state (pending|commit|reveal|settled|failed|cancelled), owner or worker. */
  listJobs(opts: PageParams & { state?: string; owner?: string; worker?: string } = {}): Promise<JsonObject> {
    return this.call("compute_listJobs", opts);
  }

  getWorker(address: string, height?: number): Promise<JsonObject> {
    return this.call("compute_getWorker", withHeight({ address }, height));
  }

  listWorkers(
    opts: PageParams & { operator?: string; status?: string; attested?: boolean } = {},
  ): Promise<JsonObject> {
    return this.call("compute_listWorkers", opts);
  }

  // ---- staking (validators as the staking module keeps them) ----

  /** One validator by operator (kyo1...) or consensus address (0x + 40 hex). */
  getStakingValidator(address: string, height?: number): Promise<StakingValidatorJson & { height: number }> {
    return this.call("staking_getValidator", withHeight({ address }, height));
  }

  /** Every validator, by operator; `cursor` is the previous page's nextCursor. */
  listStakingValidators(
    opts: RpcMethods["staking_listValidators"]["params"] = {},
  ): Promise<StakingValidatorsJson> {
    return this.call("staking_listValidators", opts);
  }

  /** The active set staking decided at a height. */
  getStakingValidatorSet(height?: number): Promise<StakingValidatorSetJson> {
    return this.call("staking_getValidatorSet", withHeight({}, height));
  }

  /** Calls any method by name. */
  async call<M extends RpcMethodName>(
    method: M,
    params: RpcMethods[M]["params"],
    timeoutMs: number = this.timeoutMs,
  ): Promise<RpcMethods[M]["result"]> {
    const id = this.nextId++;
    let response: Response;
    try {
      response = await this.fetchImpl(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const error = err as Error & { cause?: { code?: string; message?: string } };
      if (error.name === "TimeoutError" || error.name === "AbortError") {
        throw RpcClientError.clientSide(
          "TIMEOUT",
          `no answer from ${this.url} within ${timeoutMs} ms (${method})`,
        );
      }
      const cause = error.cause?.code ?? error.cause?.message ?? error.message;
      throw RpcClientError.clientSide("CONNECTION_FAILED", `cannot reach the node at ${this.url}: ${cause}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw RpcClientError.clientSide(
        "CONNECTION_FAILED",
        `reading the answer of ${this.url} failed: ${(err as Error).message}`,
      );
    }
    const parsed = parseResponse(text);
    if (parsed === undefined) {
      throw new RpcClientError(
        0,
        `the answer of ${this.url} is not a JSON-RPC response (HTTP ${response.status})`,
        { code: "BAD_RESPONSE", body: text.slice(0, 200) },
        response.status,
      );
    }
    if ("error" in parsed) {
      const { code, message, data } = parsed.error;
      // A server other than Kyochi may send no stable code; keep whatever it sent under `detail`.
      const stable =
        data !== null && typeof data === "object" && typeof data.code === "string"
          ? data
          : { code: "UNKNOWN", detail: data as unknown };
      throw new RpcClientError(code, message, stable, response.status);
    }
    return parsed.result as RpcMethods[M]["result"];
  }
}

function parseResponse(text: string): JsonRpcResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (record.jsonrpc !== "2.0") return undefined;
  if ("error" in record) {
    const error = record.error as Record<string, unknown> | null;
    if (
      error === null ||
      typeof error !== "object" ||
      typeof error.code !== "number" ||
      typeof error.message !== "string"
    ) {
      return undefined;
    }
    return value as JsonRpcResponse;
  }
  return "result" in record ? (value as JsonRpcResponse) : undefined;
}
