// A bounded cache of encoded nodes, keyed by their db key, kept off the JS heap.
//
// Why not a Map<string, Uint8Array>: at 1M keys the tree has ~330k internal nodes, and a Map of
// that many strings and typed arrays made V8's major GCs take 0.3-1 s each (measured), several
// times a minute. Here the nodes live in one ring buffer (an append-only log that overwrites its
// oldest entries) and the index is an open-addressing hash table in typed arrays: no per-entry
// JS objects at all. Nodes are immutable (a new version writes a new key), so an entry never goes
// out of date; it only ages out of the ring. Hits in the older half of the ring are appended
// again, so nodes used every block (the top levels) stay.
//
// Entry layout in the ring (8-byte aligned): u32 entry length | u8 key length | key | node.
//
// An index slot whose entry aged out of the ring is dead but still occupied. Each insert sweeps a
// few slots ahead of a cursor and empties the dead ones (backward-shift deletion, so probe chains
// stay intact): the occupied slots stay close to the live entries, and the table is rebuilt only
// while the live entries grow. Before, it was rebuilt whenever dead slots filled half of it: at
// 1M accounts, a 4M-slot table allocated and refilled in one go, 128 ms on the block that hit it.

const MIN_CAPACITY = 1 << 16;
/** The ring starts this small and doubles until it reaches the configured size. */
const INITIAL_CAPACITY = 4 << 20;
const BYTES_PER_SLOT = 128;
const HEADER = 5;
/**
 * Index slots swept per insert. The table has at least 4 slots per live entry and about one
 * entry dies per insert once the ring is full, so a lap of 8 per insert leaves at most half as
 * many dead slots as live ones: the table stays under the half-full mark that forces a rebuild.
 */
const SWEEP_PER_INSERT = 8;

function align8(n: number): number {
  return (n + 7) & ~7;
}

function fingerprint(key: Uint8Array): number {
  // FNV-1a, 32-bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  return h >>> 0;
}

export class NodeCache {
  private ring: Uint8Array;
  private view: DataView;
  private capacity: number;
  private readonly maxCapacity: number;
  /** logical bytes appended so far; the ring holds [written - capacity, written) */
  private written = 0;
  private mask: number;
  private fingerprints: Uint32Array;
  /** logical position + 1 of the entry, 0 for an empty slot */
  private positions: Float64Array;
  private used = 0;
  /** next index slot the sweep looks at */
  private sweepAt = 0;
  private rebuilds = 0;

  constructor(maxBytes: number) {
    this.maxCapacity = Math.max(MIN_CAPACITY, Math.floor(maxBytes / 8) * 8);
    this.capacity = Math.min(this.maxCapacity, INITIAL_CAPACITY);
    this.ring = new Uint8Array(this.capacity);
    this.view = new DataView(this.ring.buffer);
    let slots = 1024;
    while (slots < this.capacity / BYTES_PER_SLOT) slots *= 2;
    this.mask = slots - 1;
    this.fingerprints = new Uint32Array(slots);
    this.positions = new Float64Array(slots);
  }

  /** While > 0, set() does nothing, so views handed out by peek() stay valid. */
  private frozen = 0;

  /** A copy of the cached node (callers may hold it across awaits while the ring moves on). */
  get(key: Uint8Array): Uint8Array | undefined {
    const p = this.find(key);
    if (p < 0) return undefined;
    const at = p % this.capacity;
    const node = this.ring.slice(at + HEADER + key.length, at + this.view.getUint32(at, true));
    if (p < this.written - this.capacity / 2) this.set(key, node); // keep hot nodes in the ring
    return node;
  }

  /**
   * A view of the cached node, without copying: valid only until the next set() that is not
   * suppressed by freeze(). Used by commits, which freeze the cache while they hold views.
   */
  peek(key: Uint8Array): Uint8Array | undefined {
    const p = this.find(key);
    if (p < 0) return undefined;
    const at = p % this.capacity;
    return this.ring.subarray(at + HEADER + key.length, at + this.view.getUint32(at, true));
  }

  freeze(): void {
    this.frozen++;
  }

  unfreeze(): void {
    this.frozen--;
  }

  get isFrozen(): boolean {
    return this.frozen > 0;
  }

  set(key: Uint8Array, node: Uint8Array): void {
    if (key.length > 255 || this.frozen > 0) return;
    const length = align8(HEADER + key.length + node.length);
    if (length > this.capacity / 4) return;
    if (this.written + length > this.capacity && this.capacity < this.maxCapacity) this.grow(length);
    let at = this.written % this.capacity;
    if (at + length > this.capacity) {
      this.written += this.capacity - at; // skip the tail; the entry starts the next lap
      at = 0;
    }
    this.view.setUint32(at, HEADER + key.length + node.length, true);
    this.ring[at + 4] = key.length;
    this.ring.set(key, at + HEADER);
    this.ring.set(node, at + HEADER + key.length);
    const position = this.written;
    this.written += length;
    this.index(key, fingerprint(key), position);
  }

