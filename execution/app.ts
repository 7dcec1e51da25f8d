// KyochiApp: the deterministic state machine behind the Application port (consensus/application.ts,
// satisfied structurally: execution never imports consensus).
//
// Block life cycle:
//   processProposal  stateless checks + signatures of every tx (one parallel batch); no state change
//   finalizeBlock    executes the txs, runs block-end hooks, and applies the writes to the tree right
//                    away (tree.commit into a private batch), so the app hash is known here without
//                    computing the tree twice (previewRoot + commit)
//   commit(batch)    moves the tree writes into the caller's batch, adds BlockResults and a TxRecord
//                    per tx; the caller writes the batch atomically with the block
// Between finalizeBlock and commit the tree's in-memory view is one version ahead of disk; queries
// keep answering at the last committed height. An error thrown by finalizeBlock or commit is fatal:
// the node must stop (the handshake replays the block on restart).
import { encodeAddress } from "../crypto/address.js";
import { toHex } from "../crypto/hash.js";
// The Application port's request and response types come from proto/ (shared by both sides of
// the seam); node/ passes a KyochiApp where consensus wants an Application, which checks the fit.
import type {
  AppInfo,
  CheckTxMode,
  CheckTxResult,
  CommitResult,
  FinalizeBlockRequest,
  FinalizeBlockResult,
  QueryResult as PortQueryResult,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
} from "../proto/application.js";
import { Event, type TxResult, type ValidatorUpdate } from "../proto/index.js";
import type { BlockStore } from "../state/block-store.js";
import type { KyochiDb } from "../state/db.js";
import { WriteBatch } from "../state/db.js";
import { YIELD_EVERY, yieldToEventLoop } from "../state/event-loop.js";
import type { StateTree, TreeProof } from "../state/tree/types.js";
import type { TxIndex } from "../state/tx-index.js";
import type { TxSearchIndex } from "../state/tx-search-index.js";
import {
  executeBlock,
  type PreparedTx,
  preloadBlockState,
  prepareTx,
  prepareTxs,
  prepareTxsVerifying,
  verifyPrepared,
} from "./block-executor.js";
import { ExecutionError, toExecutionError } from "./errors.js";
import type { GenesisAppState } from "./genesis-types.js";
import { type AppLogger, silentLogger } from "./logger.js";
import {
  accountStateKey,
  decodeAccount,
  loadAccount,
  parseAddress,
  peekAccount,
} from "./modules/accounts/index.js";
import { loadBankParams } from "./modules/bank/index.js";
import { loadBlockLimits, loadChainId, loadTxLimits } from "./modules/chain/index.js";
import { MODULES, QUERIES } from "./modules/registry.js";
import { loadSlashingParams } from "./modules/slashing/index.js";
import {
  findValidatorView,
  listValidatorViews,
  loadActiveValidators,
  loadStakingParams,
  type ValidatorStatusView,
  type ValidatorView,
  validatorView,
} from "./modules/staking/index.js";
import { type AllParamsView, type ChainParams, loadParamsView, paramsView } from "./params.js";
import { encodeBlockResults } from "./result-encoding.js";
import { BlockState, CommittedState, type KvReader } from "./store.js";
import { CheckEnv, CheckMemos, ReadRecordingState } from "./tx/check-memo.js";
import type { DecodedTx, TxCheckContext } from "./tx/decode.js";
import { DecodedTxCache } from "./tx/decoded-cache.js";
import { executeTx, nonceTooLow } from "./tx/execute.js";
import { txSearchEntries } from "./tx/search-entries.js";
import { type BatchVerifier, SignatureVerifier } from "./tx/verify.js";
import { KNOWN_UPGRADES, pendingHalt, runDueUpgrade, type UpgradeHandler } from "./upgrades.js";

/** QueryResult.proof when a proof was asked for (path "proof/..." or prove: true). */
export interface QueryProof {
  /** Hex of the tree root at the query height (the app hash of that height). */
  root: string;
  proof: TreeProof;
}
/** The port's QueryResult, with the proof typed. */
export interface QueryResult extends PortQueryResult {
  proof?: QueryProof;
}

