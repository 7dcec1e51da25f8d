// Walking a model's parent chain. Parents are immutable and must exist when a child registers, so
// a well-formed state has no cycles; the walks still guard against one (a corrupted or hand-edited
// state must make registration fail and queries stop, never loop).
import type { ModelVersion } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { MAX_LINEAGE_DEPTH_BOUND } from "./params.js";
import { loadModel } from "./records.js";

export interface NewModelIdentity {
  /** The id the model being registered will get. */
  id: number;
  name: string;
  version: string;
}

/**
 * Checks the chain above a new model whose parent is `parent`: refuses LINEAGE_CYCLE if the walk
 * comes back to a model already seen or to the model being registered (by id or by name@version),
 * and LINEAGE_TOO_DEEP if it has more than `maxDepth` models. Reads at most maxDepth + 1 records.
 */
export async function checkAncestry(
  reader: KvReader,
  child: NewModelIdentity,
  parent: ModelVersion,
  maxDepth: number,
): Promise<void> {
  const seen = new Set<number>([child.id]);
  let current: ModelVersion = parent;
  for (let steps = 1; ; steps++) {
    if (seen.has(current.id) || (current.name === child.name && current.version === child.version)) {
      throw new ExecutionError(
        "LINEAGE_CYCLE",
        `the parent chain of ${child.name}@${child.version} comes back to model ${current.id} (${current.name}@${current.version})`,
      );
    }
    if (steps > maxDepth) {
      throw new ExecutionError(
        "LINEAGE_TOO_DEEP",
        `the model would have more than models.max_lineage_depth ${maxDepth} ancestors`,
      );
    }
    seen.add(current.id);
    if (current.parentId === 0) return;
    const next = await loadModel(reader, current.parentId);
    if (!next) {
      throw new ExecutionError(
        "INTERNAL",
        `model ${current.id} names parent ${current.parentId}, which does not exist`,
      );
    }
    current = next;
  }
}

/**
 * The model `id` and its ancestors, child first. Stops at a model without parent, at a missing
 * or already listed ancestor, or after MAX_LINEAGE_DEPTH_BOUND ancestors. Undefined if `id` is unknown.
 */
export async function loadLineage(reader: KvReader, id: number): Promise<ModelVersion[] | undefined> {
  const first = await loadModel(reader, id);
  if (!first) return undefined;
  const chain = [first];
  const seen = new Set<number>([first.id]);
  let current = first;
  while (current.parentId !== 0 && chain.length <= MAX_LINEAGE_DEPTH_BOUND && !seen.has(current.parentId)) {
    const next = await loadModel(reader, current.parentId);
    if (!next) break;
    chain.push(next);
    seen.add(next.id);
    current = next;
  }
  return chain;
}
