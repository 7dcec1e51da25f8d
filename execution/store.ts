// Layered state for execution, over the authenticated tree:
//
//   CommittedState  latest committed tree version + a bounded read cache (write-through on commit)
//   BlockState      the writes of the block being executed
//   TxScope         the writes of one tx (or one tx phase); committed into its parent or dropped
//
// Reads fall through the layers; writes land in the innermost one. A failed tx drops its scope, so
// its writes never reach the block. At the end of the block the BlockState yields its writes as a
// key-sorted list of TreeUpdate for tree.commit.
//
// Why the cache and preload: an awaited LevelDB get costs ~37 µs (27k/s) one by one, which alone
// would cap a block at ~13k transfers/s with two reads per transfer. Before executing a block the
// app preloads every account the block's txs touch with tree.getMany (one LevelDB getMany per tree
// level); hot accounts (the validators, busy senders) then stay cached across blocks.
import { latin1Id } from "../crypto/bytes.js";
import type { StateTree, TreeUpdate } from "../state/tree/types.js";
import type { GasMeter } from "./gas.js";
import { GAS_SCHEDULE } from "./gas.js";

/**
 * A state key with its map id computed once: a key passes through three layers on every read, and
 * the hot path reuses the same keys (the signer's account) many times per tx.
 */
export interface StateKey {
  readonly bytes: Uint8Array;
  readonly id: string;
}

/** What peek() answers for a value that is not in memory: get() must be awaited for it. */
export const NOT_IN_MEMORY: unique symbol = Symbol("not in memory");
export type Peeked = Uint8Array | undefined | typeof NOT_IN_MEMORY;

/** What modules read and write through. Keys include the owning module's prefix byte. */
export interface KvStore {
  get(key: StateKey): Promise<Uint8Array | undefined>;
  /**
   * The value if the layers already hold it (undefined: absent), without a promise; otherwise
   * NOT_IN_MEMORY. Same answer, and on a MeteredStore the same gas, as get(). A block's state is
   * preloaded, so its txs read through here: a transfer's reads and their awaits (each a promise
   * and a microtask) were a sizeable share of executing it.
   */
  peek(key: StateKey): Peeked;
  set(key: StateKey, value: Uint8Array): void;
  delete(key: StateKey): void;
}

/** Read-only view of one state version (queries, genesis checks). */
export interface KvReader {
  get(key: StateKey): Promise<Uint8Array | undefined>;
}

/**
 * Map key for a byte key: one UTF-16 unit per byte, so string order = byte order. For the short
 * keys of state (21 bytes for an account) fromCharCode beats Buffer#toString("latin1").
 */
export const keyId: (key: Uint8Array) => string = latin1Id;

export function stateKey(bytes: Uint8Array): StateKey {
  return { bytes, id: keyId(bytes) };
}

interface Write {
  key: StateKey;
  value: Uint8Array | null;
}

/** Keys per tree.getMany while preloading (bounds the memory of one sweep). */
const PRELOAD_CHUNK = 16_384;

export class CommittedState implements KvReader {
  private readonly tree: StateTree;
  private readonly maxEntries: number;
  /** null = known absent */
  private readonly cache = new Map<string, Uint8Array | null>();

  constructor(tree: StateTree, maxEntries: number) {
    this.tree = tree;
    this.maxEntries = maxEntries;
  }

  get(key: StateKey): Promise<Uint8Array | undefined> {
    const hit = this.cache.get(key.id);
    if (hit !== undefined) return Promise.resolve(hit ?? undefined);
    return this.fetch(key);
  }

  peek(key: StateKey): Peeked {
    const hit = this.cache.get(key.id);
    return hit === undefined ? NOT_IN_MEMORY : (hit ?? undefined);
  }

  private async fetch(key: StateKey): Promise<Uint8Array | undefined> {
    const value = await this.tree.get(key.bytes);
    this.remember(key.id, value ?? null);
    return value;
  }

  /** Fetches every uncached key with tree.getMany so the block's reads then hit memory. */
  async preload(keys: readonly StateKey[]): Promise<void> {
    const missing = new Map<string, Uint8Array>();
    for (const key of keys) {
      if (!this.cache.has(key.id)) missing.set(key.id, key.bytes);
    }
    const entries = [...missing];
    for (let from = 0; from < entries.length; from += PRELOAD_CHUNK) {
      const chunk = entries.slice(from, from + PRELOAD_CHUNK);
      const values = await this.tree.getMany(chunk.map(([, key]) => key));
      for (let i = 0; i < chunk.length; i++)
        this.remember((chunk[i] as [string, Uint8Array])[0], values[i] ?? null);
    }
  }

  /** Mirrors a committed block's writes into the cache (called right after tree.commit). */
  apply(updates: readonly TreeUpdate[]): void {
    for (const [key, value] of updates) {
      const id = keyId(key);
      this.cache.delete(id);
      this.remember(id, value);
    }
  }

  /** Forgets everything (used if the tree is moved by anything other than apply). */
  clear(): void {
    this.cache.clear();
  }

  get cachedEntries(): number {
    return this.cache.size;
  }

