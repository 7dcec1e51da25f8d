// The waiting txs of one sender, kept sorted by nonce. A sender's txs can only execute in nonce
// order starting at the account's next nonce, so this is the unit the mempool proposes, evicts
// and rechecks by.
import type { MempoolTx } from "./types.js";

export class SenderQueue {
  /** Sorted by nonce, one tx per nonce. */
  private readonly txs: MempoolTx[] = [];
  /**
   * The account's next nonce after the last committed block, when known. Txs are proposed only
   * as a run contiguous from it; when unknown the lowest waiting nonce starts the run.
   */
  nextNonce: number | undefined;

  constructor(readonly sender: string) {}

  get size(): number {
    return this.txs.length;
  }

  all(): readonly MempoolTx[] {
    return this.txs;
  }

  get(nonce: number): MempoolTx | undefined {
    const i = this.indexOf(nonce);
    const tx = this.txs[i];
    return tx !== undefined && tx.nonce === nonce ? tx : undefined;
  }

  /** Inserts `tx`; the caller has made sure its nonce is free. */
  insert(tx: MempoolTx): void {
    this.txs.splice(this.indexOf(tx.nonce), 0, tx);
  }

  remove(tx: MempoolTx): boolean {
    const i = this.indexOf(tx.nonce);
    if (this.txs[i] !== tx) return false;
    this.txs.splice(i, 1);
    return true;
  }

  /** `tx` and every later-nonce tx: what a removal of `tx` would leave stranded behind a gap. */
  fromNonce(nonce: number): MempoolTx[] {
    return this.txs.slice(this.indexOf(nonce));
  }

  /** The txs that may be proposed now: the run of consecutive nonces from the account's next one. */
  ready(): MempoolTx[] {
    if (this.txs.length === 0) return [];
    const start = this.nextNonce ?? this.txs[0]!.nonce;
    const out: MempoolTx[] = [];
    for (let i = this.indexOf(start), expected = start; i < this.txs.length; i++, expected++) {
      const tx = this.txs[i]!;
      if (tx.nonce !== expected) break;
      out.push(tx);
    }
    return out;
  }

  /** Earliest arrival among the sender's txs (orders senders deterministically). */
  firstSeq(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const tx of this.txs) if (tx.seq < min) min = tx.seq;
    return min;
  }

  /** Index of the first tx with nonce >= `nonce`. */
  private indexOf(nonce: number): number {
    let lo = 0;
    let hi = this.txs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.txs[mid]!.nonce < nonce) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
