// A node's LevelDB. Areas are separated by a one-byte key prefix (cheaper than sublevels on the hot
// path). Everything one block changes goes into a single WriteBatch; the state tree's nodes and
// the block records live in two more LevelDBs beside it (see KyochiDb), written first.
import { join } from "node:path";
import { Level } from "level";
import { u64be } from "../crypto/bytes.js";
import { allocSmall } from "../crypto/small-bytes.js";
import { StateError } from "./errors.js";

/** Key prefixes of each area. Never reuse a value: data written under it outlives the code. */
export const Prefix = {
  /** state tree nodes, by (version, nibble path) */
  TreeNode: 0x01,
  /** state values, by (key, version) */
  TreeValue: 0x02,
  /** nodes made stale by a version, for pruning */
  TreeStale: 0x03,
  /** tree metadata: latest version, root per version, oldest retained version */
  TreeMeta: 0x04,
  /** block by height */
  Block: 0x10,
  /** block hash -> height */
  BlockHash: 0x11,
  /** commit of a height (the +2/3 precommits that decided it) */
  Commit: 0x12,
  /** BlockResults by height */
  BlockResults: 0x13,
  /** block store metadata (base and height) */
  BlockMeta: 0x14,
  /** where a committed tx is, by tx hash: height u64 | index u32 (the tx and its result are in the block store) */
  TxByHash: 0x20,
  /** tx hash by (signer address, height, index in block): tx search by sender */
  TxBySender: 0x21,
  /** tx hash by (recipient address, height, index in block): tx search by recipient */
  TxByRecipient: 0x22,
  /** tx hash by (sha256 of event type/key/value, height, index in block): tx search by event */
  TxByEvent: 0x23,
  /** node/consensus metadata */
  NodeMeta: 0x30,
} as const;

/**
 * Puts held packed by whoever made them, with no JS object per op (see tree/node-log.ts): handed
 * to the database as views only when the batch is written.
 */
export interface PackedPuts {
  readonly count: number;
  /** Each put's key and value, in order. */
  forEach(put: (key: Uint8Array, value: Uint8Array) => void): void;
}

/**
 * The writes of one block (or any unit that must land whole). Written with `KyochiDb.write`.
 *
 * Kept as two parallel arrays rather than one object per op: a block's batch holds tens of
 * thousands of ops from the tree commit (in finalizeBlock) until the write after commit, and a
 * heap profile of the transfers benchmark showed V8 promoting those op objects to the old
 * generation (about 2.5 MB per 10k-transfer block, twice: the tree's batch was copied op by op
 * into the block's). The CPU saved is below that benchmark's run-to-run noise. Groups of packed
 * puts (putPacked) keep their place among the other ops.
 */
export class WriteBatch {
  private readonly keys: Uint8Array[] = [];
  /** the value of a put, null for a delete */
  private readonly values: (Uint8Array | null)[] = [];
  /** packed groups, each replayed just before the op at index `at` of `keys` (or last) */
  private readonly groups: { at: number; puts: PackedPuts }[] = [];
  private groupedOps = 0;

  put(key: Uint8Array, value: Uint8Array): void {
    this.keys.push(key);
    this.values.push(value);
  }

  del(key: Uint8Array): void {
    this.keys.push(key);
    this.values.push(null);
  }

  /** Adds every put of `puts`, here in the order of ops. `puts` must not change afterwards. */
  putPacked(puts: PackedPuts): void {
    if (puts.count === 0) return;
    this.groups.push({ at: this.keys.length, puts });
    this.groupedOps += puts.count;
  }

  get size(): number {
    return this.keys.length + this.groupedOps;
  }

  /** Adds every op of `other` after this batch's own, in order. */
  append(other: WriteBatch): void {
    const base = this.keys.length;
    for (let i = 0; i < other.keys.length; i++) {
      this.keys.push(other.keys[i] as Uint8Array);
      this.values.push(other.values[i] as Uint8Array | null);
    }
    for (const g of other.groups) this.groups.push({ at: base + g.at, puts: g.puts });
    this.groupedOps += other.groupedOps;
  }

  /** Hands each op to `put` or `del`, in the order the ops were added. */
  replay(put: (key: Uint8Array, value: Uint8Array) => void, del: (key: Uint8Array) => void): void {
    const groups = this.groups;
    let g = 0;
    for (let i = 0; i < this.keys.length; i++) {
      for (; g < groups.length && groups[g]!.at === i; g++) groups[g]!.puts.forEach(put);
      const value = this.values[i];
      if (value === null || value === undefined) del(this.keys[i] as Uint8Array);
      else put(this.keys[i] as Uint8Array, value);
    }
    for (; g < groups.length; g++) groups[g]!.puts.forEach(put);
  }
}

