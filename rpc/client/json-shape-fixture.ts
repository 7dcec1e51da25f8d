// Tables of the keys a JSON type declares, and a check of an answer against one, for tests that
// keep the declared result types (rpc/module-json.ts) equal to what the node sends.
//
// A Shape<T> table names every key of T, at every depth: `true` for a value without keys (string,
// number, boolean, null or a list of those), a nested table for an object (or a list of objects),
// { $optional: entry } for a key that may be absent, and { $by, $variants } for a union of object
// types told apart by the string key $by. Because the table is typed Shape<T>, adding, removing or
// renaming a key of T does not compile until the table says the same.

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
type IsUnion<T> = [T] extends [UnionToIntersection<T>] ? false : true;

/** The table of one value: what sits under a key. */
export type ShapeEntry<V> =
  NonNullable<V> extends readonly (infer E)[]
    ? NonNullable<E> extends object
      ? Shape<NonNullable<E>>
      : true
    : NonNullable<V> extends object
      ? Shape<NonNullable<V>>
      : true;

/** The variants of a union of object types, by the value of their string key `type`. */
export interface VariantsShape<T extends { type: string }> {
  $by: "type";
  $variants: { [V in T["type"]]: Shape<Extract<T, { type: V }>> };
}

export type Shape<T> =
  IsUnion<T> extends true
    ? T extends { type: string }
      ? VariantsShape<T>
      : never
    : {
        [K in keyof T]-?: Record<string, never> extends Pick<T, K>
          ? { $optional: ShapeEntry<T[K]> }
          : ShapeEntry<T[K]>;
      };

type AnyEntry =
  | true
  | { $optional: AnyEntry }
  | { $by: string; $variants: Record<string, AnyEntry> }
  | { [key: string]: AnyEntry };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Records where `value` does not have exactly the keys `table` declares (paths like
 * "jobs[0].assignments[1].state"), and, in `seen`, every object-valued table path that held an
 * object at least once: a test can require all of them, so no nested type goes unchecked because
 * the answers only had null or empty lists there.
 */
export class ShapeChecker {
  readonly problems: string[] = [];
  readonly seen = new Set<string>();
  /** Every path of the tables checked with that holds an object (or a list of objects). */
  readonly declared = new Set<string>();

  check<T>(label: string, table: Shape<T>, value: unknown): void {
    this.entry(label, table as AnyEntry, value, label);
  }

  /** Declared object paths never filled by an answer. */
  unfilled(): string[] {
    return [...this.declared].filter((path) => !this.seen.has(path)).sort();
  }

  private entry(where: string, table: AnyEntry, value: unknown, tablePath: string): void {
    if (table === true) {
      if (isObject(value) || (Array.isArray(value) && value.some(isObject))) {
        this.problems.push(`${where}: an object where the type has none`);
      }
      return;
    }
    if ("$optional" in table) {
      if (value !== undefined) this.entry(where, table.$optional as AnyEntry, value, tablePath);
      return;
    }
    this.declared.add(tablePath);
    if (value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        this.entry(`${where}[${i}]`, table, item, tablePath);
      });
      return;
    }
    if (!isObject(value)) {
      this.problems.push(`${where}: ${JSON.stringify(value)} where the type has an object`);
      return;
    }
    this.seen.add(tablePath);
    if ("$by" in table && "$variants" in table && typeof table.$by === "string") {
      const variants = table.$variants as Record<string, AnyEntry>;
      const name = String(value[table.$by]);
      const variant = variants[name];
      if (variant === undefined) {
        this.problems.push(`${where}.${table.$by}: ${JSON.stringify(name)} is no variant of the type`);
        return;
      }
      for (const other of Object.keys(variants)) this.declared.add(`${tablePath}<${other}>`);
      this.entry(where, variant, value, `${tablePath}<${name}>`);
      return;
    }
    const fields = table as Record<string, AnyEntry>;
    for (const key of Object.keys(value)) {
      if (!(key in fields)) this.problems.push(`${where}.${key}: not in the type`);
    }
    for (const [key, inner] of Object.entries(fields)) {
      const optional = inner !== true && "$optional" in inner;
      if (!(key in value) && !optional) this.problems.push(`${where}.${key}: missing`);
      else this.entry(`${where}.${key}`, inner, value[key], `${tablePath}.${key}`);
    }
  }
}
