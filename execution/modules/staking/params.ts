// Staking params: stored at [0x03, 0x01], checked once at genesis.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { StakingParams } from "../../../proto/index.js";
import { parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { StakingGenesisParams } from "../../genesis-types.js";
import type { StakingParamsState } from "../../params.js";
import type { KvReader, KvStore } from "../../store.js";
import { STAKING_PARAMS_KEY } from "./records.js";

/**
 * Largest voting power one validator may have: the active set holds at most max_validators, so
 * the total voting power stays a safe integer (consensus sums it in plain numbers).
 */
export function maxValidatorPower(params: StakingParamsState): bigint {
  return BigInt(Math.floor(Number.MAX_SAFE_INTEGER / params.maxValidators));
}

export async function loadStakingParams(reader: KvReader): Promise<StakingParamsState> {
  const bytes = await reader.get(STAKING_PARAMS_KEY);
  if (bytes === undefined)
    throw new ExecutionError("NOT_INITIALIZED", "staking params are missing from state");
  const p = decodeCanonical<StakingParams>(StakingParams, bytes, "stored staking Params");
  return {
    powerReduction: parseAmount(p.powerReduction, "stored power_reduction", "INTERNAL"),
    maxValidators: p.maxValidators,
    unbondingBlocks: p.unbondingBlocks,
    minSelfStake: parseAmount(p.minSelfStake || "0", "stored min_self_stake", "INTERNAL"),
  };
}

function genesisError(message: string): ExecutionError {
  return new ExecutionError("GENESIS_INVALID", message);
}

/** Checks the genesis staking params, stores them, and returns them in execution's form. */
export function initStakingParams(store: KvStore, params: StakingGenesisParams): StakingParamsState {
  const powerReduction = parseAmount(
    params.power_reduction,
    "params.staking.power_reduction",
    "GENESIS_INVALID",
  );
  if (powerReduction === 0n) throw genesisError("params.staking.power_reduction must be greater than zero");
  if (
    !Number.isSafeInteger(params.max_validators) ||
    params.max_validators < 1 ||
    params.max_validators > 0xffffffff
  ) {
    throw genesisError("params.staking.max_validators must be a positive integer");
  }
  if (!Number.isSafeInteger(params.unbonding_blocks) || params.unbonding_blocks < 0) {
    throw genesisError("params.staking.unbonding_blocks must be a non-negative integer");
  }
  const minSelfStake = parseAmount(params.min_self_stake, "params.staking.min_self_stake", "GENESIS_INVALID");
  store.set(
    STAKING_PARAMS_KEY,
    encode(
      StakingParams,
      StakingParams.create({
        powerReduction: powerReduction.toString(),
        maxValidators: params.max_validators,
        unbondingBlocks: params.unbonding_blocks,
        minSelfStake: minSelfStake.toString(),
      }),
    ),
  );
  return {
    powerReduction,
    maxValidators: params.max_validators,
    unbondingBlocks: params.unbonding_blocks,
    minSelfStake,
  };
}