export function prefixed(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let len = 1;
  for (const p of parts) len += p.length;
  const out = allocSmall(len);
  out[0] = prefix;
  let off = 1;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Big-endian u64 (as used in keys so that LevelDB order is numeric order). */
export { u64be };

export function readU64be(bytes: Uint8Array, offset = 0): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset + offset, 8).getBigUint64(0));
}

/**
 * LevelDB settings for a chain's write pattern: every block writes a few MB to tens of MB of tree
 * nodes that are mostly SHA-256 hashes. Measured with the transfers benchmark at 1M accounts
 * (CPU of LevelDB's compaction thread per 10k-tx block): Snappy cannot shrink hashes but still
 * costs CPU on every flush and compaction, and a 4 MB memtable (the default) turns one block into
 * several level-0 files that are compacted again at once. Without compression and with a 32 MB
 * memtable the compaction thread's CPU per transfer halves (about 46 to 23 µs). The memtable costs
 * up to twice its size in memory (one being filled, one being flushed), in each of a node's two
 * stores (see KyochiDb).
 */
const LEVELDB_TUNING = {
  compression: false,
  writeBufferSize: 32 * 1024 * 1024,
  maxFileSize: 8 * 1024 * 1024,
} as const;

/** A key range of one store: the lower bound's prefix byte picks the store. */
export interface KeyRange {
  gte?: Uint8Array;
  gt?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
  reverse?: boolean;
  limit?: number;
}

type Store = Level<Uint8Array, Uint8Array>;
type ChainedBatch = ReturnType<Store["batch"]>;

/**
 * The area kept in the tree-node store: nodes, whose keys begin with their version, so each
 * block's sort after all earlier ones. Nothing else may go there: the stale lists, also keyed by
 * version, sorted after every node (another prefix), so each new file's key range spanned the older
 * files' and LevelDB merged them all again (its compaction thread, per transfer, 8-19 µs with them
 * there against 5-6 without, in the rounds before its database grew).
 */
function inNodeStore(key: Uint8Array): boolean {
  return key[0] === Prefix.TreeNode;
}

/** The tree-node store's directory, inside the main store's (LevelDB ignores what it did not name). */
export const NODE_STORE_DIR = "tree-nodes";

/** The block-record store's directory, also inside the main store's. */
export const BLOCK_RECORD_STORE_DIR = "block-records";

/** The areas kept in the block-record store: a height's block, commit and results. */
const BLOCK_RECORD_PREFIXES: readonly number[] = [Prefix.Block, Prefix.Commit, Prefix.BlockResults];
/** prefix byte + big-endian u64 height */
const BLOCK_RECORD_KEY_LENGTH = 9;

function inBlockRecordStore(key: Uint8Array): boolean {
  return key.length === BLOCK_RECORD_KEY_LENGTH && BLOCK_RECORD_PREFIXES.includes(key[0] as number);
}

/**
 * A block record's key in its store: the height first, then the area's prefix byte, so all of a
 * block's records sort after every earlier block's (the same reason the tree nodes have a store).
 * Callers keep using [prefix | height]; only KyochiDb sees this form.
 */
function blockRecordStoreKey(key: Uint8Array): Uint8Array {
  const out = allocSmall(BLOCK_RECORD_KEY_LENGTH);
  out.set(key.subarray(1), 0);
  out[BLOCK_RECORD_KEY_LENGTH - 1] = key[0] as number;
  return out;
}

