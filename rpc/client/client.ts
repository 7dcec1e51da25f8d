// A small typed JSON-RPC client (global fetch). One method per RPC method; every failure is an
// RpcClientError carrying the server's stable code.
import { toHex } from "../../crypto/hash.js";
import type { JsonRpcResponse } from "../jsonrpc/protocol.js";
import type {
  AccountJson,
  BlockJson,
  BlockResultsJson,
  BlocksJson,
  BlockTxHashesJson,
  BroadcastCommitJson,
  BroadcastMode,
  BroadcastSyncJson,
  CommitJson,
  GetBlocksParams,
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
  TxSearchJson,
  TxSearchParams,
  TxSimulateJson,
  ValidatorsJson,
} from "../types.js";
import { RpcClientError, TxWaitTimeoutError } from "./errors.js";
import type { SignedTx } from "./tx-builder.js";

export const DEFAULT_RPC_URL = "http://127.0.0.1:26657";

export interface KyochiRpcClientOptions {
  /** Longest wait for one answer (default 30 s; commit-mode broadcasts add their own wait). */
  timeoutMs?: number;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

type Bytes = Uint8Array | string;

/** The result type of method M. */
type Result<M extends RpcMethodName> = Promise<RpcMethods[M]["result"]>;

/** How waitForTx polls. */
export interface WaitForTxOptions {
  /** Longest wait for the tx to be in a committed block (default 60 s). */
  timeoutMs?: number;
  /** Pause between two tx_get calls (default 500 ms; about half the block time is plenty). */
  pollMs?: number;
}

/** How sendTx submits: "sync" answers after checkTx, "commit" after a block included the tx. */
export interface SendTxOptions {
  mode?: BroadcastMode;
  /** Commit mode: the node's longest wait (at most its configured commit timeout). */
  timeoutMs?: number;
}

const DEFAULT_WAIT_MS = 60_000;
const DEFAULT_POLL_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
    return this.call("chain_getBlock", height === undefined ? {} : { height }) as Promise<BlockJson>;
  }

  /** The block at `height` (latest when undefined) with its txs as hashes only. */
  getBlockTxHashes(height?: number): Promise<BlockTxHashesJson> {
    const params = height === undefined ? { txs: "hashes" as const } : { height, txs: "hashes" as const };
    return this.call("chain_getBlock", params) as Promise<BlockTxHashesJson>;
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

  /**
   * Broadcasts a signed tx (as signTx returns it) and checks that the node names it by the hash
   * signed here. "sync" (default) resolves once it passed checkTx; "commit" once a block included
   * it, with how it executed (the node waits: broadcastTx's commit mode).
   */
  sendTx(tx: SignedTx, opts?: { mode?: "sync" }): Promise<BroadcastSyncJson>;
  sendTx(tx: SignedTx, opts: { mode: "commit"; timeoutMs?: number }): Promise<BroadcastCommitJson>;
  sendTx(tx: SignedTx, opts?: SendTxOptions): Promise<BroadcastSyncJson | BroadcastCommitJson>;
  async sendTx(tx: SignedTx, opts: SendTxOptions = {}): Promise<BroadcastSyncJson | BroadcastCommitJson> {
    const answer =
      opts.mode === "commit"
        ? await this.broadcastTx(tx.bytes, "commit", opts.timeoutMs)
        : await this.broadcastTx(tx.bytes, "sync");
    const expected = `0x${toHex(tx.hash)}`;
    if (answer.hash !== expected) {
      throw RpcClientError.clientSide(
        "BAD_RESPONSE",
        `${this.url} names the tx ${answer.hash}, but its hash is ${expected}`,
        { hash: expected, answered: answer.hash },
      );
    }
    return answer;
  }

  getTx(hash: Bytes): Promise<TxRecordJson> {
    return this.call("tx_get", { hash: toHexParam(hash) });
  }

  /**
   * The committed record of a tx, once a block includes it: polls tx_get every `pollMs` while the
   * node answers NOT_FOUND. For a tx broadcast in sync mode, by another client, or when a wait
   * longer than the node's commit timeout is wanted. Throws TxWaitTimeoutError after `timeoutMs`;
   * any other error of the node (or of the connection) at once.
   */
  async waitForTx(hash: Bytes, opts: WaitForTxOptions = {}): Promise<TxRecordJson> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_MS;
    const pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    const hashHex = toHexParam(hash);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TxWaitTimeoutError(hashHex, timeoutMs);
      // One call never outlasts the wait: when the wait's end cuts it short, the wait is over.
      const callMs = Math.min(this.timeoutMs, left);
      try {
        return await this.call("tx_get", { hash: hashHex }, callMs);
      } catch (err) {
        if (!(err instanceof RpcClientError)) throw err;
        if (err.kyochiCode === "TIMEOUT" && callMs === left) throw new TxWaitTimeoutError(hashHex, timeoutMs);
        if (err.kyochiCode !== "NOT_FOUND") throw err;
      }
      await sleep(Math.max(0, Math.min(pollMs, deadline - Date.now())));
    }
  }

  /** What the tx would do as the next block's first tx (gas, result code, events); nothing is committed. */
  simulateTx(tx: Bytes): Promise<TxSimulateJson> {
    return this.call("tx_simulate", { tx: toHexParam(tx) });
  }

  /**
   * One page of committed txs matching every criterion given (sender, recipient, event attribute),
   * in (height, index) order; pass the answer's `nextCursor` as `cursor` for the next page.
   */
  searchTxs(query: TxSearchParams): Promise<TxSearchJson> {
    return this.call("tx_search", query);
  }

  /** Every tx matching `query`, following the pages (`cursor` in `query` is where to start). */
  async *iterateTxs(query: TxSearchParams): AsyncGenerator<TxRecordJson> {
    let cursor = query.cursor;
    for (;;) {
      const page = await this.searchTxs(cursor === undefined ? query : { ...query, cursor });
      yield* page.txs;
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
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

  // ---- data, models, governance (answers are the modules' views in camelCase: rpc/module-json.ts) ----

  getDataset(id: number, height?: number): Result<"data_getDataset"> {
    return this.call("data_getDataset", withHeight({ id }, height));
  }

  listDatasets(opts: PageParams & { owner?: string } = {}): Result<"data_listDatasets"> {
    return this.call("data_listDatasets", opts);
  }

  getLicense(id: number, height?: number): Result<"data_getLicense"> {
    return this.call("data_getLicense", withHeight({ id }, height));
  }

  listLicenses(
    opts: PageParams & ({ licensee: string } | { datasetId: number }),
  ): Result<"data_listLicenses"> {
    return this.call("data_listLicenses", opts);
  }

  /** A model version by id, or by name and version. */
  getModel(target: number | { name: string; version: string }, height?: number): Result<"model_get"> {
    return this.call("model_get", withHeight(typeof target === "number" ? { id: target } : target, height));
  }

  listModels(opts: PageParams & { owner?: string } = {}): Result<"model_list"> {
    return this.call("model_list", opts);
  }

  getModelLineage(id: number, height?: number): Result<"model_getLineage"> {
    return this.call("model_getLineage", withHeight({ id }, height));
  }

  getProposal(id: number, height?: number): Result<"gov_getProposal"> {
    return this.call("gov_getProposal", withHeight({ id }, height));
  }

  listProposals(opts: PageParams & { status?: string } = {}): Result<"gov_listProposals"> {
    return this.call("gov_listProposals", opts);
  }

  getVotes(proposalId: number, opts: PageParams = {}): Result<"gov_getVotes"> {
    return this.call("gov_getVotes", { ...opts, proposalId });
  }

  getUpgradePlan(height?: number): Result<"gov_getUpgradePlan"> {
    return this.call("gov_getUpgradePlan", withHeight({}, height));
  }

  /** Every module's parameters. */
  getParams(height?: number): Result<"chain_getParams"> {
    return this.call("chain_getParams", withHeight({}, height));
  }

  /**
   * Trusted roots, a page at a time, optionally of one evidence class (filtered within the page:
   * a page may be short or empty while nextCursor goes on). A number is the height, as before
   * paging existed.
   */
  getTrustedRoots(
    opts: (PageParams & { evidenceClass?: string }) | number = {},
  ): Result<"attestation_getTrustedRoots"> {
    return this.call("attestation_getTrustedRoots", typeof opts === "number" ? { height: opts } : opts);
  }

  /** An evidence class's allowed measurements, a page at a time (a number is the height). */
  getAllowedMeasurements(
    evidenceClass: string,
    opts: PageParams | number = {},
  ): Result<"attestation_getAllowedMeasurements"> {
    const page = typeof opts === "number" ? { height: opts } : opts;
    return this.call("attestation_getAllowedMeasurements", { ...page, evidenceClass });
  }

  // ---- compute (jobs and workers, each worker with its attestation status) ----

  getJob(id: number, height?: number): Result<"compute_getJob"> {
    return this.call("compute_getJob", withHeight({ id }, height));
  }

  /** Jobs, filtered by state (pending|commit|reveal|settled|failed|cancelled), owner or worker. */
  listJobs(
    opts: PageParams & { state?: string; owner?: string; worker?: string } = {},
  ): Result<"compute_listJobs"> {
    return this.call("compute_listJobs", opts);
  }

  getWorker(address: string, height?: number): Result<"compute_getWorker"> {
    return this.call("compute_getWorker", withHeight({ address }, height));
  }

  listWorkers(
    opts: PageParams & { operator?: string; status?: string; attested?: boolean } = {},
  ): Result<"compute_listWorkers"> {
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
