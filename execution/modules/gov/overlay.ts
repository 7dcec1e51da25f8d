// A write layer over any KvStore: governance tries a change on it (a proposal's content checked
// at submission, a param change at its height) and keeps the writes only if every step passed.
import type { KvStore, Peeked, StateKey } from "../../store.js";

export class Overlay implements KvStore {
  private readonly parent: KvStore;
  private readonly writes = new Map<string, { key: StateKey; value: Uint8Array | null }>();

  constructor(parent: KvStore) {
    this.parent = parent;
  }

  get(key: StateKey): Promise<Uint8Array | undefined> {
    const w = this.writes.get(key.id);
    if (w !== undefined) return Promise.resolve(w.value ?? undefined);
    return this.parent.get(key);
  }

  peek(key: StateKey): Peeked {
    const w = this.writes.get(key.id);
    if (w !== undefined) return w.value ?? undefined;
    return this.parent.peek(key);
  }

  set(key: StateKey, value: Uint8Array): void {
    this.writes.set(key.id, { key, value });
  }

  delete(key: StateKey): void {
    this.writes.set(key.id, { key, value: null });
  }

  /** Writes this layer's changes into its parent, in the order they were first made. */
  commit(): void {
    for (const { key, value } of this.writes.values()) {
      if (value === null) this.parent.delete(key);
      else this.parent.set(key, value);
    }
    this.writes.clear();
  }
}
