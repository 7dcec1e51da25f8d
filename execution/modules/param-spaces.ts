// Every ParamSpace of the chain, by name. registry.ts binds the list once, from its MODULES, when
// it is loaded; governance and the `params` query read it through here, so governance need not
// import the registry (which imports governance: a cycle whose evaluation order would break).
import { ExecutionError } from "../errors.js";
import type { Module, ParamSpace } from "./types.js";

let bound: ReadonlyMap<string, ParamSpace> | undefined;

/** Called by registry.ts with its module list; a name owned twice is a bug. */
export function bindParamSpaces(modules: readonly Module[]): void {
  const spaces = new Map<string, ParamSpace>();
  for (const m of modules) {
    for (const space of m.paramSpaces ?? []) {
      if (spaces.has(space.name))
        throw new ExecutionError("INTERNAL", `params section ${space.name} is owned twice`);
      spaces.set(space.name, space);
    }
  }
  bound = spaces;
}

function spaces(): ReadonlyMap<string, ParamSpace> {
  if (!bound) throw new ExecutionError("INTERNAL", "param spaces are not bound (load modules/registry.js)");
  return bound;
}

/** In registry order. */
export function allParamSpaces(): ParamSpace[] {
  return [...spaces().values()];
}

export function findParamSpace(name: string): ParamSpace | undefined {
  return spaces().get(name);
}
