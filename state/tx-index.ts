// Committed transactions by hash. Records go into the caller's WriteBatch with the block; the
// most recent ones also stay in memory so a lookup right after commit does not miss them
// before the caller has written the batch.
import { encode } from "../proto/canonical.js";
import { TxRecord } from "../proto/index.js";
import { type KyochiDb, Prefix, prefixed, type WriteBatch } from "./db.js";
import { StateError } from "./errors.js";

/** Records kept in memory after put(): a bit more than one large block. */
const UNFLUSHED_RECORDS = 32_768;

export class TxIndex {
  private readonly unflushed = new Map<string, Uint8Array>();

  constructor(private readonly db: KyochiDb) {}

  put(batch: WriteBatch, record: TxRecord): void {
    if (record.hash.length === 0) throw new StateError("INVALID_ARGUMENT", "a tx record needs the tx hash");
    const bytes = encode(TxRecord, record);
    batch.put(prefixed(Prefix.TxByHash, record.hash), bytes);
    const key = hashKey(record.hash);
    this.unflushed.delete(key);
    this.unflushed.set(key, bytes);
    if (this.unflushed.size > UNFLUSHED_RECORDS) {
      this.unflushed.delete(this.unflushed.keys().next().value as string);
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