  private remember(id: string, value: Uint8Array | null): void {
    this.cache.set(id, value);
    // Evict oldest-inserted first (Map keeps insertion order): cheap, and recently written keys
    // are re-inserted by apply() so they survive longest.
    // Evict a chunk at a time: V8 keeps deleted Map entries as holes until it rehashes, and an
    // iterator from the start walks over all of them, so evicting one entry per insert would
    // cost O(holes) each time.
    if (this.cache.size > this.maxEntries) {
      let excess = this.cache.size - this.maxEntries + (this.maxEntries >> 4);
      for (const oldest of this.cache.keys()) {
        this.cache.delete(oldest);
        if (--excess <= 0) break;
      }
    }
  }
}

/** Shared by BlockState and TxScope: a write set over a parent reader. */
export abstract class StateLayer implements KvStore {
  protected readonly writes = new Map<string, Write>();
  protected abstract readParent(key: StateKey): Promise<Uint8Array | undefined>;
  /** The parent's value if it holds it in memory; by default a parent answers only get(). */
  protected peekParent(_key: StateKey): Peeked {
    return NOT_IN_MEMORY;
  }

  get(key: StateKey): Promise<Uint8Array | undefined> {
    const w = this.writes.get(key.id);
    if (w !== undefined) return Promise.resolve(w.value ?? undefined);
    return this.readParent(key);
  }

  peek(key: StateKey): Peeked {
    const w = this.writes.get(key.id);
    if (w !== undefined) return w.value ?? undefined;
    return this.peekParent(key);
  }

  set(key: StateKey, value: Uint8Array): void {
    this.writes.set(key.id, { key, value });
  }

  delete(key: StateKey): void {
    this.writes.set(key.id, { key, value: null });
  }

  /** A nested scope whose writes reach this overlay only if it is committed. */
  scope(): TxScope {
    return new TxScope(this);
  }

  /** @internal used by TxScope.commit */
  absorb(writes: Map<string, Write>): void {
    for (const [id, w] of writes) this.writes.set(id, w);
  }
}

export class BlockState extends StateLayer {
  readonly committed: CommittedState;

  constructor(committed: CommittedState) {
    super();
    this.committed = committed;
  }

  protected readParent(key: StateKey): Promise<Uint8Array | undefined> {
    return this.committed.get(key);
  }

  protected override peekParent(key: StateKey): Peeked {
    return this.committed.peek(key);
  }

  get size(): number {
    return this.writes.size;
  }

  /** Ids of every key the block wrote (or deleted). */
  writtenIds(): Set<string> {
    return new Set(this.writes.keys());
  }

  /** The block's writes sorted by key bytes: the input of tree.commit. */
  updates(): TreeUpdate[] {
    const ids = [...this.writes.keys()].sort();
    return ids.map((id) => {
      const w = this.writes.get(id) as Write;
      return [w.key.bytes, w.value] as const;
    });
  }
}

export class TxScope extends StateLayer {
  private readonly parent: StateLayer;
  private done = false;

  constructor(parent: StateLayer) {
    super();
    this.parent = parent;
  }

  protected readParent(key: StateKey): Promise<Uint8Array | undefined> {
    return this.parent.get(key);
  }

  protected override peekParent(key: StateKey): Peeked {
    return this.parent.peek(key);
  }

  /** Moves this scope's writes into its parent. A scope that is never committed is simply dropped. */
  commit(): void {
    if (this.done) throw new Error("TxScope committed twice");
    this.done = true;
    this.parent.absorb(this.writes);
  }
}

/** Charges gas for every read and write (by key and value size), then forwards. */
export class MeteredStore implements KvStore {
  private readonly inner: KvStore;
  private readonly meter: GasMeter;

  constructor(inner: KvStore, meter: GasMeter) {
    this.inner = inner;
    this.meter = meter;
  }

  async get(key: StateKey): Promise<Uint8Array | undefined> {
    this.meter.consume(GAS_SCHEDULE.readFlat + key.bytes.length * GAS_SCHEDULE.readPerByte, "state read");
    const value = await this.inner.get(key);
    if (value !== undefined) this.meter.consume(value.length * GAS_SCHEDULE.readPerByte, "state read value");
    return value;
  }

  /** Charges what get() charges, in the same order; nothing when the value is not in memory. */
  peek(key: StateKey): Peeked {
    const value = this.inner.peek(key);
    if (value === NOT_IN_MEMORY) return value;
    this.meter.consume(GAS_SCHEDULE.readFlat + key.bytes.length * GAS_SCHEDULE.readPerByte, "state read");
    if (value !== undefined) this.meter.consume(value.length * GAS_SCHEDULE.readPerByte, "state read value");
    return value;
  }

  set(key: StateKey, value: Uint8Array): void {
    this.meter.consume(
      GAS_SCHEDULE.writeFlat + (key.bytes.length + value.length) * GAS_SCHEDULE.writePerByte,
      "state write",
    );
    this.inner.set(key, value);
  }

  delete(key: StateKey): void {
    this.meter.consume(GAS_SCHEDULE.deleteFlat, "state delete");
    this.inner.delete(key);
  }

  /** Charges work that is not a state access (e.g. verifying attestation evidence). */
  consumeGas(amount: number, descriptor: string): void {
    this.meter.consume(amount, descriptor);
  }
}

/**
 * Charges `amount` of gas for work a message does besides reading and writing state (signature
 * checks over evidence). Only a tx's messages run on a MeteredStore; genesis and block-begin/end
 * work is not metered, so there it charges nothing.
 */
export function chargeGas(store: KvStore, amount: number, descriptor: string): void {
  if (store instanceof MeteredStore) store.consumeGas(amount, descriptor);
}