/** What the app needs from state/block-store.ts. */
export type BlockResultsWriter = Pick<BlockStore, "putBlockResultsEncoded">;
/** What the app needs from state/tx-index.ts. */
export type TxIndexStore = Pick<TxIndex, "put" | "has">;
/** What the app needs from state/tx-search-index.ts. */
export type TxSearchWriter = Pick<TxSearchIndex, "put">;

/** What a tx would do as the next block's (simulateTx): nothing is committed. */
export interface SimulateOutcome {
  gasWanted: number;
  gasUsed: number;
  /** 0 on success; otherwise the result code the block would record, named by `codename`. */
  code: number;
  codename: string;
  /** The log the block's TxResult would carry. */
  log: string;
  /** The events the block's TxResult would carry. */
  events: Event[];
}

/** Node-local tuning (not consensus): cache sizes and state pruning. */
export interface AppTuning {
  /** Committed state entries kept in memory (accounts, params). */
  stateCacheEntries: number;
  /** Tx hashes remembered as signature-verified. */
  verifiedTxCacheEntries: number;
  /** Decoded txs kept between checkTx, rechecks and the block that includes them. */
  decodedTxCacheEntries: number;
  /** Tree versions kept provable; older ones are pruned at commit. 0 keeps every version. */
  keepRecentVersions: number;
}

export const DEFAULT_TUNING: AppTuning = {
  stateCacheEntries: 200_000,
  verifiedTxCacheEntries: 100_000,
  decodedTxCacheEntries: 50_000,
  keepRecentVersions: 0,
};

export interface KyochiAppOptions {
  db: KyochiDb;
  tree: StateTree;
  blockStore: BlockResultsWriter;
  txIndex: TxIndexStore;
  /** Explorer indexes (sender, recipient, event), written with each block; none when absent. */
  searchIndex?: TxSearchWriter;
  chainId: string;
  verifyPool?: BatchVerifier;
  params?: Partial<AppTuning>;
  logger?: AppLogger;
  /** Software upgrades this release implements (default KNOWN_UPGRADES; tests inject their own). */
  knownUpgrades?: ReadonlyMap<string, UpgradeHandler>;
}

/** Account as RPC serves it. */
export interface AccountView {
  address: string;
  nonce: number;
  balance: string;
  /** false when the address never received anything (nonce 0, balance 0). */
  exists: boolean;
  height: number;
}

export interface ProofView {
  height: number;
  key: Uint8Array;
  value?: Uint8Array;
  root: Uint8Array;
  proof: TreeProof;
}

interface PendingBlock {
  height: number;
  timeMs: number;
  /** Ids of the state keys the block wrote: what rechecks after it must run again for. */
  writtenIds: Set<string>;
  txs: PreparedTx[];
  txResults: TxResult[];
  events: Event[];
  validatorUpdates: ValidatorUpdate[];
  appHash: Uint8Array;
  treeBatch: WriteBatch;
}

export class KyochiApp {
  readonly chainId: string;
  /** commit() writes the block's BlockResults itself, from the results it already encoded. */
  readonly storesBlockResults = true;
  private readonly db: KyochiDb;
  private readonly tree: StateTree;
  private readonly blockStore: BlockResultsWriter;
  private readonly txIndex: TxIndexStore;
  private readonly searchIndex: TxSearchWriter | undefined;
  private readonly committed: CommittedState;
  private readonly verifier: SignatureVerifier;
  private readonly decodedTxs: DecodedTxCache;
  private readonly checkMemos: CheckMemos;
  private readonly tuning: AppTuning;
  private readonly log: AppLogger;
  private readonly upgrades: ReadonlyMap<string, UpgradeHandler>;
  private params: ChainParams | undefined;
  private committedHeight: number;
  private committedRoot: Uint8Array;
  private lastTimeMs = 0;
  private pending: PendingBlock | undefined;
  /**
   * Decoded txs of recently processed proposals, by block hash: finalizeBlock of the same block
   * reuses them instead of decoding every tx again. Valid only while the params are unchanged.
   */
  private readonly proposals = new Map<string, { params: ChainParams; txs: PreparedTx[] }>();

