// Stable result codes of the state machine. A code is what a tx's TxResult.code, a CheckTxResult and
// a query carry, and what RPC clients match on.
//
// THE NUMBERS NEVER CHANGE ONCE PUBLISHED: results are stored in blocks and indexed forever, and
// wallets switch on them. Add new codes with new numbers at the end of their range; never renumber,
// reuse or delete one (a retired code stays in the table, marked as retired in its meaning).
//
// Ranges: 0 ok, 1 internal, 2-29 stateless tx checks, 30-39 stateful tx checks (ante),
// 40-59 message execution (bank, staking, slashing), 60-69 queries, 70-79 genesis,
// 80-99 data, 100-119 models and royalties, 120-139 governance, 140-159 attestation,
// 160-199 compute.

export const RESULT_CODES = {
  OK: { code: 0, codespace: "", meaning: "success" },
  INTERNAL: {
    code: 1,
    codespace: "app",
    meaning: "unexpected internal error (a bug; the tx changed nothing)",
  },

  TX_MALFORMED: {
    code: 2,
    codespace: "tx",
    meaning: "tx bytes are not valid protobuf (truncated, empty, bad wire data)",
  },
  TX_NON_CANONICAL: {
    code: 3,
    codespace: "tx",
    meaning:
      "Tx or TxBody is valid protobuf but not its canonical encoding (field order, explicit defaults, duplicates, unknown fields)",
  },
  TX_TOO_LARGE: { code: 4, codespace: "tx", meaning: "encoded tx is larger than tx.max_tx_bytes" },
  TX_WRONG_CHAIN_ID: { code: 5, codespace: "tx", meaning: "body.chain_id is not this chain's id" },
  TX_UNSUPPORTED_KEY_TYPE: { code: 6, codespace: "tx", meaning: "key_type is not ed25519 or secp256k1" },
  TX_INVALID_PUBLIC_KEY: {
    code: 7,
    codespace: "tx",
    meaning: "public key has the wrong length for its key type",
  },
  TX_BAD_SIGNATURE: {
    code: 8,
    codespace: "tx",
    meaning: "signature does not verify over the body bytes with the public key",
  },
  TX_NO_MESSAGES: { code: 9, codespace: "tx", meaning: "tx has no messages" },
  TX_TOO_MANY_MESSAGES: { code: 10, codespace: "tx", meaning: "tx has more than tx.max_msgs messages" },
  TX_UNKNOWN_MESSAGE: { code: 11, codespace: "tx", meaning: "a message has no known type (empty oneof)" },
  TX_MEMO_TOO_LONG: {
    code: 12,
    codespace: "tx",
    meaning: "memo is longer than tx.max_memo_bytes UTF-8 bytes",
  },
  TX_INVALID_FEE: {
    code: 13,
    codespace: "tx",
    meaning: "fee is not a decimal amount in 0..2^128-1 without sign or leading zeros",
  },
  TX_FEE_TOO_LOW: { code: 14, codespace: "tx", meaning: "fee is below bank.min_gas_price * gas_limit" },
  TX_GAS_LIMIT_TOO_HIGH: { code: 15, codespace: "tx", meaning: "gas_limit is above block.max_gas" },
  TX_GAS_LIMIT_TOO_LOW: {
    code: 16,
    codespace: "tx",
    meaning: "gas_limit is below the tx's intrinsic gas (base + bytes + signature + messages)",
  },

  TX_NONCE_TOO_LOW: {
    code: 30,
    codespace: "tx",
    meaning: "nonce is below the account's next nonce (replay)",
  },
  TX_NONCE_GAP_TOO_LARGE: {
    code: 31,
    codespace: "tx",
    meaning: "nonce is more than tx.max_nonce_gap above the account's next nonce (mempool admission)",
  },
  TX_NONCE_TOO_HIGH: {
    code: 32,
    codespace: "tx",
    meaning: "at execution the nonce must equal the account's next nonce; it is higher",
  },
  TX_INSUFFICIENT_FEE_FUNDS: { code: 33, codespace: "tx", meaning: "signer's balance is below the fee" },
  TX_OUT_OF_GAS: {
    code: 34,
    codespace: "tx",
    meaning: "execution used more gas than gas_limit (fee charged, messages reverted)",
  },

  INSUFFICIENT_FUNDS: {
    code: 40,
    codespace: "bank",
    meaning: "sender's balance (after the fee) is below the amount",
  },
  INVALID_AMOUNT: {
    code: 41,
    codespace: "bank",
    meaning: "amount is zero, not a decimal string, has a sign or leading zeros, or is above 2^128-1",
  },
  INVALID_ADDRESS: {
    code: 42,
    codespace: "bank",
    meaning: "address is not 20 bytes (or not a valid kyo1 bech32 string)",
  },
  AMOUNT_OVERFLOW: { code: 43, codespace: "bank", meaning: "a balance or sum would exceed 2^128-1" },
  AMOUNT_UNDERFLOW: { code: 44, codespace: "bank", meaning: "a subtraction would go below zero" },

  VALIDATOR_EXISTS: {
    code: 45,
    codespace: "staking",
    meaning: "the signer already operates a validator (one per operator account)",
  },
  DUPLICATE_CONSENSUS_KEY: {
    code: 46,
    codespace: "staking",
    meaning: "the consensus key is used by another validator (tombstoned ones included)",
  },
  UNKNOWN_VALIDATOR: {
    code: 47,
    codespace: "staking",
    meaning: "no validator is operated by the signer (or known at the queried address)",
  },
  SELF_STAKE_TOO_LOW: {
    code: 48,
    codespace: "staking",
    meaning:
      "the self-stake would be below staking.min_self_stake (create, unjail, or an unbond that leaves some stake)",
  },
  UNBOND_EXCEEDS_STAKE: {
    code: 49,
    codespace: "staking",
    meaning: "the amount to unbond is above the validator's bonded stake",
  },
  VALIDATOR_NOT_JAILED: {
    code: 50,
    codespace: "staking",
    meaning: "unjail of a validator that is not jailed",
  },
  JAIL_PERIOD_NOT_OVER: {
    code: 51,
    codespace: "staking",
    meaning: "unjail before the height at which the downtime jail ends (jailed_until)",
  },
  VALIDATOR_TOMBSTONED: {
    code: 52,
    codespace: "staking",
    meaning: "the validator was slashed for double signing: it can never unjail or take stake again",
  },
  INVALID_CONSENSUS_KEY: {
    code: 53,
    codespace: "staking",
    meaning: "the consensus public key is not a 32-byte Ed25519 key",
  },
  INVALID_MONIKER: { code: 54, codespace: "staking", meaning: "the moniker is longer than 64 UTF-8 bytes" },
  VALIDATOR_POWER_TOO_HIGH: {
    code: 55,
    codespace: "staking",
    meaning:
      "the validator's power (stake / power_reduction) would exceed (2^53-1) / max_validators, the bound that keeps total voting power exact",
  },
  TOO_MANY_UNBONDING_ENTRIES: {
    code: 56,
    codespace: "staking",
    meaning: "the validator already has the most unbonding entries in flight (32); wait for one to mature",
  },

  QUERY_UNKNOWN_PATH: { code: 60, codespace: "query", meaning: "no query is served at this path" },
  QUERY_INVALID_ARGUMENT: {
    code: 61,
    codespace: "query",
    meaning: "the query's argument is malformed (bad address, bad hex key)",
  },
  QUERY_HEIGHT_UNAVAILABLE: {
    code: 62,
    codespace: "query",
    meaning: "the height is in the future or pruned",
  },

  GENESIS_INVALID: { code: 70, codespace: "genesis", meaning: "the genesis app state is inconsistent" },
  ALREADY_INITIALIZED: {
    code: 71,
    codespace: "genesis",
    meaning: "initChain was called on a state that already has a genesis",
  },
  NOT_INITIALIZED: {
    code: 72,
    codespace: "genesis",
    meaning: "the state has no genesis yet (initChain first)",
  },
  WRONG_CHAIN: { code: 73, codespace: "genesis", meaning: "the stored state belongs to another chain id" },

  // ---- data (80-99) ----
  DATASET_NOT_FOUND: { code: 80, codespace: "data", meaning: "no dataset has this id" },
  OFFER_NOT_FOUND: {
    code: 81,
    codespace: "data",
    meaning: "the dataset has no license offer with this id",
  },
  LICENSE_NOT_FOUND: { code: 82, codespace: "data", meaning: "no license has this id" },
  NOT_DATASET_OWNER: {
    code: 83,
    codespace: "data",
    meaning: "only the dataset's current owner may add or retire its offers or transfer it",
  },
  INVALID_DATASET: {
    code: 84,
    codespace: "data",
    meaning:
      "a dataset field is out of bounds: name 1..128 UTF-8 bytes, content_root 32 bytes, size_bytes > 0, location_uri 1..512 bytes, format 1..64 bytes (no control characters), description_hash empty or 32 bytes",
  },
  INVALID_OFFER: {
    code: 85,
    codespace: "data",
    meaning: "an offer term is out of bounds: royalty_bps above 10000 or duration_blocks above 2^40",
  },
  TOO_MANY_OFFERS: {
    code: 86,
    codespace: "data",
    meaning: "the dataset already has the most offers ever added (64, retired ones included)",
  },
  OFFER_RETIRED: {
    code: 87,
    codespace: "data",
    meaning: "the offer was retired: it sells no more licenses and cannot be retired again",
  },
  OFFER_SOLD_OUT: {
    code: 88,
    codespace: "data",
    meaning: "the offer has sold max_licenses licenses (or 2^32-1 when unlimited)",
  },
  DATASET_TRANSFER_TO_SELF: {
    code: 89,
    codespace: "data",
    meaning: "the new owner of a dataset transfer is its current owner",
  },

  // ---- models and royalties (100-119) ----
  MODEL_NOT_FOUND: {
    code: 100,
    codespace: "models",
    meaning: "no model version has this id (or this name@version); also an unknown parent_id",
  },
  MODEL_EXISTS: {
    code: 101,
    codespace: "models",
    meaning: "a model version with this (name, version) is already registered (unique chain-wide)",
  },
  INVALID_MODEL: {
    code: 102,
    codespace: "models",
    meaning:
      "a model field is out of bounds: name 1..128 and version 1..64 UTF-8 bytes without '@' or control characters, weights_hash and card_hash 32 bytes, size_bytes > 0, format onnx|safetensors|gguf, location_uri 1..512 bytes, derivative_royalty_bps 0..10000, license_ids distinct and non-zero",
  },
  NOT_MODEL_OWNER: {
    code: 103,
    codespace: "models",
    meaning: "only the model's current owner may deprecate it, transfer it or change its fee",
  },
  MODEL_DEPRECATED: {
    code: 104,
    codespace: "models",
    meaning: "the model is deprecated: it cannot be paid, repriced or deprecated again",
  },
  MODEL_TRANSFER_TO_SELF: {
    code: 105,
    codespace: "models",
    meaning: "the new owner of a model transfer is its current owner",
  },
  TOO_MANY_LICENSES: {
    code: 106,
    codespace: "models",
    meaning: "the model cites more licenses than models.max_licenses_per_model",
  },
  CITED_LICENSE_NOT_HELD: {
    code: 107,
    codespace: "models",
    meaning: "a cited license is held by another account than the registrant",
  },
  CITED_LICENSE_EXPIRED: {
    code: 108,
    codespace: "models",
    meaning: "a cited license is not valid at this height (expired)",
  },
  CITED_LICENSE_FORBIDS_TRAINING: {
    code: 109,
    codespace: "models",
    meaning: "a cited license does not allow training",
  },
  CITED_LICENSE_NOT_COMMERCIAL: {
    code: 110,
    codespace: "models",
    meaning: "a model with an inference fee above zero cites a license that does not allow commercial use",
  },
  PARENT_DEPRECATED: {
    code: 111,
    codespace: "models",
    meaning: "the parent model is deprecated: no new derivatives",
  },
  PARENT_FORBIDS_DERIVATIVES: {
    code: 112,
    codespace: "models",
    meaning: "the parent model does not allow derivatives (allow_derivatives is false)",
  },
  LINEAGE_TOO_DEEP: {
    code: 113,
    codespace: "models",
    meaning: "the model would have more ancestors than models.max_lineage_depth",
  },
  LINEAGE_CYCLE: {
    code: 114,
    codespace: "models",
    meaning: "the parent chain comes back to a model already on it (or to the model being registered)",
  },
  ROYALTY_SHARES_EXCEED_100: {
    code: 115,
    codespace: "models",
    meaning:
      "the cited licenses' royalty_bps plus the parent's derivative_royalty_bps exceed 10000 (more than the whole fee)",
  },
  MODEL_NOT_PRICED: {
    code: 116,
    codespace: "models",
    meaning: "the model's inference fee is zero: there is nothing to pay",
  },
  FEE_ABOVE_MAX: {
    code: 117,
    codespace: "models",
    meaning: "the model's current inference fee is above the payer's max_fee",
  },
  MODELS_PARAM_INVALID: {
    code: 118,
    codespace: "models",
    meaning:
      "a models param change is refused: max_lineage_depth 1..64, max_licenses_per_model 0..256, both integers, no other keys",
  },

  // ---- governance (120-139) ----
  GOV_PROPOSAL_NOT_FOUND: { code: 120, codespace: "gov", meaning: "no governance proposal has this id" },
  GOV_INVALID_PROPOSAL: {
    code: 121,
    codespace: "gov",
    meaning:
      "the proposal's title (1-140 bytes), summary (at most 10 KiB) or content is malformed (empty content, bad upgrade name, too many changes)",
  },
  PARAM_INVALID: {
    code: 122,
    codespace: "gov",
    meaning:
      "a parameter change names an unknown params section or key, a value of the wrong type, or leaves a section that fails the checks genesis applies",
  },
  GOV_HEIGHT_TOO_EARLY: {
    code: 123,
    codespace: "gov",
    meaning:
      "a param change's effective height or an upgrade's height is not after the latest height at which voting could end",
  },
  GOV_NOT_IN_DEPOSIT_PERIOD: {
    code: 124,
    codespace: "gov",
    meaning: "a deposit on a proposal that is no longer (or never was) in its deposit period",
  },
  GOV_NOT_IN_VOTING_PERIOD: {
    code: 125,
    codespace: "gov",
    meaning: "a vote on a proposal that is not in its voting period",
  },
  GOV_NOT_A_VALIDATOR: {
    code: 126,
    codespace: "gov",
    meaning: "only the operators of validators in the active set may vote",
  },
  GOV_INVALID_VOTE_OPTION: {
    code: 127,
    codespace: "gov",
    meaning: "the vote option is not yes, no, abstain or no_with_veto",
  },
  UPGRADE_NEEDED: {
    code: 128,
    codespace: "gov",
    meaning:
      "a software upgrade scheduled by governance is due at this height and this release does not implement it",
  },

  // ---- attestation (140-159) ----
  ATTESTATION_INVALID_CERTIFICATE: {
    code: 140,
    codespace: "attestation",
    meaning:
      "the trusted root is not one DER X.509 certificate that parses, is not a CA, or its label is longer than 128 bytes",
  },
  ATTESTATION_INVALID_EVIDENCE_CLASS: {
    code: 141,
    codespace: "attestation",
    meaning: "the evidence class is not one of nvidia-cc, dev",
  },
  ATTESTATION_ROOT_EXISTS: {
    code: 142,
    codespace: "attestation",
    meaning: "a trusted root with this certificate (the same sha256 of its DER) is already registered",
  },
  ATTESTATION_ROOT_NOT_FOUND: {
    code: 143,
    codespace: "attestation",
    meaning: "no trusted root has this id (sha256 of its DER certificate)",
  },
  ATTESTATION_INVALID_MEASUREMENT: {
    code: 144,
    codespace: "attestation",
    meaning: "the measurement index is not in 0..255 or its value is not 1 to 64 bytes",
  },

  // ---- attestation messages (145-159) ----
  ATTESTATION_DEV_NOT_ALLOWED: {
    code: 145,
    codespace: "attestation",
    meaning: "dev evidence on a chain whose genesis does not allow it (app_state.attestation.allow_dev)",
  },
  ATTESTATION_STALE_ANCHOR: {
    code: 146,
    codespace: "attestation",
    meaning:
      "the evidence's anchor height is not among the last attestation.anchor_window_blocks blocks (or is the current block)",
  },
  ATTESTATION_EVIDENCE_MALFORMED: {
    code: 147,
    codespace: "attestation",
    meaning:
      "the report is not an SPDM 1.1 GET_MEASUREMENTS request + MEASUREMENTS response, or the certificate chain is not 5 P-384 PEM certificates",
  },
  ATTESTATION_REPORT_BAD_LENGTH: {
    code: 148,
    codespace: "attestation",
    meaning:
      "the report ends before its declared lengths do (truncated) or has bytes after its signature (padded)",
  },
  ATTESTATION_UNKNOWN_ROOT: {
    code: 149,
    codespace: "attestation",
    meaning: "the certificate chain does not end at a trusted root of the evidence class",
  },
  ATTESTATION_CERT_SIGNATURE_INVALID: {
    code: 150,
    codespace: "attestation",
    meaning:
      "a certificate of the chain is not signed by its parent (signature or issuer name does not match)",
  },
  ATTESTATION_CERT_NOT_VALID: {
    code: 151,
    codespace: "attestation",
    meaning: "a certificate of the chain (or the root) has expired or is not yet valid at the block time",
  },
  ATTESTATION_CERT_NOT_CA: {
    code: 152,
    codespace: "attestation",
    meaning:
      "an issuing certificate lacks basicConstraints cA (or its path length is exceeded), or a key usage forbids its use",
  },
  ATTESTATION_FWID_MISMATCH: {
    code: 153,
    codespace: "attestation",
    meaning: "the leaf certificate's FWID differs from the report's FWID field",
  },
  ATTESTATION_NONCE_MISMATCH: {
    code: 154,
    codespace: "attestation",
    meaning:
      "the report's nonce is not attestationNonce(chain id, anchor height, anchor block hash, operator, worker, gpu index)",
  },
  ATTESTATION_REPORT_SIGNATURE_INVALID: {
    code: 155,
    codespace: "attestation",
    meaning: "the report's ECDSA P-384 signature does not verify under the leaf certificate's key",
  },
  ATTESTATION_MEASUREMENT_NOT_ALLOWED: {
    code: 156,
    codespace: "attestation",
    meaning: "a measurement is not among the allowed values of its index, or a pinned index is missing",
  },
  ATTESTATION_REPORT_REPLAYED: {
    code: 157,
    codespace: "attestation",
    meaning: "this report (sha256 of its signed bytes) was already accepted once",
  },
  ATTESTATION_DEVICE_IN_USE: {
    code: 158,
    codespace: "attestation",
    meaning: "the GPU (its device certificate's key) already backs another worker with a current attestation",
  },
  ATTESTATION_PARAM_INVALID: {
    code: 159,
    codespace: "attestation",
    meaning:
      "an attestation param change is refused: anchor_window_blocks 1..10000, validity_blocks 1..10000000, any_value_indices sorted unique 0..255",
  },

  // ---- compute workers (160-174) ----
  COMPUTE_WORKER_NOT_FOUND: {
    code: 160,
    codespace: "compute",
    meaning: "no worker is registered at this address",
  },
  COMPUTE_WORKER_EXISTS: {
    code: 161,
    codespace: "compute",
    meaning: "a worker with this key (its address) is already registered",
  },
  COMPUTE_STAKE_TOO_LOW: {
    code: 162,
    codespace: "compute",
    meaning: "the worker's stake is below compute.min_worker_stake",
  },
  COMPUTE_INVALID_CAPABILITIES: {
    code: 163,
    codespace: "compute",
    meaning:
      "capabilities are malformed: gpu_model at most 128 bytes, 1..16 runtimes lower-case [a-z0-9._-] sorted and unique, max_concurrent_jobs 1..64",
  },
  COMPUTE_INVALID_WORKER: {
    code: 164,
    codespace: "compute",
    meaning:
      "the worker's key is not a valid ed25519 or secp256k1 public key, or an amount (stake, price) is not a decimal in 0..2^128-1",
  },
  COMPUTE_NOT_OPERATOR: {
    code: 165,
    codespace: "compute",
    meaning: "only the worker's operator may update, unbond or unjail it",
  },
  COMPUTE_WORKER_UNBONDING: {
    code: 166,
    codespace: "compute",
    meaning: "the worker is unbonding: it cannot be updated, unbonded again, unjailed or attested",
  },
  COMPUTE_WORKER_NOT_JAILED: {
    code: 167,
    codespace: "compute",
    meaning: "unjail of a worker that is not jailed",
  },
  COMPUTE_JAIL_NOT_EXPIRED: {
    code: 168,
    codespace: "compute",
    meaning: "unjail before the worker's jailed_until height",
  },
  COMPUTE_PARAM_INVALID: {
    code: 169,
    codespace: "compute",
    meaning:
      "a compute param change is refused: a field out of its range, a wrong type, a missing or unknown key",
  },
  // ---- compute jobs (175-199) ----
  COMPUTE_JOB_NOT_FOUND: { code: 175, codespace: "compute", meaning: "no compute job has this id" },
  COMPUTE_INVALID_JOB: {
    code: 176,
    codespace: "compute",
    meaning:
      "a job field is out of bounds: input_hash 32 bytes, input_uri file|http|https|data and at most 2048 bytes, params canonical JSON (sorted keys, no spaces) of an object within compute.max_params_bytes, replication 1..compute.max_replication, deadline_blocks 1..compute.max_job_blocks",
  },
  COMPUTE_ESCROW_TOO_LOW: {
    code: 177,
    codespace: "compute",
    meaning: "the escrow is below replication x max_price + the model's inference fee",
  },
  COMPUTE_NOT_JOB_OWNER: {
    code: 178,
    codespace: "compute",
    meaning: "only the job's owner may cancel it (and nobody cancels an audit: the audit pool pays it)",
  },
  COMPUTE_JOB_NOT_PENDING: {
    code: 179,
    codespace: "compute",
    meaning: "the job is no longer pending (assigned, settled, failed or cancelled): it cannot be cancelled",
  },
  COMPUTE_NOT_ASSIGNED: {
    code: 180,
    codespace: "compute",
    meaning: "the signer is not a worker assigned to the job's current round",
  },
  COMPUTE_COMMIT_WINDOW_CLOSED: {
    code: 181,
    codespace: "compute",
    meaning: "the job's commit window is over (the job is revealing, settled or failed)",
  },
  COMPUTE_ALREADY_COMMITTED: {
    code: 182,
    codespace: "compute",
    meaning: "the worker already committed to a result in this round",
  },
  COMPUTE_NOT_COMMITTED: {
    code: 183,
    codespace: "compute",
    meaning: "a reveal from a worker that did not commit in this round",
  },
  COMPUTE_REVEAL_WINDOW_NOT_OPEN: {
    code: 184,
    codespace: "compute",
    meaning: "the job is still in its commit window: reveals open when it closes",
  },
  COMPUTE_REVEAL_WINDOW_CLOSED: {
    code: 185,
    codespace: "compute",
    meaning: "the job's reveal window is over (the job is settled, failed or re-running)",
  },
  COMPUTE_ALREADY_REVEALED: {
    code: 186,
    codespace: "compute",
    meaning: "the worker already revealed its result in this round",
  },
  COMPUTE_REVEAL_MISMATCH: {
    code: 187,
    codespace: "compute",
    meaning:
      "the reveal does not open the worker's commitment (result hash, salt, job, round or worker differ)",
  },
  COMPUTE_OUTPUT_MISMATCH: {
    code: 188,
    codespace: "compute",
    meaning: "the revealed output bytes do not hash (sha256) to the revealed result_hash",
  },
  COMPUTE_INVALID_RESULT: {
    code: 189,
    codespace: "compute",
    meaning:
      "a commit or reveal field is out of bounds: commitment and result_hash 32 bytes, salt 16..64 bytes, output at most compute.max_output_bytes, output_uri file|http|https|data and at most 2048 bytes, and an output or an output_uri",
  },
} as const satisfies Record<string, { code: number; codespace: string; meaning: string }>;

