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

export interface ModelsGenesisParams {
  /** deepest lineage a model version may have; royalty settlement never walks further */
  max_lineage_depth: number;
  /** most data licenses one model version may cite */
  max_licenses_per_model: number;
}

/** Fractions in basis points (10000 = 100%). */
export interface GovGenesisParams {
  /** deposit that moves a proposal to voting, base units */
  min_deposit: string;
  /** blocks a proposal may wait in the deposit period */
  max_deposit_blocks: number;
  /** blocks of the voting period */
  voting_blocks: number;
  /** share of bonded stake that must vote */
  quorum_bps: number;
  /** share of yes among yes + no + veto needed to pass (strictly more than) */
  threshold_bps: number;
  /** share of veto among all votes that rejects and burns the deposits (at least) */
  veto_threshold_bps: number;
}

export interface GenesisParams {
  bank: { min_gas_price: string };
  staking: StakingGenesisParams;
  slashing: SlashingGenesisParams;
  models: ModelsGenesisParams;
  gov: GovGenesisParams;
  tx: { max_tx_bytes: number; max_memo_bytes: number; max_msgs: number; max_nonce_gap: number };
  block: { max_bytes: number; max_gas: number };
}

export interface GenesisTrustedRoot {
  /** evidence class it roots: "nvidia-cc" or "dev" */
  evidence_class: string;
  label: string;
  /** the X.509 CA certificate, PEM */
  certificate_pem: string;
}

export interface GenesisMeasurement {
  evidence_class: string;
  /** index of the measurement block in the report */
  index: number;
  /** allowed value, hex with 0x */
  value: string;
}

export interface GenesisAttestation {
  trusted_roots: GenesisTrustedRoot[];
  allowed_measurements: GenesisMeasurement[];
}

export interface GenesisAppState {
  accounts: GenesisAccount[];
  validators: GenesisValidator[];
  params: GenesisParams;
  /** absent = no trusted roots and no allowed measurements */
  attestation?: GenesisAttestation;
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
  models: { max_lineage_depth: 8, max_licenses_per_model: 16 },
  gov: {
    min_deposit: "10000000",
    max_deposit_blocks: 300,
    voting_blocks: 300,
    quorum_bps: 3_340,
    threshold_bps: 5_000,
    veto_threshold_bps: 3_340,
  },
  tx: { max_tx_bytes: 65_536, max_memo_bytes: 256, max_msgs: 32, max_nonce_gap: 16 },
  block: { max_bytes: 4 * 1024 * 1024, max_gas: 1_000_000_000 },
};