  /**
   * Doubles the ring (up to its maximum). Only called before the ring has wrapped, so every
   * entry's position maps to the same offset in the larger ring.
   */
  private grow(length: number): void {
    let capacity = this.capacity;
    while (capacity < this.written + length && capacity < this.maxCapacity) capacity *= 2;
    capacity = Math.min(capacity, this.maxCapacity);
    const ring = new Uint8Array(capacity);
    ring.set(this.ring.subarray(0, this.written));
    this.ring = ring;
    this.view = new DataView(ring.buffer);
    this.capacity = capacity;
  }

  /** Logical position of the live entry for `key`, or -1. */
  private find(key: Uint8Array): number {
    const fp = fingerprint(key);
    for (let i = fp & this.mask; ; i = (i + 1) & this.mask) {
      const p = this.positions[i]!;
      if (p === 0) return -1;
      if (this.fingerprints[i] !== fp || !this.isLive(p - 1)) continue;
      if (this.keyAt((p - 1) % this.capacity, key)) return p - 1;
    }
  }

  private isLive(position: number): boolean {
    return position >= this.written - this.capacity;
  }

  private keyAt(at: number, key: Uint8Array): boolean {
    if (this.ring[at + 4] !== key.length) return false;
    for (let i = 0; i < key.length; i++) if (this.ring[at + HEADER + i] !== key[i]) return false;
    return true;
  }

  /** Times the index was rebuilt: while the live entries grow, and (with the sweep) only then. */
  get indexRebuilds(): number {
    return this.rebuilds;
  }

  private index(key: Uint8Array, fp: number, position: number): void {
    this.sweep();
    if (this.used * 2 > this.mask) this.rebuild();
    let reusable = -1;
    for (let i = fp & this.mask; ; i = (i + 1) & this.mask) {
      const p = this.positions[i]!;
      if (p === 0) {
        if (reusable < 0) {
          reusable = i;
          this.used++;
        }
        break;
      }
      const live = this.isLive(p - 1);
      if (live && this.fingerprints[i] === fp && this.keyAt((p - 1) % this.capacity, key)) {
        reusable = i; // the same key: point it at the new copy
        break;
      }
      if (!live && reusable < 0) reusable = i;
    }
    this.fingerprints[reusable] = fp;
    this.positions[reusable] = position + 1;
  }

  /** Empties the dead slots among the next SWEEP_PER_INSERT (see the file's header). */
  private sweep(): void {
    for (let n = 0; n < SWEEP_PER_INSERT; n++) {
      const i = this.sweepAt;
      const p = this.positions[i]!;
      // After a removal slot i holds what was shifted into it: look at it again.
      if (p > 0 && !this.isLive(p - 1)) this.removeAt(i);
      else this.sweepAt = (i + 1) & this.mask;
    }
  }

  /**
   * Empties slot i and moves back the entries after it that probed past it, so every remaining
   * entry is still reachable from its home slot (linear probing's deletion, Knuth 6.4 R).
   */
  private removeAt(slot: number): void {
    const mask = this.mask;
    let i = slot;
    let j = slot;
    for (;;) {
      this.positions[i] = 0;
      let home: number;
      do {
        j = (j + 1) & mask;
        if (this.positions[j] === 0) {
          this.used--;
          return;
        }
        home = this.fingerprints[j]! & mask;
        // The entry at j may move to i unless its home lies cyclically in (i, j].
      } while (i <= j ? i < home && home <= j : i < home || home <= j);
      this.fingerprints[i] = this.fingerprints[j]!;
      this.positions[i] = this.positions[j]!;
      i = j;
    }
  }

  /**
   * A new table with at least 4 slots per live entry, without the dead ones. With the sweep this
   * happens only while the live entries grow (the ring filling up).
   */
  private rebuild(): void {
    this.rebuilds++;
    const oldFingerprints = this.fingerprints;
    const oldPositions = this.positions;
    let live = 0;
    for (let i = 0; i < oldPositions.length; i++)
      if (oldPositions[i]! > 0 && this.isLive(oldPositions[i]! - 1)) live++;
    let slots = oldPositions.length;
    while (live * 4 > slots) slots *= 2;
    this.mask = slots - 1;
    this.fingerprints = new Uint32Array(slots);
    this.positions = new Float64Array(slots);
    this.used = 0;
    this.sweepAt = 0;
    for (let i = 0; i < oldPositions.length; i++) {
      const p = oldPositions[i]!;
      if (p === 0 || !this.isLive(p - 1)) continue;
      const fp = oldFingerprints[i]!;
      let j = fp & this.mask;
      while (this.positions[j] !== 0) j = (j + 1) & this.mask;
      this.fingerprints[j] = fp;
      this.positions[j] = p;
      this.used++;
    }
  }
}
