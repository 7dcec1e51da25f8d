// Staking: the validator set and its stakes, from genesis for now (txs that change it come with the
// multi-validator consensus issue). Keys: [0x03, 0x01] staking Params, [0x03, 0x02] the whole set as
// one Validators leaf, sorted by operator address (a small set, read once per block).
import { addressFromPublicKey, encodeAddress } from "../../../crypto/address.js";
import { fromHex, toHex } from "../../../crypto/hash.js";
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { KeyType, kyochi, StakingParams, Validator } from "../../../proto/index.js";
import { MAX_AMOUNT, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, keyId, stateKey } from "../../store.js";
import { parseAddress } from "../accounts/index.js";
import type { Module, QueryAnswer } from "../types.js";

export const STAKING_PREFIX = 0x03;
export const STAKING_PARAMS_KEY = stateKey(Uint8Array.of(STAKING_PREFIX, 0x01));
export const VALIDATORS_KEY = stateKey(Uint8Array.of(STAKING_PREFIX, 0x02));

const Validators = kyochi.staking.v1.Validators;
type Validators = kyochi.staking.v1.Validators;
const CONSENSUS_KEY_BYTES = 32;

/** A validator as execution uses it. */
export interface ValidatorState {
  operator: Uint8Array;
  consensusPubkey: Uint8Array;
  /** 20-byte address of the consensus key: addressFromPublicKey(ed25519, consensusPubkey). */
  consensusAddress: Uint8Array;
  stake: bigint;
  power: number;
  moniker: string;
}

/** JSON-friendly view, as RPC serves it. */
export interface ValidatorView {
  operator: string;
  consensus_pubkey: string;
  consensus_address: string;
  stake: string;
  power: number;
  moniker: string;
}

export function validatorView(v: ValidatorState): ValidatorView {
  return {
    operator: encodeAddress(v.operator),
    consensus_pubkey: `0x${toHex(v.consensusPubkey)}`,
    consensus_address: `0x${toHex(v.consensusAddress)}`,
    stake: v.stake.toString(),
    power: v.power,
    moniker: v.moniker,
  };
}

export async function loadStakingParams(
  reader: KvReader,
): Promise<{ powerReduction: bigint; maxValidators: number }> {
  const bytes = await reader.get(STAKING_PARAMS_KEY);
  if (bytes === undefined)
    throw new ExecutionError("NOT_INITIALIZED", "staking params are missing from state");
  const p = decodeCanonical<StakingParams>(StakingParams, bytes, "stored staking Params");
  return {
    powerReduction: parseAmount(p.powerReduction, "stored power_reduction", "INTERNAL"),
    maxValidators: p.maxValidators,
  };
}

export async function loadValidators(reader: KvReader): Promise<ValidatorState[]> {
  const bytes = await reader.get(VALIDATORS_KEY);
  if (bytes === undefined) return [];
  const set = decodeCanonical<Validators>(Validators, bytes, "stored Validators");
  return set.validators.map((v) => {
    const consensusPubkey = v.consensusPubkey ?? new Uint8Array(0);
    return {
      operator: v.operator ?? new Uint8Array(0),
      consensusPubkey,
      consensusAddress: addressFromPublicKey(KeyType.KEY_TYPE_ED25519, consensusPubkey),
      stake: parseAmount(v.stake ?? "", "stored stake", "INTERNAL"),
      power: v.power ?? 0,
      moniker: v.moniker ?? "",
    };
  });
}

async function queryValidators(reader: KvReader): Promise<QueryAnswer> {
  const value = await reader.get(VALIDATORS_KEY);
  const key = VALIDATORS_KEY.bytes;
  return value === undefined ? { key } : { key, value };
}

function genesisError(message: string): ExecutionError {
  return new ExecutionError("GENESIS_INVALID", message);
}

export const stakingModule: Module = {
  name: "staking",
  prefix: STAKING_PREFIX,
  async initGenesis(ctx, genesis) {
    const params = genesis.params.staking;
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
    ctx.store.set(
      STAKING_PARAMS_KEY,
      encode(
        StakingParams,
        StakingParams.create({
          powerReduction: powerReduction.toString(),
          maxValidators: params.max_validators,
        }),
      ),
    );

    const list = genesis.validators;
    if (list.length === 0) throw genesisError("validators: at least one validator is needed");
    if (list.length > params.max_validators) {
      throw genesisError(
        `validators: ${list.length} validators exceed params.staking.max_validators ${params.max_validators}`,
      );
    }
    const operators = new Set<string>();
    const keys = new Set<string>();
    let totalPower = 0;
    let totalStake = 0n;
    const validators: Validator[] = [];
    for (const [i, v] of list.entries()) {
      const field = `validators[${i}]`;
      const operator = parseAddress(v.operator, "GENESIS_INVALID");
      let pubkey: Uint8Array;
      try {
        pubkey = fromHex(v.consensus_pubkey);
      } catch {
        throw genesisError(`${field}.consensus_pubkey is not hex`);
      }
      if (pubkey.length !== CONSENSUS_KEY_BYTES)
        throw genesisError(`${field}.consensus_pubkey must be 32 bytes`);
      const stake = parseAmount(v.stake, `${field}.stake`, "GENESIS_INVALID");
      const derived = stake / powerReduction;
      if (derived < 1n)
        throw genesisError(`${field}.stake is below params.staking.power_reduction (power would be 0)`);
      if (derived > BigInt(Number.MAX_SAFE_INTEGER)) throw genesisError(`${field}: power is above 2^53-1`);
      const power = Number(derived);
      if (v.power !== undefined && v.power !== power) {
        throw genesisError(`${field}.power ${v.power} must equal stake / power_reduction = ${power}`);
      }
      if (operators.has(keyId(operator)))
        throw genesisError(`${field}.operator ${v.operator} is listed twice`);
      if (keys.has(keyId(pubkey))) throw genesisError(`${field}.consensus_pubkey is listed twice`);
      operators.add(keyId(operator));
      keys.add(keyId(pubkey));
      totalPower += power;
      totalStake += stake;
      if (!Number.isSafeInteger(totalPower)) throw genesisError("validators: total power is above 2^53-1");
      if (totalStake > MAX_AMOUNT) throw genesisError("validators: total stake exceeds 2^128-1");
      validators.push(
        Validator.create({
          operator,
          consensusPubkey: pubkey,
          consensusKeyType: KeyType.KEY_TYPE_ED25519,
          stake: stake.toString(),
          power,
          moniker: v.moniker,
        }),
      );
    }
    validators.sort((a, b) => Buffer.compare(a.operator, b.operator));
    ctx.store.set(VALIDATORS_KEY, encode(Validators, Validators.create({ validators })));
  },
  queries: { validators: queryValidators },
};
