// Chain parameters as execution uses them (bigints for amounts). Each module stores its own part
// under its prefix; the app loads the whole set after every commit. The `params` query serves every
// module's ParamSpace (loadParamsView), which includes these sections under the same names.
import { allParamSpaces } from "./modules/param-spaces.js";
import type { ParamValue } from "./modules/types.js";
import type { KvReader } from "./store.js";

export interface TxLimits {
  maxTxBytes: number;
  maxMemoBytes: number;
  maxMsgs: number;
  maxNonceGap: number;
}

export interface BlockLimits {
  maxBytes: number;
  maxGas: number;
}

export interface StakingParamsState {
  powerReduction: bigint;
  maxValidators: number;
  unbondingBlocks: number;
  minSelfStake: bigint;
}

/** Fractions in basis points (10000 = 100%). */
export interface SlashingParamsState {
  signedBlocksWindow: number;
  minSignedPerWindowBps: number;
  slashFractionDoubleSignBps: number;
  slashFractionDowntimeBps: number;
  downtimeJailBlocks: number;
  maxEvidenceAgeBlocks: number;
}

export interface ChainParams {
  bank: { minGasPrice: bigint };
  staking: StakingParamsState;
  slashing: SlashingParamsState;
  tx: TxLimits;
  block: BlockLimits;
}

/** JSON-friendly view of the params (amounts as decimal strings), as the `params` query serves it. */
export interface ParamsView {
  bank: { min_gas_price: string };
  staking: {
    power_reduction: string;
    max_validators: number;
    unbonding_blocks: number;
    min_self_stake: string;
  };
  slashing: {
    signed_blocks_window: number;
    min_signed_per_window_bps: number;
    slash_fraction_double_sign_bps: number;
    slash_fraction_downtime_bps: number;
    downtime_jail_blocks: number;
    max_evidence_age_blocks: number;
  };
  tx: { max_tx_bytes: number; max_memo_bytes: number; max_msgs: number; max_nonce_gap: number };
  block: { max_bytes: number; max_gas: number };
}

export function paramsView(p: ChainParams): ParamsView {
  return {
    bank: { min_gas_price: p.bank.minGasPrice.toString() },
    staking: {
      power_reduction: p.staking.powerReduction.toString(),
      max_validators: p.staking.maxValidators,
      unbonding_blocks: p.staking.unbondingBlocks,
      min_self_stake: p.staking.minSelfStake.toString(),
    },
    slashing: {
      signed_blocks_window: p.slashing.signedBlocksWindow,
      min_signed_per_window_bps: p.slashing.minSignedPerWindowBps,
      slash_fraction_double_sign_bps: p.slashing.slashFractionDoubleSignBps,
      slash_fraction_downtime_bps: p.slashing.slashFractionDowntimeBps,
      downtime_jail_blocks: p.slashing.downtimeJailBlocks,
      max_evidence_age_blocks: p.slashing.maxEvidenceAgeBlocks,
    },
    tx: {
      max_tx_bytes: p.tx.maxTxBytes,
      max_memo_bytes: p.tx.maxMemoBytes,
      max_msgs: p.tx.maxMsgs,
      max_nonce_gap: p.tx.maxNonceGap,
    },
    block: { max_bytes: p.block.maxBytes, max_gas: p.block.maxGas },
  };
}

/** Every params section, by ParamSpace name, as genesis JSON spells it. */
export type AllParamsView = ParamsView & { [space: string]: Record<string, ParamValue> };

/** Loads every ParamSpace's section (the answer of the `params` query). */
export async function loadParamsView(reader: KvReader): Promise<AllParamsView> {
  const out: Record<string, Record<string, ParamValue>> = {};
  for (const space of allParamSpaces()) out[space.name] = await space.load(reader);
  return out as AllParamsView;
}