export type ResultCodeName = keyof typeof RESULT_CODES;

export interface ResultCodeInfo {
  name: ResultCodeName;
  code: number;
  codespace: string;
  meaning: string;
}

/** The table as a list, ordered by code: what RPC serves (name -> number -> meaning). */
export const RESULT_CODE_TABLE: readonly ResultCodeInfo[] = Object.entries(RESULT_CODES)
  .map(([name, info]) => ({ name: name as ResultCodeName, ...info }))
  .sort((a, b) => a.code - b.code);

const BY_NUMBER = new Map<number, ResultCodeInfo>(RESULT_CODE_TABLE.map((info) => [info.code, info]));

export function resultCode(name: ResultCodeName): number {
  return RESULT_CODES[name].code;
}

/** The entry of a numeric code, or undefined for a number that was never allotted. */
export function resultCodeInfo(code: number): ResultCodeInfo | undefined {
  return BY_NUMBER.get(code);
}

/** One error class for execution/: `code` is the stable name, `resultCode` its stable number. */
export class ExecutionError extends Error {
  readonly code: ResultCodeName;
  readonly resultCode: number;
  readonly codespace: string;

  constructor(code: ResultCodeName, message: string) {
    super(message);
    this.name = "ExecutionError";
    this.code = code;
    this.resultCode = RESULT_CODES[code].code;
    this.codespace = RESULT_CODES[code].codespace;
  }
}

/** Maps anything thrown during execution to an ExecutionError (unknown errors become INTERNAL). */
export function toExecutionError(err: unknown): ExecutionError {
  if (err instanceof ExecutionError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ExecutionError("INTERNAL", message);
}