  private constructor(opts: KyochiAppOptions, tuning: AppTuning) {
    this.chainId = opts.chainId;
    this.db = opts.db;
    this.tree = opts.tree;
    this.blockStore = opts.blockStore;
    this.txIndex = opts.txIndex;
    this.searchIndex = opts.searchIndex;
    this.tuning = tuning;
    this.log = opts.logger ?? silentLogger;
    this.upgrades = opts.knownUpgrades ?? KNOWN_UPGRADES;
    this.committed = new CommittedState(opts.tree, tuning.stateCacheEntries);
    this.verifier = new SignatureVerifier(opts.verifyPool, tuning.verifiedTxCacheEntries);
    this.decodedTxs = new DecodedTxCache(tuning.decodedTxCacheEntries);
    // Memos live as long as decoded txs: both are for the txs waiting in the mempool.
    this.checkMemos = new CheckMemos(tuning.decodedTxCacheEntries);
    this.committedHeight = opts.tree.version;
    this.committedRoot = opts.tree.root;
  }

  /** Opens the app over a tree; refuses a state that belongs to another chain id. */
  static async create(opts: KyochiAppOptions): Promise<KyochiApp> {
    const app = new KyochiApp(opts, { ...DEFAULT_TUNING, ...opts.params });
    const stored = await loadChainId(app.committed);
    if (stored !== undefined) {
      if (stored !== opts.chainId) {
        throw new ExecutionError("WRONG_CHAIN", `state belongs to chain ${stored}, not ${opts.chainId}`);
      }
      app.params = await loadParams(app.committed);
    }
    return app;
  }

  get initialized(): boolean {
    return this.params !== undefined;
  }

  /** The chain params at the last committed height. */
  get chainParams(): ChainParams {
    return this.requireParams();
  }

  /**
   * Writes the genesis state as tree version 0 in its own atomic batch (synced) and returns the
   * genesis app hash. Refuses a state that already has a genesis.
   */
  async initChain(genesis: GenesisAppState): Promise<Uint8Array> {
    if (this.params !== undefined || (await loadChainId(this.committed)) !== undefined) {
      throw new ExecutionError("ALREADY_INITIALIZED", "the state already has a genesis");
    }
    if (this.tree.version !== 0)
      throw new ExecutionError("ALREADY_INITIALIZED", `the tree is at version ${this.tree.version}`);
    const state = new BlockState(this.committed);
    for (const m of MODULES) {
      if (m.initGenesis) await m.initGenesis({ chainId: this.chainId, store: state }, genesis);
    }
    const updates = state.updates();
    const batch = new WriteBatch();
    const root = await this.tree.commit(0, updates, batch);
    await this.db.write(batch, true);
    this.committed.apply(updates);
    this.committedHeight = 0;
    this.committedRoot = root;
    this.params = await loadParams(this.committed);
    this.log.info(
      { accounts: genesis.accounts.length, validators: genesis.validators.length },
      "genesis written",
    );
    return root;
  }

  /** Rechecks answered without running the tx again since start (see check-memo.ts). */
  get rechecksReused(): number {
    return this.checkMemos.reused;
  }

  async info(): Promise<AppInfo> {
    const haltAt = this.params === undefined ? undefined : await pendingHalt(this.committed, this.upgrades);
    return {
      lastHeight: this.committedHeight,
      lastAppHash: this.committedRoot,
      ...(haltAt ? { haltAt } : {}),
    };
  }

