// staking_*: validators as the staking module keeps them (execution/modules/staking/queries.ts):
// one by operator or consensus address, every validator a page at a time, and the active set.
// The module answers the whole validator list at once (it is bounded by the validators ever
// created); the status filter and the pages are cut here.
import { decodeAddress, encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { keyTypeName } from "../../../crypto/keys.js";
import { kyochi } from "../../../proto/index.js";
import { RpcError } from "../../errors.js";
import type { StakingValidatorJson } from "../../types.js";
import {
  isPresent,
  optionalEnum,
  optionalHeight,
  optionalInteger,
  readParams,
  requiredAddress,
  requiredHex,
  requiredString,
} from "../params.js";
import { assertCommitted, type MethodHandler } from "./context.js";
import { MAX_LIST_LIMIT, moduleQuery, queryFailure } from "./module-query.js";

const STATUSES = ["bonded", "unbonded", "jailed", "tombstoned"] as const;
const CONSENSUS_ADDRESS_BYTES = 20;

export const stakingGetValidator: MethodHandler<"staking_getValidator"> = async (raw, ctx) => {
  const params = readParams(raw, ["address", "height"]);
  // A consensus address (as in commit signatures) or the operator's account.
  const arg = /^0x/i.test(requiredString(params, "address"))
    ? `0x${toHex(requiredHex(params, "address", { length: CONSENSUS_ADDRESS_BYTES }))}`
    : encodeAddress(requiredAddress(params, "address"));
  const answer = await moduleQuery(ctx, params, `validator/${arg}`);
  return answer as unknown as StakingValidatorJson & { height: number };
};

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

export const stakingListValidators: MethodHandler<"staking_listValidators"> = async (raw, ctx) => {
  const params = readParams(raw, ["status", "cursor", "limit", "height"]);
  const status = optionalEnum(params, "status", STATUSES);
  const after = isPresent(params, "cursor") ? requiredAddress(params, "cursor") : undefined;
  const limit = optionalInteger(params, "limit", 1, MAX_LIST_LIMIT) ?? MAX_LIST_LIMIT;
  const answer = await moduleQuery(ctx, params, "validators", "validators");
  const all = (answer.validators as StakingValidatorJson[])
    .filter((v) => status === undefined || v.status === status)
    .map((v) => ({ v, key: decodeAddress(v.operator) }))
    .sort((a, b) => compareBytes(a.key, b.key));
  // The cursor is an operator address, so a page boundary stays put when validators are created.
  const start = after === undefined ? 0 : all.findIndex((x) => compareBytes(x.key, after) > 0);
  const rest = start < 0 ? [] : all.slice(start);
  const page = rest.slice(0, limit).map((x) => x.v);
  return {
    height: answer.height as number,
    validators: page,
    total: all.length,
    nextCursor: rest.length > limit ? (page[page.length - 1]?.operator ?? null) : null,
  };
};

export const stakingGetValidatorSet: MethodHandler<"staking_getValidatorSet"> = async (raw, ctx) => {
  const params = readParams(raw, ["height"]);
  const height = optionalHeight(params, "height");
  if (height !== undefined) assertCommitted(ctx, height);
  // The set is a protobuf leaf (kyochi.staking.v1.Validators), not JSON.
  const answer = await ctx.backend.queryApp("validator_set", height);
  if (answer.code !== 0) throw queryFailure(answer);
  let set: kyochi.staking.v1.Validators;
  try {
    set = kyochi.staking.v1.Validators.decode(answer.value ?? new Uint8Array(0));
  } catch (err) {
    throw new RpcError("QUERY_FAILED", `the validator_set leaf does not decode: ${(err as Error).message}`);
  }
  return {
    height: answer.height,
    // decode builds Validator instances (the generated field type is the looser interface).
    validators: (set.validators as kyochi.staking.v1.Validator[]).map((v) => ({
      operator: encodeAddress(v.operator),
      consensusPubkey: `0x${toHex(v.consensusPubkey)}`,
      consensusKeyType: keyTypeName(v.consensusKeyType),
      stake: v.stake === "" ? "0" : v.stake,
      power: v.power,
      moniker: v.moniker,
    })),
  };
};
