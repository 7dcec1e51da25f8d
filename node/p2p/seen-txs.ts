// The txs this host saw on the wire lately (peers' batches, its own broadcasts, the blocks it
// sent, the txs it fetched for blocks), by sha256, so a compact block is rebuilt, and a peer's request for txs answered, without
// asking the mempool: a block's txs may still be in their admission checks, or refused by this
// node's mempool (full, a nonce it has not caught up with), when the block arrives.
// First in, first out, within a byte budget.
import { sha256 } from "../../crypto/hash.js";

export class SeenTxs {
  private readonly byHash = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  /**
   * Records a copy of `tx` (a view would keep the whole gossip message or block it came in
   * alive); `hash` is its sha256 when the caller has it.
   */
  add(tx: Uint8Array, hash: Uint8Array = sha256(tx)): void {
    const key = hashKey(hash);
    if (this.byHash.has(key)) return;
    this.byHash.set(key, tx.slice());
    this.bytes += tx.length;
    if (this.bytes > this.maxBytes) this.evict();
  }

  /**
   * Drops the oldest txs until a sixteenth of the budget is free. Not one tx per add: V8 keeps a
   * Map's deleted entries as holes until it rehashes, and iterating from the start walks over all
   * of them, so at a full budget every add had cost O(holes): 2.6 µs per add grew to 164 µs over
   * three budgets' worth of 180-byte txs (`KYOCHI_BENCH_ONLY=seen-txs npm run bench`).
   */
  private evict(): void {
    const target = this.maxBytes - (this.maxBytes >> 4);
    for (const [k, old] of this.byHash) {
      if (this.bytes <= target) break;
      this.byHash.delete(k);
      this.bytes -= old.length;
    }
  }

  get(hash: Uint8Array): Uint8Array | undefined {
    return this.byHash.get(hashKey(hash));
  }

  get size(): number {
    return this.byHash.size;
  }
}

/** latin1 keeps one char per byte: the cheapest string key of a hash. */
function hashKey(hash: Uint8Array): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString("latin1");
}
