// Staking queries. Paths (app.query):
//   validators                         JSON ValidatorStatusView[] of every validator, by operator
//   validator/<kyo1 operator | 0x consensus address>   JSON ValidatorStatusView of one
//   validator_set                      the active set leaf (Validators proto), provable
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { ExecutionError } from "../../errors.js";
import type { StakingParamsState } from "../../params.js";
import type { KvReader } from "../../store.js";
import { parseAddress } from "../accounts/index.js";
import type { QueryAnswer } from "../types.js";
import { loadActiveValidators, potentialPower } from "./active-set.js";
import { loadStakingParams } from "./params.js";
import {
  loadAllRecords,
  loadRecord,
  loadRecordByConsensusAddress,
  VALIDATORS_KEY,
  type ValidatorRecordState,
} from "./records.js";

/**
 * bonded: in the active set; unbonded: not jailed but outside it (no power, or below the top
 * max_validators); jailed: out until it unjails; tombstoned: out for good (double sign).
 */
export type ValidatorStatus = "bonded" | "unbonded" | "jailed" | "tombstoned";

export interface UnbondingEntryView {
  amount: string;
  creation_height: number;
  completion_height: number;
}

export interface ValidatorStatusView {
  operator: string;
  consensus_pubkey: string;
  consensus_address: string;
  moniker: string;
  status: ValidatorStatus;
  /** Bonded stake, base units. */
  stake: string;
  /** Power in the active set (0 when not in it). */
  power: number;
  /** stake / power_reduction: the power it would have if selected. */
  potential_power: number;
  jailed: boolean;
  /** First height at which unjail is accepted; 0 when not jailed for downtime. */
  jailed_until: number;
  tombstoned: boolean;
  unbonding: UnbondingEntryView[];
  created_height: number;
}

export function validatorStatusView(
  v: ValidatorRecordState,
  params: StakingParamsState,
  activePower: ReadonlyMap<string, number>,
): ValidatorStatusView {
  const power = activePower.get(toHex(v.operator)) ?? 0;
  const status: ValidatorStatus = v.tombstoned
    ? "tombstoned"
    : v.jailed
      ? "jailed"
      : power > 0
        ? "bonded"
        : "unbonded";
  return {
    operator: encodeAddress(v.operator),
    consensus_pubkey: `0x${toHex(v.consensusPubkey)}`,
    consensus_address: `0x${toHex(v.consensusAddress)}`,
    moniker: v.moniker,
    status,
    stake: v.stake.toString(),
    power,
    potential_power: potentialPower({ ...v, jailed: false }, params),
    jailed: v.jailed,
    jailed_until: v.jailedUntil,
    tombstoned: v.tombstoned,
    unbonding: v.unbonding.map((e) => ({
      amount: e.amount.toString(),
      creation_height: e.creationHeight,
      completion_height: e.completionHeight,
    })),
    created_height: v.createdHeight,
  };
}

async function activePowers(reader: KvReader): Promise<Map<string, number>> {
  return new Map((await loadActiveValidators(reader)).map((v) => [toHex(v.operator), v.power]));
}

export async function listValidatorViews(reader: KvReader): Promise<ValidatorStatusView[]> {
  const [params, records, active] = await Promise.all([
    loadStakingParams(reader),
    loadAllRecords(reader),
    activePowers(reader),
  ]);
  return records.map((r) => validatorStatusView(r, params, active));
}

/** One validator by operator (kyo1...) or consensus address (0x + 40 hex). */
export async function findValidatorView(reader: KvReader, arg: string): Promise<ValidatorStatusView> {
  let record: ValidatorRecordState | undefined;
  if (/^0x[0-9a-fA-F]{40}$/.test(arg)) {
    record = await loadRecordByConsensusAddress(reader, Uint8Array.from(Buffer.from(arg.slice(2), "hex")));
  } else {
    record = await loadRecord(reader, parseAddress(arg, "QUERY_INVALID_ARGUMENT"));
  }
  if (!record) throw new ExecutionError("UNKNOWN_VALIDATOR", `no validator at ${JSON.stringify(arg)}`);
  const [params, active] = await Promise.all([loadStakingParams(reader), activePowers(reader)]);
  return validatorStatusView(record, params, active);
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

export async function queryValidators(reader: KvReader): Promise<QueryAnswer> {
  return { value: json(await listValidatorViews(reader)) };
}

export async function queryValidator(reader: KvReader, arg: string): Promise<QueryAnswer> {
  return { value: json(await findValidatorView(reader, arg)) };
}

export async function queryValidatorSet(reader: KvReader): Promise<QueryAnswer> {
  const value = await reader.get(VALIDATORS_KEY);
  const key = VALIDATORS_KEY.bytes;
  return value === undefined ? { key } : { key, value };
}
