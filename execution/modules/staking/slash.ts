// Slashing a validator's stake. What was slashed is burned: it leaves the bonded stake or the
// unbonding entry and is credited to nobody (the bank keeps no supply counter to lower).
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import type { Event } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { makeEvent } from "../events.js";
import type { ValidatorRecordState } from "./records.js";

export const BPS_DENOMINATOR = 10_000n;

export interface SlashOutcome {
  fromBonded: bigint;
  fromUnbonding: bigint;
  total: bigint;
}

/** floor(amount * bps / 10000): each part is rounded down on its own. */
export function fractionOf(amount: bigint, bps: number): bigint {
  if (!Number.isSafeInteger(bps) || bps < 0 || bps > 10_000)
    throw new ExecutionError("INTERNAL", `slash fraction ${bps} bps is outside 0..10000`);
  return (amount * BigInt(bps)) / BPS_DENOMINATOR;
}

/**
 * Takes `bps` of the bonded stake and of every unbonding entry that began at or after
 * `infractionHeight` (stake that was still bonded when the offence happened). Entries that began
 * earlier, and those already paid out, are not touched. Mutates `v`; the caller saves it.
 */
export function slashRecord(v: ValidatorRecordState, infractionHeight: number, bps: number): SlashOutcome {
  const fromBonded = fractionOf(v.stake, bps);
  v.stake -= fromBonded;
  let fromUnbonding = 0n;
  for (const entry of v.unbonding) {
    if (entry.creationHeight < infractionHeight) continue;
    const cut = fractionOf(entry.amount, bps);
    entry.amount -= cut;
    fromUnbonding += cut;
  }
  return { fromBonded, fromUnbonding, total: fromBonded + fromUnbonding };
}

export type SlashReason = "double_sign" | "downtime";

/** The one event of a slash: how much, why, and the jail that came with it. */
export function slashEvent(
  v: ValidatorRecordState,
  reason: SlashReason,
  infractionHeight: number,
  outcome: SlashOutcome,
): Event {
  return makeEvent("slash", [
    ["operator", encodeAddress(v.operator)],
    ["consensus_address", `0x${toHex(v.consensusAddress)}`],
    ["reason", reason],
    ["infraction_height", String(infractionHeight)],
    ["amount", outcome.total.toString()],
    ["bonded_amount", outcome.fromBonded.toString()],
    ["unbonding_amount", outcome.fromUnbonding.toString()],
    ["jailed_until", v.tombstoned ? "never" : String(v.jailedUntil)],
    ["tombstoned", String(v.tombstoned)],
  ]);
}
