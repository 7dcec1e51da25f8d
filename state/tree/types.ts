// The authenticated, versioned state tree (Jellyfish-style sparse Merkle tree on LevelDB).
// A version is a block height; version 0 is the genesis state.
import type { WriteBatch } from "../db.js";

/** One change: a value, or null to delete the key. */
export type TreeUpdate = readonly [key: Uint8Array, value: Uint8Array | null];

/** See state/tree/PROOFS.md for the exact format and verification algorithm. */
export interface TreeProof {
  /** Hex of sha256(key). */
  keyHash: string;
  /** "inclusion": leaf for this key; "exclusion": proves the key is absent. */
  kind: "inclusion" | "exclusion";
  /** For inclusion: hex of sha256(value). */
  valueHash?: string;
  /** For exclusion when the path ends at another leaf: that leaf's key hash and value hash. */
  otherLeaf?: { keyHash: string; valueHash: string };
  /** Sibling hashes from the leaf level up to the root; see PROOFS.md. */
  siblings: string[];
}

export interface StateTree {
  /** Latest committed version (0 = genesis). */
  readonly version: number;
  /** Root hash of the latest committed version. */
  readonly root: Uint8Array;
  /** Value of `key` at the latest committed version. */
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  /**
   * Values of many keys at the latest committed version, in the order of `keys`. Much cheaper
   * than one get() per key: the reads of each tree level go to LevelDB as one getMany.
   */
  getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Value of `key` at `version` (must not be pruned). */
  getAt(key: Uint8Array, version: number): Promise<Uint8Array | undefined>;
  /** Root hash at `version` (must not be pruned). */
  rootAt(version: number): Promise<Uint8Array>;
  /**
   * Applies `updates` as `version` (the first commit of a fresh tree may be any version >= 0,
   * typically 0 for genesis; later ones must be strictly greater than `this.version`), adds every
   * write to `batch`, and returns the new root. The order of `updates` does not matter, except
   * that when a key appears twice the last update wins. The tree's in-memory view advances
   * immediately (reads see the new version before the batch is written); the caller writes the
   * batch atomically with the rest of the block.
   */
  commit(version: number, updates: readonly TreeUpdate[], batch: WriteBatch): Promise<Uint8Array>;
  /** Computes the root `updates` would give, without writing anything (for proposals). */
  previewRoot(updates: readonly TreeUpdate[]): Promise<Uint8Array>;
  prove(
    key: Uint8Array,
    version: number,
  ): Promise<{ value: Uint8Array | undefined; proof: TreeProof; root: Uint8Array }>;
  /** Oldest version still provable. */
  readonly oldestVersion: number;
  /**
   * Deletes nodes and values only needed by versions < `version`; adds deletes to `batch`.
   * Afterwards reads and proofs at versions < `version` throw StateError VERSION_PRUNED.
   */
  prune(version: number, batch: WriteBatch): Promise<void>;
}
