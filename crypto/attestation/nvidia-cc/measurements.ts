// Measurement allow-lists. Each measurement block of the report must carry one of the values
// allowed for its index (golden values in chain state, changed by governance).
//
// An index the allow-list does not mention: with `unlisted: "refuse"` (what the chain uses) it is
// refused, so a new firmware that adds a measurement cannot pass unseen; an allow-list skips an
// index only by naming it in `anyValue`. `unlisted: "skip"` is for offline tooling run without an
// allow-list. An index the allow-list pins (in `allowed`) but the report lacks is refused as
// MEASUREMENT_MISSING: leaving a measurement out must not be a way around it.
import { toHex } from "../../hash.js";
import type { AttestationErrorCode } from "../errors.js";
import type { MeasurementBlock } from "./report.js";
import { type Check, fail, pass, skipped } from "./verdict.js";

export interface MeasurementPolicy {
  /** index -> allowed values, lower-case hex without 0x */
  readonly allowed: ReadonlyMap<number, ReadonlySet<string>>;
  /** indices whose value is not checked */
  readonly anyValue?: ReadonlySet<number>;
  readonly unlisted: "refuse" | "skip";
}

/** A refusing policy from (index, value) pairs, as the attestation module keeps them in state. */
export function measurementPolicy(
  entries: Iterable<{ index: number; value: Uint8Array }>,
  anyValue: Iterable<number> = [],
): MeasurementPolicy {
  const allowed = new Map<number, Set<string>>();
  for (const { index, value } of entries) {
    const set = allowed.get(index) ?? new Set<string>();
    set.add(toHex(value));
    allowed.set(index, set);
  }
  return { allowed, anyValue: new Set(anyValue), unlisted: "refuse" };
}

/** Checks nothing: for tooling run without an allow-list. */
export const UNCHECKED_MEASUREMENTS: MeasurementPolicy = { allowed: new Map(), unlisted: "skip" };

const MAX_LISTED = 8;

export function checkMeasurements(blocks: readonly MeasurementBlock[], policy: MeasurementPolicy): Check {
  if (policy.allowed.size === 0 && (policy.anyValue?.size ?? 0) === 0 && policy.unlisted === "skip")
    return skipped("measurements", `no allow-list given: ${blocks.length} measurements not checked`);
  const problems: { code: AttestationErrorCode; text: string }[] = [];
  let matched = 0;
  let anyValue = 0;
  let unlisted = 0;
  for (const b of blocks) {
    const values = policy.allowed.get(b.index);
    if (values?.has(toHex(b.value))) matched++;
    else if (policy.anyValue?.has(b.index)) anyValue++;
    else if (values)
      problems.push({
        code: "MEASUREMENT_NOT_ALLOWED",
        text: `index ${b.index}: 0x${toHex(b.value)} is not one of its ${values.size} allowed values`,
      });
    else if (policy.unlisted === "refuse")
      problems.push({
        code: "MEASUREMENT_NOT_ALLOWED",
        text: `index ${b.index}: no value is allowed for it`,
      });
    else unlisted++;
  }
  const present = new Set(blocks.map((b) => b.index));
  for (const index of [...policy.allowed.keys()].sort((a, b) => a - b))
    if (!present.has(index))
      problems.push({
        code: "MEASUREMENT_MISSING",
        text: `index ${index} is pinned but the report does not measure it`,
      });
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_LISTED).map((p) => p.text);
    if (problems.length > MAX_LISTED) shown.push(`and ${problems.length - MAX_LISTED} more`);
    return fail("measurements", problems[0]!.code, shown.join("; "));
  }
  return pass(
    "measurements",
    `${blocks.length} measurements: ${matched} allowed` +
      (anyValue ? `, ${anyValue} with any value allowed` : "") +
      (unlisted ? `, ${unlisted} not listed (not checked)` : ""),
  );
}
