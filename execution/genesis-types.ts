// The app_state part of genesis, as execution consumes it. Field names are the JSON names (snake
// case) so genesis/ can validate the JSON straight into this type. Amounts are decimal strings,
// addresses bech32 (kyo1...), keys hex. initChain re-checks the cross-field rules it depends on
// (total supply, unique validators, power = stake / power_reduction) and refuses with GENESIS_INVALID.

export interface GenesisAccount {
  /** bech32 address, prefix kyo */
  address: string;
  /** base units, decimal string */
  balance: string;
}

export interface GenesisValidator {
  /** bech32 account address of the operator; fee rewards are paid here */
  operator: string;
  /** Ed25519 consensus public key, 32 bytes as hex (with or without 0x) */
  consensus_pubkey: string;
  /** bonded tokens, decimal string */
  stake: string;
  /** voting power; when given it must equal stake / staking.power_reduction (integer division) */
  power?: number;
  moniker: string;
}

export interface StakingGenesisParams {
  /** base units of stake per unit of voting power */
  power_reduction: string;
  max_validators: number;
  /** blocks an unbonding entry waits before it is paid back (slashable meanwhile) */
  unbonding_blocks: number;
  /** smallest self-stake of a validator, base units */
  min_self_stake: string;
}

/** Fractions in basis points (10000 = 100%). */
export interface SlashingGenesisParams {
  /** blocks in the sliding window in which missed blocks are counted */
  signed_blocks_window: number;
  /** share of the window a validator must sign; missing more jails it for downtime */
  min_signed_per_window_bps: number;
  slash_fraction_double_sign_bps: number;
  slash_fraction_downtime_bps: number;
  /** blocks a downtime jail lasts before unjail is accepted */
  downtime_jail_blocks: number;
  /** evidence of an offence more than this many blocks old is ignored */
  max_evidence_age_blocks: number;
}

export interface GenesisParams {
  bank: { min_gas_price: string };
  staking: StakingGenesisParams;
  slashing: SlashingGenesisParams;
  tx: { max_tx_bytes: number; max_memo_bytes: number; max_msgs: number; max_nonce_gap: number };
  block: { max_bytes: number; max_gas: number };
}

export interface GenesisAppState {
  accounts: GenesisAccount[];
  validators: GenesisValidator[];
  params: GenesisParams;
}

/** Parameters a chain gets when its genesis has no reason to choose others. */
export const DEFAULT_GENESIS_PARAMS: GenesisParams = {
  bank: { min_gas_price: "1" },
  staking: {
    power_reduction: "1000000",
    max_validators: 100,
    unbonding_blocks: 100,
    min_self_stake: "1000000",
  },
  slashing: {
    signed_blocks_window: 100,
    min_signed_per_window_bps: 5_000,
    slash_fraction_double_sign_bps: 500,
    slash_fraction_downtime_bps: 1,
    downtime_jail_blocks: 50,
    max_evidence_age_blocks: 100,
  },
  tx: { max_tx_bytes: 65_536, max_memo_bytes: 256, max_msgs: 32, max_nonce_gap: 16 },
  block: { max_bytes: 4 * 1024 * 1024, max_gas: 1_000_000_000 },
};
