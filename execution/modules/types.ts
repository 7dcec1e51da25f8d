// The shape of a module. A module owns its messages, its state keys (under its own prefix byte in
// the tree's key space), its queries and its events; execution/modules/registry.ts lists them.
import type { CommitInfo, Misbehavior } from "../../proto/application.js";
import type { Event, Msg, ValidatorUpdate } from "../../proto/index.js";
import type { GenesisAppState } from "../genesis-types.js";
import type { ChainParams } from "../params.js";
import type { KvReader, KvStore, StateKey } from "../store.js";

/** The oneof case names of Msg (e.g. "bankSend"). */
export type MsgKind = NonNullable<Msg["sum"]>;
/** The payload type of a Msg oneof case. */
export type MsgPayload<K extends MsgKind> = NonNullable<Msg[K]>;

export interface MsgContext {
  /** Gas-metered, scoped to this tx's messages: dropped if any message fails. */
  store: KvStore;
  /** 20-byte signer address. */
  sender: Uint8Array;
  /** The signer address as bech32 (for events). */
  senderBech32: string;
  /** The signer's account key. */
  senderKey: StateKey;
  /** Events of the message; kept only if the whole tx succeeds. */
  events: Event[];
  /**
   * False in checkTx, whose outcome is read for its code and dropped: a handler on a hot path may
   * skip building its events there. Events cost no gas, so the outcome is the same either way.
   */
  recordsEvents: boolean;
  params: ChainParams;
  height: number;
  timeMs: number;
}

export interface MsgHandler<K extends MsgKind> {
  /** Stateless checks (Cosmos's ValidateBasic); throw ExecutionError. */
  validate(msg: MsgPayload<K>): void;
  /** Keys `execute` will read besides the sender's account, so the block can preload them. */
  touchedKeys(msg: MsgPayload<K>): StateKey[];
  /** Returns nothing when it could finish without waiting (see KvStore.peek). */
  execute(ctx: MsgContext, msg: MsgPayload<K>): Promise<void> | undefined;
}

export interface GenesisContext {
  chainId: string;
  /** Where genesis writes go (unmetered). */
  store: KvStore;
}

export interface BlockBeginContext {
  store: KvStore;
  params: ChainParams;
  height: number;
  /** Block time, unix ms. */
  timeMs: number;
  /** Hash of the previous block (32 zero bytes for the first block). */
  lastBlockHash: Uint8Array;
  /** Who signed the commit of the previous block (empty for the first block). */
  lastCommit: CommitInfo;
  /** Evidence in this block, verified by consensus. */
  misbehavior: readonly Misbehavior[];
  events: Event[];
}

export interface BlockEndContext {
  store: KvStore;
  params: ChainParams;
  height: number;
  /** Block time, unix ms. */
  timeMs: number;
  /** Hash of the previous block: the seed of the block's randomness (job assignment, audits). */
  lastBlockHash: Uint8Array;
  /** 20-byte consensus address of the block's proposer. */
  proposerAddress: Uint8Array;
  /** Fees charged by the block's txs, waiting to be paid out. */
  collectedFees: bigint;
  events: Event[];
  /** Validator set changes decided by this block (output; consensus applies them at H+2). */
  validatorUpdates: ValidatorUpdate[];
}

/** A query answer: the raw value (and the tree key it came from, if any). */
export interface QueryAnswer {
  key?: Uint8Array;
  value?: Uint8Array;
}

export type QueryHandler = (reader: KvReader, arg: string) => Promise<QueryAnswer>;

/** A parameter value as genesis JSON spells it: integers as numbers, amounts as decimal strings. */
export type ParamValue = string | number | boolean;

/**
 * One section of `params` in genesis (e.g. "staking"): what governance's parameter changes go
 * through. `store` runs the same checks genesis does, so a proposal can never set a value that
 * a genesis file could not.
 */
export interface ParamSpace {
  /** The section name in genesis params and in ParamChange.module. */
  readonly name: string;
  /** The stored values as genesis JSON spells them (snake_case keys). */
  load(reader: KvReader): Promise<Record<string, ParamValue>>;
  /** Checks a whole section and stores it; throws ExecutionError (GENESIS_INVALID or PARAM_INVALID). */
  store(store: KvStore, values: Record<string, ParamValue>): Promise<void>;
}

export interface Module {
  readonly name: string;
  /** Prefix byte of the module's keys in the state tree; undefined for modules without state. */
  readonly prefix?: number;
  /** Writes the module's part of genesis; throws ExecutionError("GENESIS_INVALID") on bad input. */
  initGenesis?(ctx: GenesisContext, genesis: GenesisAppState): Promise<void>;
  /** Block-begin logic, run before the block's txs (in registry order): evidence, liveness. */
  beginBlock?(ctx: BlockBeginContext): Promise<void>;
  /** Block-end logic, run after the block's txs (in registry order). */
  endBlock?(ctx: BlockEndContext): Promise<void>;
  /** Query handlers by the first path segment (e.g. "account" for "account/<address>"). */
  readonly queries?: Readonly<Record<string, QueryHandler>>;
  /** The params sections this module owns (governance changes them through these). */
  readonly paramSpaces?: readonly ParamSpace[];
}
