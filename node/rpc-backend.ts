// The RPC server's view of this node, built from the real parts: block store, tx index,
// mempool and application; net_info from the p2p host and validator sets from consensus when
// the node hands them in.

import type { ProposerPriorities } from "../consensus/core/proposer.js";
import { ConsensusValidatorSet } from "../consensus/index.js";
import { toHex } from "../crypto/hash.js";
import { validatorSetHash } from "../crypto/ssz.js";
import type { KyochiApp } from "../execution/app.js";
import { ExecutionError } from "../execution/errors.js";
import { bytesEqual } from "../proto/canonical.js";
import { ValidatorInfo } from "../proto/index.js";
import {
  type RpcBackend,
  RpcBackendError,
  type TxSearchPage,
  type TxSearchQuery,
  type ValidatorEntry,
} from "../rpc/backend.js";
import { RpcError } from "../rpc/errors.js";
import type { CommitFeed } from "../rpc/subscriptions/commit-feed.js";
import type { TxCommitWaiter } from "../rpc/tx-commit-waiter.js";
import type { NetInfo, NetInfoSource } from "../rpc/types.js";
import type { BlockStore } from "../state/block-store.js";
import { StateError } from "../state/errors.js";
import type { TxIndex } from "../state/tx-index.js";
import type { TxSearchIndex, TxSelector } from "../state/tx-search-index.js";
import { broadcastToMempool } from "./mempool/broadcast.js";
import type { Mempool } from "./mempool/mempool.js";

/** Where chain_getValidators gets a height's validator set. */
export interface ValidatorSetSource {
  /**
   * The validators that sign the block at `height`, in set order, with the proposer priorities of
   * round 0 of that height; undefined when not known. May throw RpcBackendError.
   */
  validatorsAt(height: number): Promise<ValidatorEntry[] | undefined>;
}

export interface RpcBackendParts {
  chainId: string;
  nodeVersion: string;
  genesisTimeMs: number;
  validatorAddress: Uint8Array;
  app: KyochiApp;
  blockStore: BlockStore;
  txIndex: TxIndex;
  /** Explorer indexes for searchTxs (the app writes them with each block); absent: turned off. */
  searchIndex?: TxSearchIndex;
  mempool: Mempool;
  waiter: TxCommitWaiter;
  /** Committed blocks as consensus reports them (the node emits into it on each commit). */
  commits: CommitFeed;
  /**
   * Where chain_getValidators gets the set of a height. Default: the app's staking state, checked
   * against the block headers (appValidatorSets below); consensus can hand in its own record.
   */
  validatorSets?: ValidatorSetSource;
  /** The p2p host, for net_info; null or absent: no peers. */
  netInfo?: NetInfoSource | null;
  /** This node's own p2p identity, for net_info when no source is given (e.g. read from node_key.json). */
  self?: { peerId: string; listenAddresses: string[] };
}

export function createRpcBackend(p: RpcBackendParts): RpcBackend {
  const getTx = (hash: Uint8Array) => p.txIndex.get(hash);
  const validatorSets = p.validatorSets ?? appValidatorSets(p.app, p.blockStore);
  return {
    async status() {
      const height = p.blockStore.height;
      const block = height > 0 ? await p.blockStore.getBlock(height) : undefined;
      const info = await p.app.info();
      return {
        chainId: p.chainId,
        nodeVersion: p.nodeVersion,
        latestHeight: height,
        latestBlockHash:
          (height > 0 ? await p.blockStore.getBlockHash(height) : undefined) ?? new Uint8Array(),
        latestAppHash: info.lastAppHash,
        latestBlockTimeMs: block?.header?.timeMs ?? p.genesisTimeMs,
        earliestHeight: p.blockStore.base,
        catchingUp: false,
        validatorAddress: p.validatorAddress,
        mempool: { size: p.mempool.size(), bytes: p.mempool.sizeBytes() },
      };
    },
    latestHeight: () => p.blockStore.height,
    async getBlock(height) {
      const block = await p.blockStore.getBlock(height);
      const blockHash = await p.blockStore.getBlockHash(height);
      return block && blockHash ? { block, blockHash } : undefined;
    },
    async getBlockByHash(hash) {
      const found = await p.blockStore.getBlockByHash(hash);
      return found ? { block: found.block, blockHash: hash } : undefined;
    },
    getBlockResults: (height) => p.blockStore.getBlockResults(height),
    broadcastTx: (tx) => broadcastToMempool(p.mempool, tx),
    waitForTxCommit: (hash, timeoutMs) => p.waiter.wait(hash, timeoutMs, getTx),
    getTx,
    async getAccount(address, height) {
      const view = await heightChecked(() => p.app.getAccount(address, height));
      return {
        height: view.height,
        ...(view.exists ? { account: { nonce: view.nonce, balance: BigInt(view.balance) } } : {}),
      };
    },
    async getProof(key, height) {
      const proof = await heightChecked(() => p.app.getProof(key, height));
      return {
        height: proof.height,
        key: proof.key,
        ...(proof.value ? { value: proof.value } : {}),
        proof: proof.proof,
        appHash: proof.root,
      };
    },
    async getValidators(height) {
      const at = height ?? Math.max(p.blockStore.height, 1);
      const validators = await heightChecked(() => validatorSets.validatorsAt(at));
      if (validators === undefined) {
        throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", `the validators of height ${at} are not known`);
      }
      return { height: at, validators };
    },
    getCommit: (height) => p.blockStore.getCommit(height),
    onCommitted: (listener) => p.commits.subscribe(listener),
    async queryApp(path, height) {
      const r = await p.app.query({ path, height: height ?? 0 });
      return {
        code: r.code,
        codename: r.codename,
        log: r.log,
        height: r.height,
        ...(r.value ? { value: r.value } : {}),
      };
    },
    async simulateTx(tx) {
      return p.app.simulateTx(tx);
    },
    searchTxs: (query) => searchTxs(p.searchIndex, p.txIndex, query),
    async netInfo(): Promise<NetInfo> {
      if (p.netInfo) return p.netInfo.netInfo();
      return {
        peerId: p.self?.peerId ?? "",
        listenAddresses: [...(p.self?.listenAddresses ?? [])],
        peers: [],
      };
    },
  };
}

