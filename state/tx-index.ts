// Committed transactions by hash. The index stores where each tx is (height and index in its
// block, 12 bytes), not a copy of it: the tx's bytes are in the stored block and its result in
// the stored BlockResults, and a lookup reads them from there. A copy of both had been about 440
// bytes per transfer under a random key, which LevelDB rewrites at every level it compacts:
// measured with the transfers benchmark at 1M accounts, the copies cost about a sixth of a
// transfer's whole CPU (mostly LevelDB's compaction thread).
//
// Records go into the caller's WriteBatch with the block; the most recent ones also stay in
// memory so a lookup right after commit does not miss them before the caller has written the
// batch (the block store does the same for its blocks and results).
import { latin1Id } from "../crypto/bytes.js";
import { allocSmall } from "../crypto/small-bytes.js";
import { TxRecord, TxResult } from "../proto/index.js";
import { type KyochiDb, Prefix, prefixed, readU64be, type WriteBatch } from "./db.js";
import { StateError } from "./errors.js";

/**
 * Heights whose locations stay in memory after put(). Consensus writes each block's batch before
 * it commits the next block, so the last few heights cover every batch not yet written.
 */
const UNFLUSHED_HEIGHTS = 4;
/** A location record: height u64 BE | index u32 BE. */
const LOCATION_LENGTH = 12;

/** Where the index finds a committed tx and its result (the block store). */
export interface CommittedTxSource {
  getTxAt(height: number, index: number): Promise<Uint8Array | undefined>;
  getTxResultBytesAt(height: number, index: number): Promise<Uint8Array | undefined>;
}

export class TxIndex {
  /** height -> (hash id -> index in the block), for the heights just put. */
  private readonly unflushed = new Map<number, Map<string, number>>();

  constructor(
    private readonly db: KyochiDb,
    private readonly blocks: CommittedTxSource,
  ) {}

  /**
   * Records that the tx `hash` is tx `index` of block `height`. The block and its results must be
   * stored in the same batch (or before it): the record only points at them. `hashId` is
   * latin1Id(hash), passed by a caller that already has it.
   */
  put(batch: WriteBatch, hash: Uint8Array, height: number, index: number, hashId = latin1Id(hash)): void {
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
    let atHeight = this.unflushed.get(height);
    if (atHeight === undefined) {
      atHeight = new Map();
      this.unflushed.set(height, atHeight);
      for (const h of this.unflushed.keys()) if (h <= height - UNFLUSHED_HEIGHTS) this.unflushed.delete(h);
    }
    atHeight.set(hashId, index);
  }

  /** Whether the tx `hash` is committed, without reading its block. */
  async has(hash: Uint8Array): Promise<boolean> {
    if (hash.length === 0) return false;
    return (
      this.unflushedLocation(hash) !== undefined ||
      (await this.db.get(prefixed(Prefix.TxByHash, hash))) !== undefined
    );
  }

  async get(hash: Uint8Array): Promise<TxRecord | undefined> {
    if (hash.length === 0) return undefined;
    let location = this.unflushedLocation(hash);
    if (location === undefined) {
      const stored = await this.db.get(prefixed(Prefix.TxByHash, hash));
      if (stored === undefined) return undefined;
      // Homes written before the index stored locations hold whole TxRecords (34 bytes or more).
      if (stored.length !== LOCATION_LENGTH) return decodeLegacyRecord(stored);
      const view = new DataView(stored.buffer, stored.byteOffset, LOCATION_LENGTH);
      location = { height: readU64be(stored, 0), index: view.getUint32(8) };
    }
    const { height, index } = location;
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

  /** The location of `hash` if put at one of the last heights (their batch may be unwritten). */
  private unflushedLocation(hash: Uint8Array): { height: number; index: number } | undefined {
    if (this.unflushed.size === 0) return undefined;
    const id = latin1Id(hash);
    for (const [height, atHeight] of this.unflushed) {
      const index = atHeight.get(id);
      if (index !== undefined) return { height, index };
    }
    return undefined;
  }
}

function decodeLegacyRecord(bytes: Uint8Array): TxRecord {
  try {
    return TxRecord.decode(bytes);
  } catch (err) {
    throw new StateError("CORRUPT_DATA", `stored tx record does not decode: ${(err as Error).message}`);
  }
}
