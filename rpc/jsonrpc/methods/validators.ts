// chain_getValidators: the validator set that signs a height's block, one page at a time.
import type { ValidatorEntry } from "../../backend.js";
import { RpcError } from "../../errors.js";
import type { ValidatorJson } from "../../types.js";
import { optionalHeight, optionalInteger, readParams } from "../params.js";
import { hex } from "../render/values.js";
import type { MethodHandler } from "./context.js";

/** Largest page (and the default): big enough for any devnet, small enough for one answer. */
export const MAX_VALIDATORS_PAGE = 100;

export const chainGetValidators: MethodHandler<"chain_getValidators"> = async (raw, { backend }) => {
  const params = readParams(raw, ["height", "cursor", "limit"]);
  const latest = backend.latestHeight();
  const height = optionalHeight(params, "height") ?? Math.max(latest, 1);
  const cursor = optionalInteger(params, "cursor", 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const limit = optionalInteger(params, "limit", 1, MAX_VALIDATORS_PAGE) ?? MAX_VALIDATORS_PAGE;
  // The set of the next height is decided by the last commit; anything later is not.
  if (height > latest + 1) {
    throw new RpcError(
      "HEIGHT_NOT_AVAILABLE",
      `the validators of height ${height} are not decided yet (latest committed is ${latest}; sets are known up to ${latest + 1})`,
      { height, latestHeight: latest },
    );
  }
  const answer = await backend.getValidators(height);
  const page = answer.validators.slice(cursor, cursor + limit);
  const next = cursor + page.length;
  return {
    height: answer.height,
    validators: page.map(renderValidator),
    total: answer.validators.length,
    nextCursor: next < answer.validators.length ? next : null,
  };
};

function renderValidator(v: ValidatorEntry): ValidatorJson {
  return {
    address: hex(v.address),
    pubKey: hex(v.pubKey),
    votingPower: v.votingPower.toString(),
    proposerPriority: v.proposerPriority.toString(),
  };
}
