// Decoded txs by hash. A tx is decoded when checkTx admits it, again on every mempool recheck, and
// again in processProposal and finalizeBlock; the stateless result depends only on the bytes (the
// hash), the chain id and the params, so it is kept while the params object stays the same.
import type { ChainParams } from "../params.js";
import type { DecodedTx } from "./decode.js";

export class DecodedTxCache {
  private readonly capacity: number;
  private params: ChainParams | undefined;
  /** Insertion-ordered: the oldest entries are evicted first. */
  private readonly entries = new Map<string, DecodedTx>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get(hashId: string, params: ChainParams): DecodedTx | undefined {
    if (params !== this.params) return undefined;
    return this.entries.get(hashId);
  }

  set(tx: DecodedTx, params: ChainParams): void {
    if (this.capacity <= 0) return;
    if (params !== this.params) {
      // New params: what was decoded under the old ones may no longer pass.
      this.entries.clear();
      this.params = params;
    }
    this.entries.set(tx.hashId, tx);
    // Evict a chunk at a time: deleted Map entries stay as holes that keys().next() walks over
    // until V8 rehashes, so one eviction per insert costs O(holes).
    if (this.entries.size > this.capacity) {
      let excess = this.entries.size - this.capacity + (this.capacity >> 4);
      for (const oldest of this.entries.keys()) {
        this.entries.delete(oldest);
        if (--excess <= 0) break;
      }
    }
  }

  delete(hashId: string): void {
    this.entries.delete(hashId);
  }

  get size(): number {
    return this.entries.size;
  }
}
