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

/** Fractions in basis points (10000 = 100%). */
export interface ComputeGenesisParams {
  /** least stake a worker registers with, base units */
  min_worker_stake: string;
  /** blocks between a worker's unbond tx and the return of its stake (slashable meanwhile) */
  worker_unbonding_blocks: number;
  /** most replicas of one job */
  max_replication: number;
  commit_window_blocks: number;
  reveal_window_blocks: number;
  slash_missed_bps: number;
  slash_minority_bps: number;
  slash_audit_bps: number;
  /** consecutive faults that jail a worker, and for how many blocks */
  max_faults: number;
  jail_blocks: number;
  /** re-runs of a job without quorum, each with this many more replicas */
  max_reruns: number;
  rerun_extra_replicas: number;
  /** probability that a settled single-replica job is audited */
  audit_bps: number;
  max_assignments_per_block: number;
  max_params_bytes: number;
  max_output_bytes: number;
  /** longest deadline of a job, blocks */
  max_job_blocks: number;
}

export interface AttestationGenesisParams {
  /** the nonce's anchor block must be among the last this many blocks */
  anchor_window_blocks: number;
  /** blocks an attestation counts for after the block that accepted it */
  validity_blocks: number;
  /** measurement indices whose value is not checked (sorted, unique, 0..255) */
  any_value_indices: number[];
}

export interface GenesisParams {
  bank: { min_gas_price: string };
  staking: StakingGenesisParams;
  slashing: SlashingGenesisParams;
  models: ModelsGenesisParams;
  gov: GovGenesisParams;
  compute: ComputeGenesisParams;
  attestation: AttestationGenesisParams;
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
  /**
   * Whether `dev` evidence is accepted (devnets). Genesis-only, not a param: governance can never
   * enable dev evidence on a chain whose genesis forbade it. Absent = false.
   */
  allow_dev?: boolean;
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
  compute: {
    min_worker_stake: "1000000",
    worker_unbonding_blocks: 100,
    max_replication: 7,
    commit_window_blocks: 10,
    reveal_window_blocks: 10,
    slash_missed_bps: 100,
    slash_minority_bps: 500,
    slash_audit_bps: 1_000,
    max_faults: 3,
    jail_blocks: 100,
    max_reruns: 2,
    rerun_extra_replicas: 2,
    audit_bps: 1_000,
    max_assignments_per_block: 64,
    max_params_bytes: 4_096,
    max_output_bytes: 16_384,
    max_job_blocks: 1_000,
  },
  attestation: { anchor_window_blocks: 100, validity_blocks: 1_000, any_value_indices: [] },
  tx: { max_tx_bytes: 65_536, max_memo_bytes: 256, max_msgs: 32, max_nonce_gap: 16 },
  block: { max_bytes: 4 * 1024 * 1024, max_gas: 1_000_000_000 },
};
