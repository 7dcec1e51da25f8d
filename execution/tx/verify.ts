// Signature checks with a memory of what was already verified. A tx's hash is sha256 of all its
// bytes (body, key and signature), so a hash that verified once verifies forever: checkTx records
// it, and processProposal/finalizeBlock skip it. What is not known yet is verified in one batch,
// spread over every core by the VerifyPool (or inline when there is no pool).
//
// checkTx's checks always go to the pool's workers as background work, however few: the workers
// run below the main thread's priority, so under full CPU the admission of new txs waits and
// consensus (votes, proposals, commits) does not; and a block's checks go ahead of them in the
// workers' queues. On a loaded 4-validator devnet, inline checks of gossiped txs had been a tenth
// of each node's main thread.
import { verifySignature } from "../../crypto/keys.js";
import type { VerifyItem, VerifyPool } from "../../crypto/verify-pool.js";
import type { DecodedTx } from "./decode.js";

/** The part of crypto's VerifyPool that execution uses. */
export type BatchVerifier = Pick<VerifyPool, "verifyBatch">;

export class SignatureVerifier {
  private readonly pool: BatchVerifier | undefined;
  private readonly capacity: number;
  /** Insertion-ordered, so the oldest entries are evicted first. */
  private readonly verified = new Set<string>();
  /** checkTx calls arriving in the same tick share one pool batch. */
  private queue: { item: VerifyItem; resolve: (ok: boolean) => void; reject: (err: unknown) => void }[] = [];
  private flushScheduled = false;

  constructor(pool: BatchVerifier | undefined, capacity: number) {
    this.pool = pool;
    this.capacity = capacity;
  }

  isVerified(tx: DecodedTx): boolean {
    return this.verified.has(tx.hashId);
  }

  get size(): number {
    return this.verified.size;
  }

  /** Verifies one tx (checkTx); concurrent calls are coalesced into one pool batch. */
  async verifyOne(tx: DecodedTx): Promise<boolean> {
    if (this.verified.has(tx.hashId)) return true;
    const ok = await new Promise<boolean>((resolve, reject) => {
      this.queue.push({ item: toItem(tx), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
    if (ok) this.remember(tx.hashId);
    return ok;
  }

  /** Verifies every tx not verified before, all at once; result i is for txs[i]. */
  async verifyMany(txs: readonly DecodedTx[]): Promise<boolean[]> {
    const results = new Array<boolean>(txs.length).fill(true);
    const todo: number[] = [];
    for (let i = 0; i < txs.length; i++) if (!this.verified.has((txs[i] as DecodedTx).hashId)) todo.push(i);
    if (todo.length === 0) return results;
    const items = todo.map((i) => toItem(txs[i] as DecodedTx));
    const oks = await this.run(items);
    for (let k = 0; k < todo.length; k++) {
      const i = todo[k] as number;
      const ok = oks[k] === true;
      results[i] = ok;
      if (ok) this.remember((txs[i] as DecodedTx).hashId);
    }
    return results;
  }

  /** `background`: admission checks, queued behind a block's (see VerifyPool.verifyBatch). */
  private run(items: VerifyItem[], background = false): Promise<boolean[]> {
    const inline = () =>
      items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));
    if (!this.pool) return Promise.resolve(inline());
    // A worker that dies (or a closed pool) must not fail a block: the answer is the same when
    // computed here, only slower.
    return this.pool.verifyBatch(items, { background }).catch(inline);
  }

  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    this.queue = [];
    this.run(
      queue.map((q) => q.item),
      true,
    ).then(
      (oks) => {
        for (const [i, q] of queue.entries()) q.resolve(oks[i] === true);
      },
      (err: unknown) => {
        for (const q of queue) q.reject(err);
      },
    );
  }

  private remember(hashId: string): void {
    this.verified.add(hashId);
    // Evict a sixteenth at a time: V8 keeps deleted Set entries as holes until it rehashes, and
    // iterating from the start walks over all of them, so evicting one entry per insert made
    // every insert at capacity walk thousands of holes (visible in the transfers profile).
    if (this.verified.size > this.capacity) {
      let excess = this.verified.size - this.capacity + (this.capacity >> 4);
      for (const oldest of this.verified) {
        this.verified.delete(oldest);
        if (--excess <= 0) break;
      }
    }
  }
}

function toItem(tx: DecodedTx): VerifyItem {
  return { keyType: tx.keyType, publicKey: tx.publicKey, message: tx.bodyBytes, signature: tx.signature };
}
