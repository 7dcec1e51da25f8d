// The node's committed blocks as an in-process feed: whoever produces commits (the node's
// consensus, the in-memory test chain) calls `emit` once per block, in height order; RPC
// surfaces (WebSocket subscriptions, gRPC StreamBlocks) listen. Listeners are called
// synchronously and must not block: they queue or drop on their own. One failing listener
// neither stops the others nor reaches the producer (consensus must never be harmed by a reader).
import type { CommittedBlock } from "../backend.js";

export type CommittedListener = (committed: CommittedBlock) => void;

export class CommitFeed {
  private readonly listeners = new Set<CommittedListener>();

  /** `onError` hears a listener's throw (logged by the node); the feed goes on. */
  constructor(private readonly onError: (err: unknown) => void = () => {}) {}

  /** Number of listeners (for status and tests). */
  get size(): number {
    return this.listeners.size;
  }

  /** Adds a listener; the returned function removes it (calling it twice is harmless). */
  subscribe(listener: CommittedListener): () => void {
    // A wrapper, so the same function subscribed twice gets two independent subscriptions.
    const entry: CommittedListener = (c) => listener(c);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  /** Called by the producer once per committed block, in height order. */
  emit(committed: CommittedBlock): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(committed);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Drops every listener (on shutdown). */
  close(): void {
    this.listeners.clear();
  }
}
