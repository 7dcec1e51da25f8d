// What the RPC server needs from the node. The node (node/) implements it over its block store,
// tx index, mempool and application; tests implement it in a few lines. Values are domain values
// (protos, bytes, bigint); rendering them as JSON is the server's job.

import { CodedError } from "../proto/coded-error.js";
import type { Block, BlockResults, Commit, Event, TxRecord } from "../proto/index.js";
import type { TreeProof } from "../state/tree/types.js";
import type { NetInfo } from "./types.js";

export interface NodeStatus {
  chainId: string;
  nodeVersion: string;
  /** Last committed height (0 before the first block). */
  latestHeight: number;
  /** Hash of the block at `latestHeight` (empty before the first block). */
  latestBlockHash: Uint8Array;
  /** State root after `latestHeight`. */
  latestAppHash: Uint8Array;
  /** Block time of `latestHeight`, unix ms (genesis time before the first block). */
  latestBlockTimeMs: number;
  /** Oldest height whose block is still stored. */
  earliestHeight: number;
  catchingUp: boolean;
  /** 20-byte consensus address of this node's validator key (empty if it has none). */
  validatorAddress: Uint8Array;
  /** Waiting txs, when the node has a mempool. */
  mempool?: { size: number; bytes: number };
}

export interface StoredBlock {
  block: Block;
  /** The header hash (SSZ hash tree root), as consensus computed it. */
  blockHash: Uint8Array;
}

export interface AccountState {
  nonce: number;
  balance: bigint;
}

export interface AccountAtHeight {
  /** The height whose state answered. */
  height: number;
  /** Undefined when the account was never written (nonce 0, balance 0). */
  account?: AccountState;
}

export interface ProofAtHeight {
  /** The height whose state answered: `appHash` is the state root after this block. */
  height: number;
  key: Uint8Array;
  /** Undefined when the key is absent (the proof is then an exclusion proof). */
  value?: Uint8Array;
  proof: TreeProof;
  appHash: Uint8Array;
}

/** One validator of a height's set. */
export interface ValidatorEntry {
  /** 20-byte consensus address. */
  address: Uint8Array;
  /** Ed25519 consensus public key. */
  pubKey: Uint8Array;
  votingPower: bigint;
  /** Proposer priority at round 0 of the height. */
  proposerPriority: bigint;
}

export interface ValidatorsAtHeight {
  /** The height whose block these validators sign. */
  height: number;
  /** The whole set in set order (by address: the order of a commit's signatures). */
  validators: ValidatorEntry[];
}

/** What submitting a tx to the mempool gave. */
export type BroadcastResult =
  | { accepted: true; hash: Uint8Array; gasWanted: number; log: string }
  | {
      accepted: false;
      hash: Uint8Array;
      /** checkTx refused it: `code` is its result code, `codename` its stable name. */
      rejectedBy: "app";
      code: number;
      codename: string;
      log: string;
    }
  | {
      accepted: false;
      hash: Uint8Array;
      /** The mempool refused it (full, duplicate, too large...): `codename` is the mempool's code. */
      rejectedBy: "mempool";
      codename: string;
      log: string;
    };

/** What a module query (the application's query by path) answered. */
export interface AppQueryAnswer {
  /** 0 = ok; otherwise the application's result code, with its stable name in `codename`. */
  code: number;
  codename: string;
  log: string;
  /** The height whose state answered. */
  height: number;
  /** The answer (UTF-8 JSON for module queries); absent on failure. */
  value?: Uint8Array;
}

/** What simulating a tx gave (tx_simulate): nothing was committed. */
export interface SimulateResult {
  /** The tx's gas limit (0 when the tx does not decode). */
  gasWanted: number;
  /** Gas the tx would use if included in the next block. */
  gasUsed: number;
  /** 0 = it would succeed; otherwise the result code, with its stable name in `codename`. */
  code: number;
  codename: string;
  log: string;
  /** The events the block's TxResult would carry (none when the tx cannot be decoded or verified). */
  events: Event[];
}

/** A tx's position in the chain: the order of every tx search, and the cursor to continue after. */
export interface TxPosition {
  height: number;
  index: number;
}

/**
 * A tx search: txs matching EVERY selector given (at least one of sender, recipient, event), in
 * (height, index) order, within [fromHeight, toHeight], strictly after `cursor` in `order`.
 */
export interface TxSearchQuery {
  /** 20-byte account address that signed the tx. */
  sender?: Uint8Array;
  /** 20-byte account address the tx sent to (bank send `to`, or an address-valued event attribute). */
  recipient?: Uint8Array;
  /** An event the tx emitted with this attribute (type.key = value). */
  event?: { type: string; key: string; value: string };
  fromHeight?: number;
  toHeight?: number;
  cursor?: TxPosition;
  /** 1..100. */
  limit: number;
  order: "asc" | "desc";
}