  /**
   * Both modes run the same checks against the last committed state: "new" on admission,
   * "recheck" after each block (the nonce window and the balance may have moved on). A recheck
   * reuses the last answer when the block wrote nothing the check read (see check-memo.ts).
   */
  async checkTx(bytes: Uint8Array, mode: CheckTxMode, knownHash?: Uint8Array): Promise<CheckTxResult> {
    const params = this.requireParams();
    const prepared = prepareTx(bytes, this.checkContext(params), this.decodedTxs, knownHash);
    const hash = prepared.hash;
    if (mode === "recheck") {
      const reused = this.checkMemos.reuse(prepared.hashId, this.committedHeight, params);
      if (reused !== undefined) return reused;
    }
    try {
      if (!prepared.decoded) throw prepared.error ?? new ExecutionError("INTERNAL", "tx was not decoded");
      const tx = prepared.decoded;
      // A tx whose nonce a committed block used is refused before its signature is checked, and
      // so is one whose block commits while its check waits for a verify worker. Under load,
      // peers' copies of txs came after their blocks (or waited seconds for the workers) for
      // a fifth to half of the txs a validator received, and each had cost a signature check.
      const used = this.usedNonce(tx);
      if (used !== undefined) throw nonceTooLow(tx.nonce, used);
      let verdict = await this.verifier.verifyOne(tx, () => this.usedNonce(tx) !== undefined);
      if (verdict === "stale") {
        const usedNow = this.usedNonce(tx);
        if (usedNow !== undefined) throw nonceTooLow(tx.nonce, usedNow);
        // The account left the state cache meanwhile: the signature must be checked after all.
        verdict = await this.verifier.verifyOne(tx);
      }
      if (verdict !== "valid") {
        throw new ExecutionError("TX_BAD_SIGNATURE", "signature does not verify over the tx body");
      }
      // Run the whole tx on a throwaway layer over the committed state: a tx that would fail
      // (amount above the balance, ...) is refused here rather than charged a fee in a block.
      const checkedAt = this.committedHeight;
      const scratch = new ReadRecordingState(this.committed);
      const env = new CheckEnv(params, checkedAt + 1, this.lastTimeMs);
      const outcome = await executeTx(scratch, tx, env);
      // Object literals, not a spread of a shared base: V8 builds `{ ...base, code, ... }` through
      // its slow define path, 3.5 µs per result against 0.01 (measured), paid by every check and
      // recheck of every tx.
      const sender = toHex(tx.sender);
      const priority = tx.fee / BigInt(tx.gasLimit);
      if (outcome.error) {
        return {
          code: outcome.error.resultCode,
          codename: outcome.error.code,
          log: outcome.error.message,
          sender,
          nonce: tx.nonce,
          priority,
          gasWanted: tx.gasLimit,
          hash,
        };
      }
      const passed: CheckTxResult = {
        code: 0,
        codename: "",
        log: "",
        sender,
        nonce: tx.nonce,
        priority,
        gasWanted: tx.gasLimit,
        hash,
      };
      // Remembered only when the check saw one committed height throughout.
      if (!env.readsEnv && this.committedHeight === checkedAt) {
        this.checkMemos.remember(prepared.hashId, checkedAt, params, scratch.reads, passed);
      }
      return passed;
    } catch (err) {
      if (!(err instanceof ExecutionError)) throw err;
      return {
        code: err.resultCode,
        codename: err.code,
        log: err.message,
        sender: "",
        nonce: 0,
        priority: 0n,
        gasWanted: 0,
        hash,
      };
    }
  }

  /**
   * The committed nonce of `tx`'s sender when it is past `tx.nonce` (the nonce is used, so the tx
   * can never run) and the account is in memory; undefined otherwise, without a state read.
   */
  private usedNonce(tx: DecodedTx): number | undefined {
    const account = peekAccount(this.committed, tx.senderKey);
    return account !== undefined && account.nonce > tx.nonce ? account.nonce : undefined;
  }

  /**
   * Runs `bytes` as the first tx of the next block would run, on a throwaway layer over the last
   * committed state, and reports what the block's TxResult would hold; commits nothing.
   *
   * Every rule of block execution applies (the signature must verify, the nonce must be the
   * account's next one, the balance must cover the fee) except min_gas_price: finding the gas,
   * hence the fee to offer, is what a client simulates for, so a fee of 0 is fine here. The
   * signature is required (unlike Cosmos) so that the answer is the one the block would give
   * for these exact bytes; signing is cheap for the client, which re-signs with the gas it
   * then sets. gasUsed is for these bytes: a tx re-signed with a longer fee or gas limit costs
   * the per-byte gas of the extra bytes more.
   */
  async simulateTx(bytes: Uint8Array): Promise<SimulateOutcome> {
    const params = this.requireParams();
    const waived = { ...params, bank: { ...params.bank, minGasPrice: 0n } };
    // No decoded-tx cache: it is keyed by params, and these are not the chain's.
    const prepared = prepareTx(bytes, this.checkContext(waived));
    const tx = prepared.decoded;
    if (!tx)
      return simulateFailure(prepared.error ?? new ExecutionError("INTERNAL", "tx was not decoded"), 0);
    if ((await this.verifier.verifyOne(tx)) !== "valid") {
      return simulateFailure(
        new ExecutionError("TX_BAD_SIGNATURE", "signature does not verify over the tx body"),
        tx.gasLimit,
      );
    }
    const scratch = new BlockState(this.committed);
    const outcome = await executeTx(scratch, tx, {
      params,
      height: this.committedHeight + 1,
      timeMs: this.lastTimeMs,
      mode: "deliver",
    });
    const r = outcome.result;
    return {
      gasWanted: Number(r.gasWanted),
      gasUsed: Number(r.gasUsed),
      code: r.code,
      codename: outcome.error?.code ?? "OK",
      log: r.log,
      events: r.events.map((e) => Event.create(e)),
    };
  }

