// Blocks, the commits that decided them, and their results, by height. Writes only go into the
// caller's WriteBatch (the block lands atomically with its state); the heights just written stay
// readable from memory until the caller has written that batch.
import { bytesEqual, encode } from "../proto/canonical.js";
import { Block, BlockResults, Commit } from "../proto/index.js";
import { type KyochiDb, Prefix, prefixed, readU64be, u64be, type WriteBatch } from "./db.js";
import { StateError } from "./errors.js";
import { RecentFieldSpans } from "./field-spans.js";

const HASH_LENGTH = 32;
/** Heights kept in memory after putBlock (the caller writes each batch before the next block). */
const UNFLUSHED_HEIGHTS = 4;
const META_KEY = Uint8Array.of(Prefix.BlockMeta);
/** Field numbers of Block.txs and BlockResults.tx_results (proto/kyochi/types/v1/types.proto). */
const BLOCK_TXS_FIELD = 2;
const RESULTS_TX_RESULTS_FIELD = 2;

interface Unflushed {
  /** block hash || encoded block, as stored */
  block?: Uint8Array;
  commit?: Uint8Array;
  results?: Uint8Array;
}

export class BlockStore {
  private _base: number;
  private _height: number;
  private readonly unflushed = new Map<number, Unflushed>();
  private readonly unflushedByHash = new Map<string, number>();
  private readonly recentTxs = new RecentFieldSpans(BLOCK_TXS_FIELD, "block");
  private readonly recentResults = new RecentFieldSpans(RESULTS_TX_RESULTS_FIELD, "block results");

  private constructor(
    private readonly db: KyochiDb,
    base: number,
    height: number,
  ) {
    this._base = base;
    this._height = height;
  }

  static async open(db: KyochiDb): Promise<BlockStore> {
    const meta = await db.get(META_KEY);
    if (meta !== undefined && meta.length !== 16)
      throw new StateError("CORRUPT_DATA", "bad block store meta record");
    const store =
      meta === undefined
        ? new BlockStore(db, 0, 0)
        : new BlockStore(db, readU64be(meta, 0), readU64be(meta, 8));
    // A crash between the block-record store's write and the main store's (see KyochiDb) leaves
    // the records of a block above the stored height; a reader must never see them.
    await db.discardBlockRecordsAbove(store.height);
    return store;
  }

  /** Height of the latest stored block; 0 when none. */
  get height(): number {
    return this._height;
  }

  /** Height of the oldest stored block; 0 when none. */
  get base(): number {
    return this._base;
  }

  /**
   * Stores `block` (its height must be the next one; the first block may have any height >= 1),
   * its hash and the commit that decided it. `blockHash` is stored alongside so reads never
   * recompute it. The height advances at once.
   */
  putBlock(batch: WriteBatch, block: Block, blockHash: Uint8Array, commit: Commit): void {
    const height = block.header?.height ?? 0;
    if (!Number.isSafeInteger(height) || height < 1) {
      throw new StateError("BLOCK_HEIGHT_MISMATCH", `block height must be >= 1, got ${height}`);
    }
    if (this._height > 0 && height !== this._height + 1) {
      throw new StateError("BLOCK_HEIGHT_MISMATCH", `expected block ${this._height + 1}, got ${height}`);
    }
    if (blockHash.length !== HASH_LENGTH) {
      throw new StateError("INVALID_ARGUMENT", `block hash must be ${HASH_LENGTH} bytes`);
    }
    if (commit.height !== height || !bytesEqual(commit.blockHash, blockHash)) {
      throw new StateError("INVALID_ARGUMENT", `the commit is for another block than block ${height}`);
    }
    const encoded = encode(Block, block);
    const record = new Uint8Array(HASH_LENGTH + encoded.length);
    record.set(blockHash, 0);
    record.set(encoded, HASH_LENGTH);
    const commitBytes = encode(Commit, commit);
    const base = this._height === 0 ? height : this._base;

    batch.put(prefixed(Prefix.Block, u64be(height)), record);
    batch.put(prefixed(Prefix.BlockHash, blockHash), u64be(height));
    batch.put(prefixed(Prefix.Commit, u64be(height)), commitBytes);
    const meta = new Uint8Array(16);
    meta.set(u64be(base), 0);
    meta.set(u64be(height), 8);
    batch.put(META_KEY, meta);

    this._base = base;
    this._height = height;
    this.remember(height, { block: record, commit: commitBytes });
    this.unflushedByHash.set(hashKey(blockHash), height);
  }

