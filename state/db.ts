// One LevelDB per node. Areas are separated by a one-byte key prefix (cheaper than sublevels on
// the hot path). Everything one block changes goes into a single WriteBatch written atomically.
import { Level } from "level";
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
 * The writes of one block (or any unit that must land whole). Written with `KyochiDb.write`.
 *
 * Kept as two parallel arrays rather than one object per op: a block's batch holds tens of
 * thousands of ops from the tree commit (in finalizeBlock) until the write after commit, and a
 * heap profile of the transfers benchmark showed V8 promoting those op objects to the old
 * generation (about 2.5 MB per 10k-transfer block, twice: the tree's batch was copied op by op
 * into the block's). The CPU saved is below that benchmark's run-to-run noise.
 */
export class WriteBatch {
  private readonly keys: Uint8Array[] = [];
  /** the value of a put, null for a delete */
  private readonly values: (Uint8Array | null)[] = [];

  put(key: Uint8Array, value: Uint8Array): void {
    this.keys.push(key);
    this.values.push(value);
  }

  del(key: Uint8Array): void {
    this.keys.push(key);
    this.values.push(null);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Adds every op of `other` after this batch's own, in order. */
  append(other: WriteBatch): void {
    for (let i = 0; i < other.keys.length; i++) {
      this.keys.push(other.keys[i] as Uint8Array);
      this.values.push(other.values[i] as Uint8Array | null);
    }
  }

  /** Hands each op to `put` or `del`, in the order the ops were added. */
  replay(put: (key: Uint8Array, value: Uint8Array) => void, del: (key: Uint8Array) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      const value = this.values[i];
      if (value === null || value === undefined) del(this.keys[i] as Uint8Array);
      else put(this.keys[i] as Uint8Array, value);
    }
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
export { u64be } from "../crypto/bytes.js";

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
 * up to twice its size in memory (one being filled, one being flushed).
 */
const LEVELDB_TUNING = {
  compression: false,
  writeBufferSize: 32 * 1024 * 1024,
  maxFileSize: 8 * 1024 * 1024,
} as const;

export class KyochiDb {
  readonly level: Level<Uint8Array, Uint8Array>;

  private constructor(level: Level<Uint8Array, Uint8Array>) {
    this.level = level;
  }

  static async open(path: string): Promise<KyochiDb> {
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
    return new KyochiDb(level);
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.level.get(key)) ?? undefined;
  }

  async getMany(keys: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const values = await this.level.getMany(keys);
    return values.map((v) => v ?? undefined);
  }

  /** Writes the batch atomically. `sync` forces an fsync, used for each committed block. */
  async write(batch: WriteBatch, sync = true): Promise<void> {
    if (batch.size === 0) return;
    // A chained batch, not level.batch(array): abstract-level clones and re-validates every op of
    // an array batch on the main thread, which made an 80k-op block write ~4x slower here
    // (700 ms vs 170 ms). Both are one atomic LevelDB WriteBatch.
    const chained = this.level.batch();
    try {
      batch.replay(
        (key, value) => {
          chained.put(key, value);
        },
        (key) => {
          chained.del(key);
        },
      );
    } catch (err) {
      await chained.close();
      throw err;
    }
    await chained.write({ sync });
  }

  /** Iterates keys in [gte, lt) in order (or reverse order). */
  iterate(opts: { gte: Uint8Array; lt: Uint8Array; reverse?: boolean; limit?: number }) {
    return this.level.iterator({
      gte: opts.gte,
      lt: opts.lt,
      reverse: opts.reverse ?? false,
      limit: opts.limit ?? -1,
    });
  }

  async close(): Promise<void> {
    await this.level.close();
  }
}
