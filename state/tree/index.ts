// The state tree's public surface: open it on a KyochiDb, verify its proofs.
import type { KyochiDb } from "../db.js";
import { JellyfishTree, type StateTreeOptions } from "./jmt.js";
import type { StateTree } from "./types.js";

export { EMPTY_HASH } from "./hashing.js";
export type { StateTreeOptions } from "./jmt.js";
export type { StateTree, TreeProof, TreeUpdate } from "./types.js";
export { verifyProof } from "./verify.js";

/**
 * Opens the state tree stored in `db`: the latest committed version and its root from TreeMeta,
 * or, on a fresh database, version 0 with the empty root (EMPTY_HASH) and nothing committed yet.
 */
export async function openStateTree(db: KyochiDb, options: StateTreeOptions = {}): Promise<StateTree> {
  return JellyfishTree.open(db, options);
}