  async prepareProposal(req: PrepareProposalRequest): Promise<Uint8Array[]> {
    const params = this.requireParams();
    const maxBytes =
      req.maxTxBytes > 0 ? Math.min(req.maxTxBytes, params.block.maxBytes) : params.block.maxBytes;
    const maxGas = req.maxGas > 0 ? Math.min(req.maxGas, params.block.maxGas) : params.block.maxGas;
    const ctx = this.checkContext(params);
    const prepared = await prepareTxs(req.txs, ctx, this.decodedTxs);
    await verifyPrepared(prepared, this.verifier);
    const state = new BlockState(this.committed);
    await preloadBlockState(state, prepared);
    const env = { params, height: req.height, timeMs: req.timeMs, mode: "deliver" as const };
    const chosen: Uint8Array[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    let gas = 0;
    let dropped = 0;
    for (const [i, t] of prepared.entries()) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
      const tx = t.decoded;
      if (!tx || seen.has(t.hashId)) {
        dropped++;
        continue;
      }
      if (bytes + t.bytes.length > maxBytes || gas + tx.gasLimit > maxGas) continue;
      // Each candidate runs in its own scope: one that would fail leaves no trace for the next.
      const scope = state.scope();
      const run = executeTx(scope, tx, env);
      const outcome = run instanceof Promise ? await run : run;
      if (outcome.result.code !== 0) {
        dropped++;
        continue;
      }
      scope.commit();
      seen.add(t.hashId);
      chosen.push(t.bytes);
      bytes += t.bytes.length;
      gas += tx.gasLimit;
    }
    if (dropped > 0)
      this.log.debug({ height: req.height, dropped }, "prepareProposal dropped txs that no longer pass");
    return chosen;
  }

  async processProposal(req: ProcessProposalRequest): Promise<boolean> {
    const params = this.requireParams();
    const ctx = this.checkContext(params);
    const { prepared, checkSignatures } = await prepareTxsVerifying(
      req.txs,
      ctx,
      this.verifier,
      this.decodedTxs,
    );
    const reject = (reason: string, extra: object = {}) => {
      this.log.warn({ height: req.height, reason, ...extra }, "rejecting proposal");
      return false;
    };
    let bytes = 0;
    let gas = 0;
    const seen = new Set<string>();
    for (const [index, t] of prepared.entries()) {
      if (!t.decoded) return reject("invalid tx", { index, code: t.error?.code, log: t.error?.message });
      if (seen.has(t.hashId)) return reject("duplicate tx", { index });
      seen.add(t.hashId);
      bytes += t.bytes.length;
      gas += t.decoded.gasLimit;
    }
    if (bytes > params.block.maxBytes) return reject("block.max_bytes exceeded", { bytes });
    if (gas > params.block.maxGas) return reject("block.max_gas exceeded", { gas });
    await checkSignatures();
    const bad = prepared.findIndex((t) => !t.decoded);
    if (bad >= 0) return reject("bad signature", { index: bad });
    this.proposals.set(toHex(req.blockHash), { params, txs: prepared });
    while (this.proposals.size > PROPOSALS_KEPT)
      this.proposals.delete(this.proposals.keys().next().value as string);
    return true;
  }