/**
 * A node's database: the main LevelDB, and beside it two more, each holding one kind of record
 * that is written once per block under keys that begin with the block's height or version: the
 * state tree's nodes (`Prefix.TreeNode`) and the block records (`Prefix.Block`, `Prefix.Commit`,
 * `Prefix.BlockResults`).
 *
 * Why apart: alone in a LevelDB, such a block's keys sort after all earlier ones, so a file of them
 * overlaps nothing below it, and LevelDB moves such a file down a level instead of rewriting it.
 * Mixed with the randomly keyed values, every level-0 file spanned the whole key space, and these
 * records (most of a block's bytes: about 11 MB of tree nodes and 4 MB of block and results per
 * 10k transfers at 1M accounts) were merged again at every level. Measured with the `transfers`
 * benchmark (README, Performance): with the nodes apart, 1.94-2.12 bare verifications of CPU per
 * transfer against 2.17-2.29 mixed; with the block records apart too, LevelDB's compaction thread
 * fell from 15-19 to 8-10 µs per transfer in the third round, and the CPU per transfer by about 5 µs.
 *
 * The write order keeps a block's batch atomic to a reader and across crashes. The main store's
 * write is the commit point: it holds the tree's root and latest version, and the block store's
 * height. The other stores' puts are written (and synced) before it, so what it references exists;
 * their deletes after it, so nothing it still references is gone; and the deletes of stale lists
 * (which name what a prune deletes) last, so a prune cut short still has its lists. A crash between
 * them leaves nodes of an uncommitted version, records of a block above the stored height, or the
 * lists of a prune not finished: `JellyfishTree.open` deletes the first and finishes the third,
 * `BlockStore.open` deletes the second.
 *
 * A database written before a split (tree nodes, or blocks, in the main store) keeps that kind in
 * the main store.
 */
export class KyochiDb {
  private constructor(
    private readonly main: Store,
    /** null: tree nodes live in the main store (a database written before that split) */
    private readonly nodes: Store | null,
    /** null: block records live in the main store (a database written before that split) */
    private readonly blockRecords: Store | null,
  ) {}

  static async open(path: string): Promise<KyochiDb> {
    const main = await openStore(path);
    const opened: Store[] = [];
    try {
      const separate = async (legacyPrefix: number, dir: string): Promise<Store | null> => {
        if (await hasKeyIn(main, legacyPrefix)) return null;
        const store = await openStore(join(path, dir));
        opened.push(store);
        return store;
      };
      const nodes = await separate(Prefix.TreeNode, NODE_STORE_DIR);
      const blockRecords = await separate(Prefix.Block, BLOCK_RECORD_STORE_DIR);
      return new KyochiDb(main, nodes, blockRecords);
    } catch (err) {
      await Promise.all([main.close(), ...opened.map((s) => s.close())]);
      throw err;
    }
  }

  /** Whether tree nodes live in their own store (false for a database written before the split). */
  get separateNodeStore(): boolean {
    return this.nodes !== null;
  }

  /** Whether block records live in their own store (false for a database written before the split). */
  get separateBlockRecordStore(): boolean {
    return this.blockRecords !== null;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const store = this.storeOf(key);
    if (store === null)
      return (await (this.blockRecords as Store).get(blockRecordStoreKey(key))) ?? undefined;
    return (await store.get(key)) ?? undefined;
  }

