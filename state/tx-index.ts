// Committed transactions by hash. Records go into the caller's WriteBatch with the block; the
// most recent ones also stay in memory so a lookup right after commit does not miss them
// before the caller has written the batch.
import { encode } from "../proto/canonical.js";
import { TxRecord } from "../proto/index.js";
import { type KyochiDb, Prefix, prefixed, type WriteBatch } from "./db.js";
import { StateError } from "./errors.js";

/** Records kept in memory after put(): a bit more than one large block. */
const UNFLUSHED_RECORDS = 32_768;
/** Records allowed above UNFLUSHED_RECORDS before the oldest are evicted together. */
const EVICT_SLACK = 4_096;

export class TxIndex {
  private readonly unflushed = new Map<string, Uint8Array>();

  constructor(private readonly db: KyochiDb) {}

  put(batch: WriteBatch, record: TxRecord): void {
    this.putEncoded(batch, record.hash, encode(TxRecord, record));
  }

  /** Like put, for a record the caller already encoded (`bytes` must be a TxRecord with this hash). */
  putEncoded(batch: WriteBatch, hash: Uint8Array, bytes: Uint8Array): void {
    if (hash.length === 0) throw new StateError("INVALID_ARGUMENT", "a tx record needs the tx hash");
    batch.put(prefixed(Prefix.TxByHash, hash), bytes);
    const key = hashKey(hash);
    this.unflushed.delete(key);
    this.unflushed.set(key, bytes);
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

  async get(hash: Uint8Array): Promise<TxRecord | undefined> {
    if (hash.length === 0) return undefined;
    const bytes = this.unflushed.get(hashKey(hash)) ?? (await this.db.get(prefixed(Prefix.TxByHash, hash)));
    if (bytes === undefined) return undefined;
    try {
      return TxRecord.decode(bytes);
    } catch (err) {
      throw new StateError("CORRUPT_DATA", `stored tx record does not decode: ${(err as Error).message}`);
    }
  }
}

function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString("hex");
}