  async finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResult> {
    const params = this.requireParams();
    if (this.pending)
      throw new ExecutionError("INTERNAL", `block ${this.pending.height} was finalized but not committed`);
    const expected = this.committedHeight + 1;
    // The first block may start at any initial height; after it heights are consecutive.
    if (req.height !== expected && !(this.committedHeight === 0 && req.height > 0)) {
      throw new ExecutionError("INTERNAL", `finalizeBlock for height ${req.height}, expected ${expected}`);
    }
    if (this.tree.version !== this.committedHeight) {
      throw new ExecutionError(
        "INTERNAL",
        `tree is at version ${this.tree.version}, app at ${this.committedHeight}`,
      );
    }
    let prepared = this.takeProposal(req, params);
    if (prepared === undefined) {
      const preparing = await prepareTxsVerifying(
        req.txs,
        this.checkContext(params),
        this.verifier,
        this.decodedTxs,
      );
      await preparing.checkSignatures();
      prepared = preparing.prepared;
    }
    const state = new BlockState(this.committed);
    await preloadBlockState(state, prepared);
    const env = {
      params,
      height: req.height,
      timeMs: req.timeMs,
      proposerAddress: req.proposerAddress,
      lastBlockHash: req.lastBlockHash,
      lastCommit: req.lastCommit,
      misbehavior: req.misbehavior,
    };
    // A scheduled upgrade runs before anything else of its block (or refuses the block).
    const upgradeEvents: Event[] = [];
    await runDueUpgrade(state, req.height, this.upgrades, upgradeEvents);
    const executed = await executeBlock(state, prepared, env);
    const events = upgradeEvents.length > 0 ? [...upgradeEvents, ...executed.events] : executed.events;

    const updates = state.updates();
    const treeBatch = new WriteBatch();
    const appHash = await this.tree.commit(req.height, updates, treeBatch);
    this.committed.apply(updates);
    this.pending = {
      height: req.height,
      timeMs: req.timeMs,
      writtenIds: state.writtenIds(),
      txs: prepared,
      txResults: executed.txResults,
      events,
      validatorUpdates: executed.validatorUpdates,
      appHash,
      treeBatch,
    };
    return {
      txResults: executed.txResults,
      events,
      validatorUpdates: executed.validatorUpdates,
      appHash,
    };
  }

  async commit(batch: WriteBatch): Promise<CommitResult> {
    const p = this.pending;
    if (!p) throw new ExecutionError("INTERNAL", "commit without a finalized block");
    batch.append(p.treeBatch);
    this.blockStore.putBlockResultsEncoded(
      batch,
      p.height,
      await encodeBlockResults(p.height, p.txResults, p.events, p.appHash, p.validatorUpdates),
    );
    await this.indexTxs(batch, p);
    // Included txs leave the mempool: their decoded form is not needed again.
    for (const t of p.txs) {
      this.decodedTxs.delete(t.hashId);
      this.checkMemos.forget(t.hashId);
    }
    this.checkMemos.blockCommitted(p.height, p.writtenIds);
    if (this.tuning.keepRecentVersions > 0) {
      const oldest = p.height - this.tuning.keepRecentVersions + 1;
      if (oldest > this.tree.oldestVersion) await this.tree.prune(oldest, batch);
    }
    this.pending = undefined;
    this.committedHeight = p.height;
    this.committedRoot = p.appHash;
    this.lastTimeMs = p.timeMs;
    const params = await loadParams(this.committed);
    // Keep the same object while nothing changed: cached proposals stay valid across commits.
    if (!this.params || JSON.stringify(paramsView(params)) !== JSON.stringify(paramsView(this.params))) {
      this.params = params;
      this.proposals.clear();
    }
    const haltAt = await pendingHalt(this.committed, this.upgrades);
    if (haltAt && haltAt.height === p.height + 1) this.log.error({ height: haltAt.height }, haltAt.reason);
    return { retainHeight: 0, ...(haltAt ? { haltAt } : {}) };
  }