async function searchTxs(
  index: TxSearchIndex | undefined,
  txIndex: TxIndex,
  query: TxSearchQuery,
): Promise<TxSearchPage> {
  if (index === undefined) {
    throw new RpcError(
      "UNAVAILABLE",
      "tx search is turned off on this node (state.search_index = false)",
      {},
      "TX_SEARCH_DISABLED",
    );
  }
  const selectors: TxSelector[] = [];
  if (query.sender) selectors.push({ kind: "sender", address: query.sender });
  if (query.recipient) selectors.push({ kind: "recipient", address: query.recipient });
  if (query.event) selectors.push({ kind: "event", ...query.event });
  const found = await index
    .search({
      selectors,
      fromHeight: query.fromHeight ?? 0,
      toHeight: query.toHeight ?? Number.MAX_SAFE_INTEGER,
      ...(query.cursor ? { after: query.cursor } : {}),
      limit: query.limit,
      order: query.order,
    })
    .catch((err: unknown) => {
      if (err instanceof StateError && err.code === "EVENT_NOT_INDEXED")
        throw new RpcError("UNAVAILABLE", err.message, {}, "EVENT_NOT_INDEXED");
      throw err;
    });
  const txs = await Promise.all(
    found.hits.map(async (hit) => {
      const record = await txIndex.get(hit.hash);
      // Both are written in the block's batch: a hit without its record is a damaged database.
      if (record === undefined) throw new Error(`tx ${toHex(hit.hash)} is indexed but not stored`);
      return record;
    }),
  );
  return { txs, ...(found.next ? { nextCursor: found.next } : {}) };
}

async function heightChecked<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ExecutionError && err.code === "QUERY_HEIGHT_UNAVAILABLE") {
      throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", err.message);
    }
    throw err;
  }
}

/**
 * Validator sets from the app's staking state: a set decided by block h (its validatorUpdates)
 * signs from h+2, so the set of height H is the staking state after block H-2 (before any block:
 * the genesis state; heights 1 and 2 once blocks exist: the state after block 1, as the genesis
 * state is no longer queryable). Validators with no power are left out. This
 * assumes staking stores the powers it reports as updates; every answer is checked against the
 * validators_hash of block H (next_validators_hash of block H-1 for the next height), so a wrong
 * derivation fails with UNAVAILABLE instead of answering a wrong set.
 *
 * Priorities are replayed from the first height with ConsensusValidatorSet, as consensus does
 * for a set that never changed; after a set change they may differ from what consensus used
 * (hand in a consensus-backed ValidatorSetSource for exact values).
 */
export function appValidatorSets(
  app: Pick<KyochiApp, "getValidators">,
  blockStore: Pick<BlockStore, "height" | "getBlock">,
): ValidatorSetSource {
  const priorities = new PrioritiesCache();
  return {
    async validatorsAt(height) {
      const latest = blockStore.height;
      const stateHeight = latest === 0 ? undefined : Math.max(1, Math.min(height - 2, latest));
      const infos = (await app.getValidators(stateHeight))
        .filter((v) => v.power > 0)
        .map((v) =>
          ValidatorInfo.create({
            address: Buffer.from(v.consensus_address.slice(2), "hex"),
            pubKey: Buffer.from(v.consensus_pubkey.slice(2), "hex"),
            power: v.power,
          }),
        )
        .sort((a, b) => Buffer.compare(a.address, b.address));
      if (infos.length === 0) return undefined;
      const expected =
        height <= latest
          ? (await blockStore.getBlock(height))?.header?.validatorsHash
          : latest > 0
            ? (await blockStore.getBlock(latest))?.header?.nextValidatorsHash
            : undefined;
      const hash = validatorSetHash(infos);
      if (expected != null && expected.length > 0 && !bytesEqual(expected, hash)) {
        throw new RpcBackendError(
          "UNAVAILABLE",
          `the validator set of height ${height} cannot be derived from the app state (hash ${toHex(hash)} is not the block's ${toHex(expected)})`,
        );
      }
      const set = ConsensusValidatorSet.fromValidators(infos);
      const at = priorities.at(set, height);
      return set.validators.map((v, i) => ({
        address: v.address,
        pubKey: v.pubKey,
        votingPower: BigInt(v.power),
        proposerPriority: at.priority(i),
      }));
    },
  };
}

/**
 * Replaying priorities costs one step per height; consecutive questions (the latest height, again
 * and again) reuse the last replay and step forward from it.
 */
class PrioritiesCache {
  private last: { setHash: string; height: number; priorities: ProposerPriorities } | undefined;

  at(set: ConsensusValidatorSet, height: number): ProposerPriorities {
    const setHash = toHex(set.hash);
    const last = this.last;
    let from: { height: number; priorities: ProposerPriorities };
    if (last !== undefined && last.setHash === setHash && last.height <= height) {
      from = { height: last.height, priorities: last.priorities.copy() };
    } else {
      from = { height: 1, priorities: set.initialPriorities() };
    }
    // One increment per height, exactly as ConsensusValidatorSet.prioritiesAt replays them.
    for (let h = from.height; h < height; h++) from.priorities.increment(1);
    this.last = { setHash, height, priorities: from.priorities.copy() };
    return from.priorities;
  }
}
