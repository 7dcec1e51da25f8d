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
//
// The checks waiting for a worker wait here, not in the pool, and are handed over a chunk at a
// time as workers free up: a check whose tx a block verified meanwhile, or whose nonce a committed
// block used (`isStale`), is answered without one. On a devnet offered more txs than it could
// take, admission checks waited seconds for the workers; a fifth of them were for txs committed
// while they waited, and their blocks had verified them a second time.
import { verifySignature } from "../../crypto/keys.js";
import { BACKGROUND_CHUNK, type VerifyItem, type VerifyPool } from "../../crypto/verify-pool.js";
import type { DecodedTx } from "./decode.js";

/** The part of crypto's VerifyPool that execution uses. */
export type BatchVerifier = Pick<VerifyPool, "verifyBatch" | "threads">;

/** What an admission check learnt: `stale` when it was dropped unverified because `isStale` said so. */
export type CheckVerdict = "valid" | "invalid" | "stale";

interface QueuedCheck {
  tx: DecodedTx;
  isStale: (() => boolean) | undefined;
  resolve(verdict: CheckVerdict): void;
  reject(err: unknown): void;
}

export class SignatureVerifier {
  private readonly pool: BatchVerifier | undefined;
  private readonly capacity: number;
  /** Insertion-ordered, so the oldest entries are evicted first. */
  private readonly verified = new Set<string>();
  /** Admission checks not handed to the pool yet, oldest first. */
  private readonly backlog: QueuedCheck[] = [];
  /** Admission chunks at the pool: at most one per worker, so the backlog stays here. */
  private chunksInFlight = 0;
  private readonly maxChunksInFlight: number;
  private pumpScheduled = false;

  constructor(pool: BatchVerifier | undefined, capacity: number) {
    this.pool = pool;
    this.capacity = capacity;
    this.maxChunksInFlight = pool?.threads ?? 1;
  }

  isVerified(tx: DecodedTx): boolean {
    return this.verified.has(tx.hashId);
  }

  get size(): number {
    return this.verified.size;
  }

  /**
   * Verifies one tx as background work (checkTx); calls in the same tick share a pool batch.
   * `isStale` is asked when the check's turn comes: true drops it unverified ("stale"), for a tx
   * whose answer no longer matters (its nonce was used meanwhile).
   */
  verifyOne(tx: DecodedTx, isStale?: () => boolean): Promise<CheckVerdict> {
    if (this.verified.has(tx.hashId)) return Promise.resolve("valid");
    return new Promise<CheckVerdict>((resolve, reject) => {
      this.backlog.push({ tx, isStale, resolve, reject });
      this.schedulePump();
    });
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
    if (!this.pool) {
      // A throw here would escape pump()'s setImmediate and take the process down.
      try {
        return Promise.resolve(inline());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    // A worker that dies (or a closed pool) must not fail a block: the answer is the same when
    // computed here, only slower.
    return this.pool.verifyBatch(items, { background }).catch(inline);
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  /** Hands the pool chunks of the backlog while it has a worker without one. */
  private pump(): void {
    this.pumpScheduled = false;
    while (this.chunksInFlight < this.maxChunksInFlight && this.backlog.length > 0) {
      const chunk = this.takeChunk();
      if (chunk.length === 0) continue;
      this.chunksInFlight++;
      this.run(
        chunk.map((q) => toItem(q.tx)),
        true,
      )
        .then(
          (oks) => {
            for (const [i, q] of chunk.entries()) {
              const ok = oks[i] === true;
              if (ok) this.remember(q.tx.hashId);
              q.resolve(ok ? "valid" : "invalid");
            }
          },
          (err: unknown) => {
            for (const q of chunk) q.reject(err);
          },
        )
        .finally(() => {
          this.chunksInFlight--;
          if (this.backlog.length > 0) this.schedulePump();
        });
    }
  }

  /** The next checks that still need a worker (up to one chunk); answers the others on the way. */
  private takeChunk(): QueuedCheck[] {
    const taken = this.backlog.splice(0, BACKGROUND_CHUNK);
    const chunk: QueuedCheck[] = [];
    for (const q of taken) {
      if (this.verified.has(q.tx.hashId)) q.resolve("valid");
      else if (q.isStale?.() === true) q.resolve("stale");
      else chunk.push(q);
    }
    return chunk;
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
