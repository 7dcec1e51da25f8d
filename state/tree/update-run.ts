// One version's worth of updates applied to the tree, synchronously, over nodes loaded beforehand.
// Each touched node is rebuilt once per version, however many updates fall below it.
import { StateError } from "../errors.js";
import { ByteArena, nibbleAt, RADIX } from "./hashing.js";
import { StaleListWriter } from "./keys.js";
import {
  bytesEqualAt,
  type Child,
  encodeNode,
  type InternalChild,
  type LeafChild,
  leafEntryOffsetFor,
  leafMask,
  popcount16,
  presenceMask,
  readChild,
  readU64,
} from "./node.js";
import { NodeLog } from "./node-log.js";
import { ValueLog } from "./value-log.js";

/** A prepared update: sorted by key hash, one per key. `leafHash` is null for a delete. */
export interface PreparedUpdate {
  readonly keyHash: Uint8Array;
  readonly value: Uint8Array | null;
  readonly leafHash: Uint8Array | null;
  /** first 4 bytes of keyHash as a number, for sorting */
  readonly sortKey: number;
}

/** An internal node read for a run, with its db key. */
export interface LoadedNode {
  readonly bytes: Uint8Array;
  readonly key: Uint8Array;
}

/**
 * Identifies an internal node on the updated paths: the loader and the run split the sorted
 * updates the same way, so (first update index, depth) names one node.
 */
export function loadedNodeId(firstUpdate: number, depth: number): number {
  return firstUpdate * 65 + depth;
}

/** Nibble `depth` of an update's key hash; the first 8 come from its sort key, without byte reads. */
export function updateNibble(u: PreparedUpdate, depth: number): number {
  return depth < 8 ? (u.sortKey >>> (28 - 4 * depth)) & 0x0f : nibbleAt(u.keyHash, depth);
}

export class UpdateRun {
  /** the nodes this version writes, with their db keys */
  readonly nodes = new NodeLog();
  /** new nodes and their hashes while the run builds them (nodes are copied into `nodes`) */
  private readonly arena = new ByteArena();
  /** the value records this version writes */
  readonly values = new ValueLog();
  /** db keys of nodes and values that versions >= this one no longer need */
  readonly stale = new StaleListWriter();

  constructor(
    private readonly version: number,
    private readonly updates: readonly PreparedUpdate[],
    /** the internal nodes on the updated paths, by loadedNodeId */
    private readonly loaded: ReadonlyMap<number, LoadedNode>,
  ) {}

  /** New child for the subtree at `depth` holding `child`, after updates [lo, hi) (all below it). */
  apply(child: Child | null, depth: number, lo: number, hi: number): Child | null {
    if (child === null) return this.applyToEmpty(depth, lo, hi);
    if (child.kind === "leaf") return this.applyToLeaf(child, depth, lo, hi);
    return this.applyToInternal(child, depth, lo, hi);
  }

  private applyToEmpty(depth: number, lo: number, hi: number): Child | null {
    const entries: LeafChild[] = [];
    for (let i = lo; i < hi; i++) {
      const u = this.updates[i]!;
      // Deleting a key that is not there changes nothing.
      if (u.value !== null) entries.push(this.putValue(u));
    }
    return this.build(entries, 0, entries.length, depth);
  }

  private applyToLeaf(leaf: LeafChild, depth: number, lo: number, hi: number): Child | null {
    const entries: LeafChild[] = [];
    let leafPlaced = false;
    for (let i = lo; i < hi; i++) {
      const u = this.updates[i]!;
      const cmp = Buffer.compare(u.keyHash, leaf.keyHash);
      if (cmp > 0 && !leafPlaced) {
        entries.push(leaf);
        leafPlaced = true;
      }
      if (cmp === 0) {
        leafPlaced = true;
        if (u.value === null) {
          this.deleteValue(leaf);
        } else if (Buffer.compare(u.leafHash!, leaf.hash) === 0) {
          entries.push(leaf); // same value: keep the old record, write nothing
        } else {
          this.stale.addValueKey(leaf.keyHash, leaf.valueVersion);
          entries.push(this.putValue(u));
        }
      } else if (u.value !== null) {
        entries.push(this.putValue(u));
      }
    }
    if (!leafPlaced) entries.push(leaf);
    if (entries.length === 1 && entries[0] === leaf) return leaf;
    return this.build(entries, 0, entries.length, depth);
  }

