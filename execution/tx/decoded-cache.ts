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
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(hashId: string): void {
    this.entries.delete(hashId);
  }

  get size(): number {
    return this.entries.size;
  }
}