  async getBlockBytes(height: number): Promise<Uint8Array | undefined> {
    const record = await this.blockRecord(height);
    return record?.subarray(HASH_LENGTH);
  }

  async getBlock(height: number): Promise<Block | undefined> {
    const bytes = await this.getBlockBytes(height);
    return bytes === undefined ? undefined : decodeStored(Block, bytes, `block ${height}`);
  }

  async getBlockHash(height: number): Promise<Uint8Array | undefined> {
    const record = await this.blockRecord(height);
    return record === undefined ? undefined : new Uint8Array(record.subarray(0, HASH_LENGTH));
  }

  async getBlockByHash(hash: Uint8Array): Promise<{ height: number; block: Block } | undefined> {
    if (hash.length !== HASH_LENGTH) return undefined;
    let height = this.unflushedByHash.get(hashKey(hash));
    if (height === undefined) {
      const stored = await this.db.get(prefixed(Prefix.BlockHash, hash));
      if (stored === undefined) return undefined;
      if (stored.length !== 8) throw new StateError("CORRUPT_DATA", "bad block hash index record");
      height = readU64be(stored);
    }
    const block = await this.getBlock(height);
    return block === undefined ? undefined : { height, block };
  }

  /** The bytes of tx `index` of block `height`; undefined if the block or the tx is not stored. */
  async getTxAt(height: number, index: number): Promise<Uint8Array | undefined> {
    return this.recentTxs.element(height, index, () => this.getBlockBytes(height));
  }

  /** The encoded TxResult of tx `index` of block `height`; undefined if not stored. */
  async getTxResultBytesAt(height: number, index: number): Promise<Uint8Array | undefined> {
    return this.recentResults.element(height, index, () => this.getBlockResultsBytes(height));
  }

  async getCommit(height: number): Promise<Commit | undefined> {
    const bytes = this.unflushed.get(height)?.commit ?? (await this.read(Prefix.Commit, height));
    return bytes === undefined ? undefined : decodeStored(Commit, bytes, `commit ${height}`);
  }

  putBlockResults(batch: WriteBatch, results: BlockResults): void {
    const height = results.height;
    if (!Number.isSafeInteger(height) || height < 1) {
      throw new StateError("INVALID_ARGUMENT", `block results height must be >= 1, got ${height}`);
    }
    this.putBlockResultsEncoded(batch, height, encode(BlockResults, results));
  }

  /** Like putBlockResults, for results the caller already encoded (`bytes` is a BlockResults). */
  putBlockResultsEncoded(batch: WriteBatch, height: number, bytes: Uint8Array): void {
    if (!Number.isSafeInteger(height) || height < 1) {
      throw new StateError("INVALID_ARGUMENT", `block results height must be >= 1, got ${height}`);
    }
    batch.put(prefixed(Prefix.BlockResults, u64be(height)), bytes);
    this.remember(height, { results: bytes });
  }

  async getBlockResults(height: number): Promise<BlockResults | undefined> {
    const bytes = await this.getBlockResultsBytes(height);
    return bytes === undefined ? undefined : decodeStored(BlockResults, bytes, `block results ${height}`);
  }

  private async getBlockResultsBytes(height: number): Promise<Uint8Array | undefined> {
    return this.unflushed.get(height)?.results ?? (await this.read(Prefix.BlockResults, height));
  }

  private async blockRecord(height: number): Promise<Uint8Array | undefined> {
    const record = this.unflushed.get(height)?.block ?? (await this.read(Prefix.Block, height));
    if (record !== undefined && record.length < HASH_LENGTH) {
      throw new StateError("CORRUPT_DATA", `bad stored block ${height}`);
    }
    return record;
  }

  private async read(prefix: number, height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 1) return undefined;
    return this.db.get(prefixed(prefix, u64be(height)));
  }

  private remember(height: number, entry: Unflushed): void {
    this.unflushed.set(height, { ...this.unflushed.get(height), ...entry });
    for (const h of this.unflushed.keys()) {
      if (h > height - UNFLUSHED_HEIGHTS) continue;
      this.unflushed.delete(h);
    }
    for (const [hash, h] of this.unflushedByHash)
      if (!this.unflushed.has(h)) this.unflushedByHash.delete(hash);
  }
}

function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString("hex");
}

function decodeStored<T>(codec: { decode(bytes: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new StateError("CORRUPT_DATA", `stored ${what} does not decode: ${(err as Error).message}`);
  }
}