  async getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    const store = this.storeOf(keys[0] as Uint8Array);
    if (store !== null && keys.every((k) => this.storeOf(k) === store)) {
      const values = await store.getMany(keys);
      return values.map((v) => v ?? undefined);
    }
    return Promise.all(keys.map((k) => this.get(k)));
  }

  /**
   * Writes the batch atomically as far as any reader or crash can tell. `sync` forces an fsync,
   * used for each committed block. In the order the class comment gives: the node and block-record
   * stores' puts, the main store's ops, the node and block-record stores' deletes, then the
   * deletes of stale lists.
   */
  async write(batch: WriteBatch, sync = true): Promise<void> {
    if (batch.size === 0) return;
    // Chained batches, not level.batch(array): abstract-level clones and re-validates every op of
    // an array batch on the main thread, which made an 80k-op block write ~4x slower here
    // (700 ms vs 170 ms). Both are one atomic LevelDB WriteBatch.
    const { nodes, blockRecords } = this;
    const main = this.main.batch();
    const nodePuts = nodes?.batch() ?? null;
    const nodeDeletes = nodes?.batch() ?? null;
    const recordPuts = blockRecords?.batch() ?? null;
    const recordDeletes = blockRecords?.batch() ?? null;
    const staleListDeletes = nodes === null ? null : this.main.batch();
    const all = [main, nodePuts, nodeDeletes, recordPuts, recordDeletes, staleListDeletes];
    try {
      batch.replay(
        (key, value) => {
          if (nodePuts !== null && inNodeStore(key)) nodePuts.put(key, value);
          else if (recordPuts !== null && inBlockRecordStore(key))
            recordPuts.put(blockRecordStoreKey(key), value);
          else main.put(key, value);
        },
        (key) => {
          if (nodeDeletes !== null && inNodeStore(key)) nodeDeletes.del(key);
          else if (recordDeletes !== null && inBlockRecordStore(key))
            recordDeletes.del(blockRecordStoreKey(key));
          else if (staleListDeletes !== null && key[0] === Prefix.TreeStale) staleListDeletes.del(key);
          else main.del(key);
        },
      );
    } catch (err) {
      await Promise.all(all.map((b) => b?.close()));
      throw err;
    }
    // Two independent LevelDBs: their fsyncs overlap.
    await Promise.all([writeOrClose(nodePuts, sync), writeOrClose(recordPuts, sync)]);
    await writeOrClose(main, sync);
    // Lost in a crash, node deletes are done again from the stale lists (JellyfishTree.open).
    await writeOrClose(nodeDeletes, false);
    await writeOrClose(recordDeletes, false);
    await writeOrClose(staleListDeletes, false);
  }

  /**
   * Deletes the block records of every height above `height` (the block store's last committed
   * one): what a crash left between the block-record store's write and the main store's.
   * Returns how many it deleted. Only the block-record store can hold such records: in the main
   * store they land with the height in one batch.
   */
  async discardBlockRecordsAbove(height: number): Promise<number> {
    if (this.blockRecords === null) return 0;
    const keys = await this.blockRecords.keys({ gte: u64be(height + 1) }).all();
    if (keys.length === 0) return 0;
    const batch = this.blockRecords.batch();
    for (const key of keys) batch.del(key);
    await batch.write({ sync: true });
    return keys.length;
  }

  /**
   * Iterates entries in a range of one store, in order (or reverse order). Block records are read
   * by height (`get`); a range over them is refused when they have their own store, whose keys
   * are in another order.
   */
  iterator(range: KeyRange) {
    return this.rangeStore(range).iterator(range);
  }

  /** Iterates keys in a range of one store (see `iterator`). */
  keys(range: KeyRange) {
    return this.rangeStore(range).keys(range);
  }

  /** Iterates values in a range of one store (see `iterator`). */
  values(range: KeyRange) {
    return this.rangeStore(range).values(range);
  }

  /** Compacts every store over its whole key space (benchmarks settle a bulk load with it). */
  async compactAll(): Promise<void> {
    for (const store of this.stores()) {
      // classic-level implements compactRange; the `level` typings do not declare it.
      const compactable = store as unknown as {
        compactRange(start: Uint8Array, end: Uint8Array): Promise<void>;
      };
      await compactable.compactRange(Uint8Array.of(0x00), Uint8Array.of(0xff));
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.stores().map((s) => s.close()));
  }

  private stores(): Store[] {
    return [this.main, this.nodes, this.blockRecords].filter((s): s is Store => s !== null);
  }

  /**
   * The store that holds `key` as it is; null for a block record in the block-record store, where
   * its key changes form (blockRecordStoreKey).
   */
  private storeOf(key: Uint8Array): Store | null {
    if (this.nodes !== null && inNodeStore(key)) return this.nodes;
    if (this.blockRecords !== null && inBlockRecordStore(key)) return null;
    return this.main;
  }

  private rangeStore(range: KeyRange): Store {
    const start = rangeStart(range);
    if (this.blockRecords !== null && BLOCK_RECORD_PREFIXES.includes(start[0] as number)) {
      throw new StateError("INVALID_ARGUMENT", "block records are read by height, not by key range");
    }
    return this.nodes !== null && inNodeStore(start) ? this.nodes : this.main;
  }
}

async function openStore(path: string): Promise<Store> {
  const level = new Level<Uint8Array, Uint8Array>(path, {
    keyEncoding: "view",
    valueEncoding: "view",
    ...LEVELDB_TUNING,
  });
  try {
    await level.open();
  } catch (err) {
    // level reports every failure as "Database failed to open"; the reason is in `cause`.
    const cause = (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    if (/lock/i.test(cause)) {
      throw new StateError(
        "DB_LOCKED",
        `${path} is in use by another process (is a node already running on this home?)`,
      );
    }
    throw new StateError("DB_OPEN_FAILED", `cannot open ${path}: ${cause}`);
  }
  return level;
}

async function hasKeyIn(store: Store, prefix: number): Promise<boolean> {
  const found = await store
    .keys({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1), limit: 1 })
    .all();
  return found.length > 0;
}

function rangeStart(range: KeyRange): Uint8Array {
  const start = range.gte ?? range.gt;
  if (start === undefined || start.length === 0) {
    throw new StateError("INVALID_ARGUMENT", "a key range needs a lower bound that names its area");
  }
  return start;
}

async function writeOrClose(batch: ChainedBatch | null, sync: boolean): Promise<void> {
  if (batch === null) return;
  if (batch.length === 0) await batch.close();
  else await batch.write({ sync });
}
