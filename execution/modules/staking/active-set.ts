// The active validator set: who consensus runs with. Recomputed at the end of every block from the
// records: not jailed, power = stake / power_reduction > 0, the top max_validators by power (ties:
// lower operator address first). The difference from the set stored at the previous block goes to
// consensus as ValidatorUpdates (power 0 removes), which it applies from height H+2 on.
import { addressFromPublicKey, encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { encode } from "../../../proto/canonical.js";
import { KeyType, kyochi, Validator, ValidatorUpdate } from "../../../proto/index.js";
import { parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { StakingParamsState } from "../../params.js";
import type { KvReader, KvStore } from "../../store.js";
import { maxValidatorPower } from "./params.js";
import { loadAllRecords, VALIDATORS_KEY, type ValidatorRecordState } from "./records.js";

const Validators = kyochi.staking.v1.Validators;
type Validators = kyochi.staking.v1.Validators;

/** A validator of the active set. */
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

/** Voting power a record would have in the set (0 when jailed), capped by maxValidatorPower. */
export function potentialPower(v: ValidatorRecordState, params: StakingParamsState): number {
  if (v.jailed) return 0;
  const derived = v.stake / params.powerReduction;
  const cap = maxValidatorPower(params);
  // bigints: Math.min does not apply
  if (derived > cap) return Number(cap);
  return Number(derived);
}

/** The active set for these records, sorted by operator address. */
export function selectActiveSet(
  records: readonly ValidatorRecordState[],
  params: StakingParamsState,
): ValidatorState[] {
  const candidates = records
    .map((r) => ({ r, power: potentialPower(r, params) }))
    .filter((c) => c.power > 0)
    .sort((a, b) => b.power - a.power || Buffer.compare(a.r.operator, b.r.operator))
    .slice(0, params.maxValidators);
  return candidates
    .map(({ r, power }) => ({
      operator: r.operator,
      consensusPubkey: r.consensusPubkey,
      consensusAddress: r.consensusAddress,
      stake: r.stake,
      power,
      moniker: r.moniker,
    }))
    .sort((a, b) => Buffer.compare(a.operator, b.operator));
}

export function encodeActiveSet(set: readonly ValidatorState[]): Uint8Array {
  return encode(
    Validators,
    Validators.create({
      validators: set.map((v) =>
        Validator.create({
          operator: v.operator,
          consensusPubkey: v.consensusPubkey,
          consensusKeyType: KeyType.KEY_TYPE_ED25519,
          stake: v.stake.toString(),
          power: v.power,
          moniker: v.moniker,
        }),
      ),
    }),
  );
}

/** The active set stored at the end of the last block (the genesis set before block 1). */
export async function loadActiveValidators(reader: KvReader): Promise<ValidatorState[]> {
  const bytes = await reader.get(VALIDATORS_KEY);
  if (bytes === undefined) return [];
  let set: Validators;
  try {
    set = Validators.decode(bytes);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored Validators does not decode: ${(err as Error).message}`);
  }
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

/**
 * Power changes from `before` to `after`, keyed by consensus key, sorted by consensus address so
 * every node returns the same list in the same order.
 */
export function diffActiveSets(
  before: readonly ValidatorState[],
  after: readonly ValidatorState[],
): ValidatorUpdate[] {
  const old = new Map(before.map((v) => [toHex(v.consensusPubkey), v]));
  const changes: { address: Uint8Array; update: ValidatorUpdate }[] = [];
  for (const v of after) {
    const id = toHex(v.consensusPubkey);
    const prev = old.get(id);
    old.delete(id);
    if (prev?.power === v.power) continue;
    changes.push({
      address: v.consensusAddress,
      update: ValidatorUpdate.create({ pubKey: v.consensusPubkey, power: v.power }),
    });
  }
  for (const gone of old.values()) {
    changes.push({
      address: gone.consensusAddress,
      update: ValidatorUpdate.create({ pubKey: gone.consensusPubkey, power: 0 }),
    });
  }
  return changes.sort((a, b) => Buffer.compare(a.address, b.address)).map((c) => c.update);
}

/** Recomputes the active set, stores it when it changed, and returns the updates for consensus. */
export async function updateActiveSet(
  store: KvStore,
  params: StakingParamsState,
): Promise<ValidatorUpdate[]> {
  const before = await store.get(VALIDATORS_KEY);
  const next = selectActiveSet(await loadAllRecords(store), params);
  const bytes = encodeActiveSet(next);
  if (before !== undefined && Buffer.compare(before, bytes) === 0) return [];
  const updates = diffActiveSets(before === undefined ? [] : await loadActiveValidators(store), next);
  store.set(VALIDATORS_KEY, bytes);
  return updates;
}
