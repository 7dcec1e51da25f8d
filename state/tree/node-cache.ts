// A bounded cache of encoded nodes, keyed by their db key. Nodes are immutable (a new version
// writes a new key), so a cached node never goes out of date; it only stops being reachable.
//
// Two generations instead of a strict LRU: hits in the young map cost one lookup (no reordering);
// hits in the old map move the node to the young one; when the young map is full it becomes the
// old one and the old one is dropped. Nodes used every block (the top levels) always survive.

/** Per-entry bookkeeping beyond the node bytes (Map slot, key string, Uint8Array header), roughly. */
const ENTRY_OVERHEAD = 160;

export class NodeCache {
  private young = new Map<string, Uint8Array>();
  private old = new Map<string, Uint8Array>();
  private youngBytes = 0;
  private readonly generationBytes: number;

  constructor(maxBytes: number) {
    this.generationBytes = Math.max(1, Math.floor(maxBytes / 2));
  }

  get(key: string): Uint8Array | undefined {
    const node = this.young.get(key);
    if (node !== undefined) return node;
    const aged = this.old.get(key);
    if (aged !== undefined) {
      this.old.delete(key);
      this.add(key, aged);
    }
    return aged;
  }

  set(key: string, node: Uint8Array): void {
    if (this.young.has(key)) return;
    this.old.delete(key);
    this.add(key, node);
  }

  delete(key: string): void {
    const node = this.young.get(key);
    if (node !== undefined) {
      this.young.delete(key);
      this.youngBytes -= node.length + ENTRY_OVERHEAD;
      return;
    }
    this.old.delete(key);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private add(key: string, node: Uint8Array): void {
    this.young.set(key, node);
    this.youngBytes += node.length + ENTRY_OVERHEAD;
    if (this.youngBytes > this.generationBytes) {
      this.old = this.young;
      this.young = new Map();
      this.youngBytes = 0;
    }
  }
}
