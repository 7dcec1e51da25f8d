// The shape check every ParamSpace runs before its own rules: a params section as genesis JSON
// spells it (governance hands over the whole section with its changes merged in) must have exactly
// the section's keys, each of its JSON type. The value rules (ranges, amounts) stay with the module.
import { ExecutionError } from "../errors.js";
import type { ParamValue } from "./types.js";

/** "amount": a decimal string (checked by the module); "integer": a safe integer number. */
export type ParamKind = "amount" | "integer" | "boolean" | "string";

function kindOf(value: ParamValue): ParamKind | "number" {
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  return Number.isSafeInteger(value) ? "integer" : "number";
}

/**
 * Returns `values` typed as the section when every key of `kinds` is present with its kind and
 * nothing else is; throws PARAM_INVALID naming the first offending key otherwise.
 */
export function checkSection<T>(
  section: string,
  values: Readonly<Record<string, ParamValue>>,
  kinds: { readonly [K in keyof T & string]: ParamKind },
): T {
  const expected = kinds as Readonly<Record<string, ParamKind>>;
  for (const key of Object.keys(values)) {
    if (!(key in expected)) {
      throw new ExecutionError("PARAM_INVALID", `params.${section} has no key ${JSON.stringify(key)}`);
    }
  }
  for (const [key, kind] of Object.entries(expected)) {
    const value = values[key];
    if (value === undefined) throw new ExecutionError("PARAM_INVALID", `params.${section}.${key} is missing`);
    const actual = kindOf(value);
    const fits = kind === "amount" ? actual === "string" : actual === kind;
    if (!fits) {
      const want = kind === "amount" ? "a decimal string" : kind === "integer" ? "an integer" : `a ${kind}`;
      throw new ExecutionError(
        "PARAM_INVALID",
        `params.${section}.${key} must be ${want}, got ${JSON.stringify(value)}`,
      );
    }
  }
  return values as unknown as T;
}
