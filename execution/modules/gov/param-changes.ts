// Parameter changes: resolved against the ParamSpaces (the section and key must exist, the value
// must be JSON of the current value's type), merged into whole sections, and stored through each
// space's store(), which runs the checks genesis runs. Used on a scratch layer at submission (so a
// proposal that could never apply is refused up front) and for real at the effective height.
import type { ParamChange } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { findParamSpace } from "../param-spaces.js";
import type { ParamSpace, ParamValue } from "../types.js";
import { Overlay } from "./overlay.js";

export const MAX_PARAM_CHANGES = 32;
const MAX_NAME_BYTES = 64;
const MAX_VALUE_BYTES = 1024;

type ChangeInput = Pick<ParamChange, "module" | "key" | "value">;

function invalid(message: string): ExecutionError {
  return new ExecutionError("PARAM_INVALID", message);
}

/** Stateless checks: a bounded, non-empty list of well-formed changes. */
export function checkChangeList(
  changes: readonly { module?: string | null; key?: string | null; value?: string | null }[],
): void {
  if (changes.length === 0) throw invalid("a parameter change proposal needs at least one change");
  if (changes.length > MAX_PARAM_CHANGES)
    throw invalid(`${changes.length} changes are more than ${MAX_PARAM_CHANGES}`);
  for (const [i, c] of changes.entries()) {
    for (const field of ["module", "key"] as const) {
      const text = c[field] ?? "";
      if (text.length === 0 || Buffer.byteLength(text, "utf8") > MAX_NAME_BYTES)
        throw invalid(`changes[${i}].${field} must be 1..${MAX_NAME_BYTES} bytes`);
    }
    const value = c.value ?? "";
    if (value.length === 0 || Buffer.byteLength(value, "utf8") > MAX_VALUE_BYTES)
      throw invalid(`changes[${i}].value must be 1..${MAX_VALUE_BYTES} bytes of JSON`);
  }
}

function parseValue(c: ChangeInput, current: ParamValue): ParamValue {
  let value: unknown;
  try {
    value = JSON.parse(c.value);
  } catch {
    throw invalid(`${c.module}.${c.key}: value ${JSON.stringify(c.value)} is not JSON`);
  }
  if (typeof value !== typeof current) {
    throw invalid(
      `${c.module}.${c.key}: value ${c.value} must be a JSON ${typeof current} like the current ${JSON.stringify(current)}`,
    );
  }
  return value as ParamValue;
}

/** Each changed section, whole (current values with the changes merged in), in first-named order. */
export async function resolveChanges(
  store: KvStore,
  changes: readonly ChangeInput[],
): Promise<Map<ParamSpace, Record<string, ParamValue>>> {
  checkChangeList(changes);
  const sections = new Map<ParamSpace, Record<string, ParamValue>>();
  const seen = new Set<string>();
  for (const c of changes) {
    const space = findParamSpace(c.module);
    if (!space) throw invalid(`there is no params section ${JSON.stringify(c.module)}`);
    const name = `${c.module}.${c.key}`;
    if (seen.has(name)) throw invalid(`${name} is changed twice`);
    seen.add(name);
    let section = sections.get(space);
    if (!section) {
      section = { ...(await space.load(store)) };
      sections.set(space, section);
    }
    const current = Object.hasOwn(section, c.key) ? section[c.key] : undefined;
    if (current === undefined)
      throw invalid(`params section ${c.module} has no key ${JSON.stringify(c.key)}`);
    section[c.key] = parseValue(c, current);
  }
  return sections;
}

/**
 * Stores every section. A section whose checks read another one (tx.max_tx_bytes must fit in
 * block.max_bytes) may only pass once the other is stored, so failed sections are retried while
 * others make progress; the first error of the last round is what is reported.
 */
async function storeSections(
  store: KvStore,
  sections: Map<ParamSpace, Record<string, ParamValue>>,
): Promise<void> {
  let pending = [...sections];
  while (pending.length > 0) {
    const failed: typeof pending = [];
    let firstError: ExecutionError | undefined;
    for (const [space, values] of pending) {
      const layer = new Overlay(store);
      try {
        await space.store(layer, values);
        layer.commit();
      } catch (err) {
        if (!(err instanceof ExecutionError)) throw err;
        failed.push([space, values]);
        firstError ??= err;
      }
    }
    if (failed.length === pending.length && firstError) throw invalid(firstError.message);
    pending = failed;
  }
}

/** Resolves and stores `changes` on `store`; throws PARAM_INVALID (nothing written) if any fails. */
export async function applyParamChanges(store: KvStore, changes: readonly ChangeInput[]): Promise<void> {
  const layer = new Overlay(store);
  await storeSections(layer, await resolveChanges(layer, changes));
  layer.commit();
}