export interface TxSearchPage {
  txs: TxRecord[];
  /**
   * Where the next page starts (pass it as `cursor`) when more txs may follow; undefined on the
   * last page. A page can be shorter than `limit` with a cursor when the search stopped after
   * reading its bound of index entries (multi-selector searches).
   */
  nextCursor?: TxPosition;
}

/** A block as the node committed it: what subscriptions and block streams deliver. */
export interface CommittedBlock {
  height: number;
  /** The block with its header hash. */
  block: StoredBlock;
  /** What finalizing it produced: tx results with their events, block events. */
  results: BlockResults;
}

export type RpcBackendErrorCode = "NOT_FOUND" | "HEIGHT_NOT_AVAILABLE" | "UNAVAILABLE";

/** A backend failure the client should see (anything else thrown becomes an internal error). */
export class RpcBackendError extends CodedError<RpcBackendErrorCode> {}

export interface RpcBackend {
  status(): Promise<NodeStatus>;
  /** Last committed height (0 before the first block); heights above it are refused up front. */
  latestHeight(): number;
  /** The block at `height`, or undefined when it is not stored (pruned). */
  getBlock(height: number): Promise<StoredBlock | undefined>;
  /** The stored block whose header hash is `hash` (32 bytes), or undefined when there is none. */
  getBlockByHash(hash: Uint8Array): Promise<StoredBlock | undefined>;
  /** What finalizing the block at `height` produced, or undefined when not stored. */
  getBlockResults(height: number): Promise<BlockResults | undefined>;
  /** Submits a tx to the mempool (checkTx "new"). Throws only on internal failure. */
  broadcastTx(tx: Uint8Array): Promise<BroadcastResult>;
  /**
   * Resolves with the tx's record once a block including it is committed, or undefined after
   * `timeoutMs`. Must not miss a commit that happens during the call: subscribe first, then
   * look in the index (rpc/tx-commit-waiter.ts does this).
   */
  waitForTxCommit(hash: Uint8Array, timeoutMs: number): Promise<TxRecord | undefined>;
  getTx(hash: Uint8Array): Promise<TxRecord | undefined>;
  /**
   * The account at `height` (latest when undefined). Throws RpcBackendError HEIGHT_NOT_AVAILABLE
   * for a pruned height.
   */
  getAccount(address: Uint8Array, height?: number): Promise<AccountAtHeight>;
  /**
   * The value of a raw state-tree key with its proof at `height` (latest when undefined). Throws
   * RpcBackendError HEIGHT_NOT_AVAILABLE for a pruned height.
   */
  getProof(key: Uint8Array, height?: number): Promise<ProofAtHeight>;
  /**
   * The validator set that signs the block at `height` (default: the latest committed height, or
   * 1 before any block). The server passes heights from 1 to latestHeight()+1: the next height's
   * set is already decided. Throws RpcBackendError HEIGHT_NOT_AVAILABLE when that set is no longer
   * known (pruned).
   */
  getValidators(height?: number): Promise<ValidatorsAtHeight>;
  /** The commit (+2/3 precommits) that decided the block at `height`, or undefined when not stored. */
  getCommit(height: number): Promise<Commit | undefined>;
  /**
   * A module query by path (e.g. "dataset/3", "models/cursor=5&limit=10") at `height` (latest when
   * undefined). Failures come back as a code, not as a throw.
   */
  queryApp(path: string, height?: number): Promise<AppQueryAnswer>;
  /** This node's p2p identity and peers (no peers when it runs no p2p host). */
  netInfo(): Promise<NetInfo>;
  /**
   * Calls `listener` once per committed block, in height order, from the block after the call on
   * (no replay: read history with getBlock/getBlockResults). Listeners run synchronously in the
   * commit path: they must return quickly and not throw (a throw is caught and logged). Returns the
   * function that removes the listener.
   */
  onCommitted(listener: (committed: CommittedBlock) => void): () => void;
  /**
   * Runs `tx` against the last committed state as the next block would (signature checked, the
   * nonce must be the account's next one) and reports gas, result and events; commits nothing.
   * A tx that fails (does not decode, bad signature, ...) comes back as a code, not as a throw.
   */
  simulateTx(tx: Uint8Array): Promise<SimulateResult>;
  /** Committed txs matching `query` (explorer indexes); see TxSearchQuery. */
  searchTxs(query: TxSearchQuery): Promise<TxSearchPage>;
}
