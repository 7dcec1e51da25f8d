import { readFileSync } from "node:fs";
import { GenesisError } from "./errors.js";
import { type GenesisDoc, genesisSchema } from "./schema.js";

/** Validates a parsed genesis object; the error names the first offending field. */
export function parseGenesis(json: unknown): GenesisDoc {
  const result = genesisSchema.safeParse(json);
  if (result.success) {
    const doc = result.data;
    const totalStakeOk = doc.app_state.validators.every(
      (v) => BigInt(v.stake) / BigInt(doc.app_state.params.staking.power_reduction) > 0n,
    );
    if (!totalStakeOk) {
      throw new GenesisError(
        "GENESIS_INVALID",
        "app_state.validators",
        "each validator's stake must give at least 1 voting power (stake >= power_reduction)",
      );
    }
    const staking = doc.app_state.params.staking;
    const lowIndex = doc.app_state.validators.findIndex(
      (v) => BigInt(v.stake) < BigInt(staking.min_self_stake),
    );
    if (lowIndex >= 0) {
      throw new GenesisError(
        "GENESIS_INVALID",
        `app_state.validators[${lowIndex}].stake`,
        `must be at least params.staking.min_self_stake (${staking.min_self_stake})`,
      );
    }
    return doc;
  }
  const issue = result.error.issues[0]!;
  const field = formatPath(issue.path);
  const unknown = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
  throw new GenesisError("GENESIS_INVALID", field, issue.message + unknown);
}

export function loadGenesisFile(path: string): GenesisDoc {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new GenesisError("GENESIS_NOT_FOUND", "", `cannot read ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new GenesisError("GENESIS_NOT_JSON", "", `${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseGenesis(json);
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
