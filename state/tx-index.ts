// Committed transactions by hash. The index stores where each tx is (height and index in its
// block, 12 bytes), not a copy of it: the tx's bytes are in the stored block and its result in
// the stored BlockResults, and a lookup reads them from there. A copy of both had been about 440
// bytes per transfer under a random key, which LevelDB rewrites at every level it compacts:
// measured with the transfers benchmark at 1M accounts, the copies cost about a fifth of a
// transfer's whole CPU (mostly LevelDB's compaction thread).
//
// Records go into the caller's WriteBatch with the block; the most recent ones also stay in
// memory so a lookup right after commit does not miss them before the caller has written the
// batch (the block store does the same for its blocks and results).
import { allocSmall } from "../crypto/small-bytes.js";
import { TxRecord, TxResult } from "../proto/index.js";
import { type KyochiDb, Prefix, prefixed, readU64be, type WriteBatch } from "./db.js";
import { StateError } from "./errors.js";

/** Records kept in memory after put(): a bit more than one large block. */
const UNFLUSHED_RECORDS = 32_768;
/** Records allowed above UNFLUSHED_RECORDS before the oldest are evicted together. */
const EVICT_SLACK = 4_096;
/** A location record: height u64 BE | index u32 BE. */
const LOCATION_LENGTH = 12;

/** Where the index finds a committed tx and its result (the block store). */
export interface CommittedTxSource {
  getTxAt(height: number, index: number): Promise<Uint8Array | undefined>;
  getTxResultBytesAt(height: number, index: number): Promise<Uint8Array | undefined>;
}

export class TxIndex {
  private readonly unflushed = new Map<string, Uint8Array>();

  constructor(
    private readonly db: KyochiDb,
    private readonly blocks: CommittedTxSource,
  ) {}

  /**
   * Records that the tx `hash` is tx `index` of block `height`. The block and its results must be
   * stored in the same batch (or before it): the record only points at them.
   */
  put(batch: WriteBatch, hash: Uint8Array, height: number, index: number): void {
    if (hash.length === 0) throw new StateError("INVALID_ARGUMENT", "a tx record needs the tx hash");
    if (
      !Number.isSafeInteger(height) ||
      height < 1 ||
      !Number.isInteger(index) ||
      index < 0 ||
      index > 0xffffffff
    ) {
      throw new StateError("INVALID_ARGUMENT", `bad tx location: height ${height}, index ${index}`);
    }
    const location = allocSmall(LOCATION_LENGTH);
    const view = new DataView(location.buffer, location.byteOffset, LOCATION_LENGTH);
    view.setUint32(0, Math.floor(height / 2 ** 32));
    view.setUint32(4, height >>> 0);
    view.setUint32(8, index);
    batch.put(prefixed(Prefix.TxByHash, hash), location);
    const key = hashKey(hash);
    this.unflushed.delete(key);
    this.unflushed.set(key, location);
    // Evict in chunks: V8 keeps deleted Map entries as holes until it rehashes, so taking the
    // oldest one per put (keys().next()) rescans every hole left so far, O(size) per put.
    if (this.unflushed.size > UNFLUSHED_RECORDS + EVICT_SLACK) {
      let excess = this.unflushed.size - UNFLUSHED_RECORDS;
      for (const oldest of this.unflushed.keys()) {
        this.unflushed.delete(oldest);
        if (--excess <= 0) break;
      }
    }
  }

  /** Whether the tx `hash` is committed, without reading its block. */
  async has(hash: Uint8Array): Promise<boolean> {
    if (hash.length === 0) return false;
    return (
      this.unflushed.has(hashKey(hash)) || (await this.db.get(prefixed(Prefix.TxByHash, hash))) !== undefined
    );
  }

  async get(hash: Uint8Array): Promise<TxRecord | undefined> {
    if (hash.length === 0) return undefined;
    const stored = this.unflushed.get(hashKey(hash)) ?? (await this.db.get(prefixed(Prefix.TxByHash, hash)));
    if (stored === undefined) return undefined;
    // Homes written before the index stored locations hold whole TxRecords (34 bytes or more).
    if (stored.length !== LOCATION_LENGTH) return decodeLegacyRecord(stored);
    const height = readU64be(stored, 0);
    const index = new DataView(stored.buffer, stored.byteOffset, LOCATION_LENGTH).getUint32(8);
    const [tx, resultBytes] = await Promise.all([
      this.blocks.getTxAt(height, index),
      this.blocks.getTxResultBytesAt(height, index),
    ]);
    if (tx === undefined || resultBytes === undefined) {
      throw new StateError(
        "CORRUPT_DATA",
        `the tx index points at tx ${index} of block ${height}, which is not stored with its result`,
      );
    }
    let result: TxResult;
    try {
      result = TxResult.decode(resultBytes);
    } catch (err) {
      throw new StateError("CORRUPT_DATA", `stored tx result does not decode: ${(err as Error).message}`);
    }
    const record = new TxRecord();
    record.hash = Uint8Array.prototype.slice.call(hash);
    record.height = height;
    record.index = index;
    record.tx = tx;
    record.result = result;
    return record;
  }
}

function decodeLegacyRecord(bytes: Uint8Array): TxRecord {
  try {
    return TxRecord.decode(bytes);
  } catch (err) {
    throw new StateError("CORRUPT_DATA", `stored tx record does not decode: ${(err as Error).message}`);
  }
}

function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString("hex");
}
