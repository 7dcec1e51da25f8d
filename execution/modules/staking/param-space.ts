// The "staking" ParamSpace: the genesis view of staking's params, stored through the same checks
// genesis runs (initStakingParams).
import type { StakingGenesisParams } from "../../genesis-types.js";
import { checkSection } from "../param-values.js";
import type { ParamSpace } from "../types.js";
import { initStakingParams, loadStakingParams } from "./params.js";

export const stakingParamSpace: ParamSpace = {
  name: "staking",
  async load(reader) {
    const p = await loadStakingParams(reader);
    return {
      power_reduction: p.powerReduction.toString(),
      max_validators: p.maxValidators,
      unbonding_blocks: p.unbondingBlocks,
      min_self_stake: p.minSelfStake.toString(),
    };
  },
  async store(store, values) {
    const v = checkSection<StakingGenesisParams>("staking", values, {
      power_reduction: "amount",
      max_validators: "integer",
      unbonding_blocks: "integer",
      min_self_stake: "amount",
    });
    initStakingParams(store, v);
  },
};