  async query(req: QueryRequest): Promise<QueryResult> {
    let height = this.committedHeight;
    try {
      height = this.queryHeight(req.height);
      const reader = this.readerAt(height);
      const [head, ...rest] = req.path.split("/");
      const arg = rest.join("/");
      if (head === "proof") {
        const view = await this.getProof(parseHexKey(arg), height);
        return {
          ...ok(height),
          key: view.key,
          ...(view.value ? { value: view.value } : {}),
          proof: { root: toHex(view.root), proof: view.proof },
        };
      }
      if (head === "params") {
        const view = await loadParamsView(reader);
        return { ...ok(height), value: new TextEncoder().encode(JSON.stringify(view)) };
      }
      const handler = head === undefined ? undefined : QUERIES.get(head);
      if (!handler)
        throw new ExecutionError("QUERY_UNKNOWN_PATH", `no query at path ${JSON.stringify(req.path)}`);
      const answer = await handler(reader, arg);
      const result: QueryResult = { ...ok(height), ...answer };
      if (req.prove && answer.key) {
        const { proof, root } = await this.tree.prove(answer.key, height);
        result.proof = { root: toHex(root), proof };
      }
      return result;
    } catch (err) {
      const e = toExecutionError(err);
      return { code: e.resultCode, codename: e.code, log: e.message, height };
    }
  }

  // ---- typed helpers for RPC ----

  /**
   * The next nonce of `address` in the last committed state: what the mempool asks for every
   * sender it holds after each block, without getAccount's bech32 encodings (tens of µs each).
   */
  async committedNonce(address: Uint8Array): Promise<number> {
    return (await loadAccount(this.readerAt(this.committedHeight), accountStateKey(address))).nonce;
  }

  /** The account at `height` (default: last committed). Throws ExecutionError on a bad address or height. */
  async getAccount(address: string | Uint8Array, height?: number): Promise<AccountView> {
    const bytes = typeof address === "string" ? parseAddress(address, "INVALID_ADDRESS") : address;
    if (bytes.length !== 20) throw new ExecutionError("INVALID_ADDRESS", "address must be 20 bytes");
    const h = this.queryHeight(height);
    const answer = await (QUERIES.get("account") as NonNullable<ReturnType<typeof QUERIES.get>>)(
      this.readerAt(h),
      encodeAddress(bytes),
    );
    const account = answer.value ? decodeAccount(answer.value) : { nonce: 0, balance: 0n };
    return {
      address: encodeAddress(bytes),
      nonce: account.nonce,
      balance: account.balance.toString(),
      exists: answer.value !== undefined,
      height: h,
    };
  }

  /**
   * The active set stored at `height` (default: last committed), sorted by operator: what consensus
   * runs with from height + 2 on (the genesis set at height 0).
   */
  async getValidators(height?: number): Promise<ValidatorView[]> {
    const validators = await loadActiveValidators(this.readerAt(this.queryHeight(height)));
    return validators.map(validatorView);
  }

  /** Every validator ever created, with its status, stake and unbonding entries, by operator. */
  async getAllValidators(height?: number): Promise<ValidatorStatusView[]> {
    return listValidatorViews(this.readerAt(this.queryHeight(height)));
  }

  /**
   * One validator by operator (kyo1...) or consensus address (0x + 40 hex digits). Throws
   * ExecutionError UNKNOWN_VALIDATOR, or QUERY_INVALID_ARGUMENT for a malformed address.
   */
  async getValidator(address: string, height?: number): Promise<ValidatorStatusView> {
    return findValidatorView(this.readerAt(this.queryHeight(height)), address);
  }

  /** Every params section (each module's ParamSpace) at `height` (default: last committed). */
  async getParams(height?: number): Promise<AllParamsView> {
    return loadParamsView(this.readerAt(this.queryHeight(height)));
  }

  /** Value and inclusion/exclusion proof of a raw tree key at `height` (default: last committed). */
  async getProof(key: Uint8Array, height?: number): Promise<ProofView> {
    const h = this.queryHeight(height);
    const { value, proof, root } = await this.tree.prove(key, h);
    return { height: h, key, ...(value ? { value } : {}), root, proof };
  }

  // ---- internals ----