  private applyToInternal(child: InternalChild, depth: number, lo: number, hi: number): Child | null {
    const pathKeyHash = this.updates[lo]!.keyHash;
    const loaded = this.loaded.get(loadedNodeId(lo, depth));
    if (loaded === undefined)
      throw new StateError("CORRUPT_DATA", `state node at depth ${depth} was not loaded`);
    const node = loaded.bytes;
    let changes: (Child | null | undefined)[] | null = null;
    let i = lo;
    while (i < hi) {
      const n = updateNibble(this.updates[i]!, depth);
      let j = i + 1;
      while (j < hi && updateNibble(this.updates[j]!, depth) === n) j++;
      // Fast path for the most common case, a new value for a key whose leaf sits right here:
      // no Child objects for the old leaf.
      const u = this.updates[i]!;
      const sameLeaf = j === i + 1 && u.value !== null ? leafEntryOffsetFor(node, n, u.keyHash) : -1;
      if (sameLeaf >= 0) {
        if (!bytesEqualAt(node, sameLeaf, u.leafHash!)) {
          this.stale.addValueKey(u.keyHash, readU64(node, sameLeaf + 32));
          changes ??= new Array<Child | null | undefined>(RADIX);
          changes[n] = this.putValue(u);
        }
        i = j;
        continue;
      }
      const old = readChild(node, n);
      const next = this.apply(old, depth + 1, i, j);
      if (next !== old) {
        changes ??= new Array<Child | null | undefined>(RADIX);
        changes[n] = next;
      }
      i = j;
    }
    if (changes === null) return child;
    this.stale.add(loaded.key);

    let present = presenceMask(node);
    let leaves = leafMask(node);
    for (let n = 0; n < RADIX; n++) {
      const c = changes[n];
      if (c === undefined) continue;
      const bit = 1 << n;
      present &= ~bit;
      leaves &= ~bit;
      if (c !== null) {
        present |= bit;
        if (c.kind === "leaf") leaves |= bit;
      }
    }
    if (present === 0) return null;
    // A subtree holding a single leaf is that leaf, one level up (so depth stays ~log16 n).
    if (popcount16(present) === 1 && (leaves & present) !== 0) {
      const n = 31 - Math.clz32(present);
      const c = changes[n];
      return c === undefined ? readChild(node, n) : c;
    }
    return this.writeNode(node, changes, pathKeyHash, depth);
  }

  /** Subtree at `depth` holding exactly the (sorted) leaves entries[lo, hi). */
  private build(entries: readonly LeafChild[], lo: number, hi: number, depth: number): Child | null {
    if (hi === lo) return null;
    if (hi - lo === 1) return entries[lo]!;
    const changes = new Array<Child | null | undefined>(RADIX);
    let i = lo;
    while (i < hi) {
      const n = nibbleAt(entries[i]!.keyHash, depth);
      let j = i + 1;
      while (j < hi && nibbleAt(entries[j]!.keyHash, depth) === n) j++;
      changes[n] = this.build(entries, i, j, depth + 1);
      i = j;
    }
    return this.writeNode(null, changes, entries[lo]!.keyHash, depth);
  }

  private writeNode(
    base: Uint8Array | null,
    changes: readonly (Child | null | undefined)[],
    pathKeyHash: Uint8Array,
    depth: number,
  ): InternalChild {
    const { bytes, hash } = encodeNode(base, changes, this.arena);
    this.nodes.add(this.version, pathKeyHash, depth, bytes);
    return { kind: "internal", hash, version: this.version };
  }

  private putValue(u: PreparedUpdate): LeafChild {
    this.values.add(u.keyHash, this.version, u.value);
    return { kind: "leaf", hash: u.leafHash!, keyHash: u.keyHash, valueVersion: this.version };
  }

  private deleteValue(leaf: LeafChild): void {
    this.values.add(leaf.keyHash, this.version, null);
    this.stale.addValueKey(leaf.keyHash, leaf.valueVersion);
    // The tombstone only hides older records; once those are pruned it hides nothing.
    this.stale.addValueKey(leaf.keyHash, this.version);
  }
}