  /** The decoded txs of this block if processProposal saw exactly these bytes under these params. */
  private takeProposal(req: FinalizeBlockRequest, params: ChainParams): PreparedTx[] | undefined {
    const id = toHex(req.blockHash);
    const cached = this.proposals.get(id);
    if (!cached) return undefined;
    this.proposals.delete(id);
    if (cached.params !== params || cached.txs.length !== req.txs.length) return undefined;
    for (let i = 0; i < req.txs.length; i++) {
      const a = req.txs[i] as Uint8Array;
      const b = (cached.txs[i] as PreparedTx).bytes;
      if (a !== b && Buffer.compare(a, b) !== 0) return undefined;
    }
    return cached.txs;
  }

  private async indexTxs(batch: WriteBatch, p: PendingBlock): Promise<void> {
    const indexed = new Set<string>();
    for (const [index, t] of p.txs.entries()) {
      if (index > 0 && index % YIELD_EVERY === 0) await yieldToEventLoop();
      const result = p.txResults[index] as TxResult;
      // A hash is indexed once: a repeat in the same block, or a replay of an already indexed tx
      // (which can only fail, with a nonce too low), must not overwrite the original's record.
      if (indexed.has(t.hashId)) continue;
      if (result.code === RESULT_NONCE_TOO_LOW && (await this.txIndex.has(t.hash))) continue;
      indexed.add(t.hashId);
      this.txIndex.put(batch, t.hash, p.height, index, t.hashId);
      // Same batch as the record: the explorer indexes never point at a tx that is not stored.
      if (this.searchIndex && t.decoded) {
        this.searchIndex.put(batch, { height: p.height, index }, t.hash, txSearchEntries(t.decoded, result));
      }
    }
  }

  private requireParams(): ChainParams {
    if (!this.params)
      throw new ExecutionError("NOT_INITIALIZED", "the chain has no genesis yet (initChain first)");
    return this.params;
  }

  private checkContext(params: ChainParams): TxCheckContext {
    return { chainId: this.chainId, params };
  }

  private queryHeight(height: number | undefined): number {
    if (height === undefined || height === 0) return this.committedHeight;
    if (!Number.isSafeInteger(height) || height < 0 || height > this.committedHeight) {
      throw new ExecutionError(
        "QUERY_HEIGHT_UNAVAILABLE",
        `height ${height} is above the last committed ${this.committedHeight}`,
      );
    }
    if (height < this.tree.oldestVersion) {
      throw new ExecutionError(
        "QUERY_HEIGHT_UNAVAILABLE",
        `height ${height} is pruned (oldest ${this.tree.oldestVersion})`,
      );
    }
    return height;
  }

  /** Reads at the latest committed height go through the cache; older ones to the tree. */
  private readerAt(height: number): KvReader {
    if (height === this.tree.version && !this.pending) return this.committed;
    return { get: (key) => this.tree.getAt(key.bytes, height) };
  }

  /** The app hash at `height` (the tree root of that version). */
  async appHashAt(height: number): Promise<Uint8Array> {
    return this.tree.rootAt(this.queryHeight(height));
  }
}

/** Proposals whose decoded txs are kept (a round or two of pipelining). */
const PROPOSALS_KEPT = 4;
const RESULT_NONCE_TOO_LOW = new ExecutionError("TX_NONCE_TOO_LOW", "").resultCode;

function simulateFailure(err: ExecutionError, gasWanted: number): SimulateOutcome {
  return {
    gasWanted,
    gasUsed: 0,
    code: err.resultCode,
    codename: err.code,
    log: `${err.code}: ${err.message}`,
    events: [],
  };
}

function ok(height: number): QueryResult {
  return { code: 0, codename: "", log: "", height };
}

function parseHexKey(arg: string): Uint8Array {
  if (!/^(0x)?([0-9a-fA-F]{2})+$/.test(arg)) {
    throw new ExecutionError("QUERY_INVALID_ARGUMENT", `proof key must be hex, got ${JSON.stringify(arg)}`);
  }
  return Uint8Array.from(Buffer.from(arg.replace(/^0x/, ""), "hex"));
}

async function loadParams(reader: KvReader): Promise<ChainParams> {
  const [bank, staking, slashing, tx, block] = await Promise.all([
    loadBankParams(reader),
    loadStakingParams(reader),
    loadSlashingParams(reader),
    loadTxLimits(reader),
    loadBlockLimits(reader),
  ]);
  return { bank, staking, slashing, tx, block };
}
