// Staking: validators, their stake, the unbonding queue and the active set handed to consensus.
//   records.ts     state layout (one record per validator, indexes, unbonding queue)
//   msgs.ts        create validator, add stake, unbond, unjail
//   active-set.ts  the set consensus runs with and the updates it gets each block
//   slash.ts       taking a fraction of stake (called by the slashing module)
//   queries.ts     validators, validator/<address>, validator_set
// Block end: pay out the unbonding entries that complete at this height, then recompute the set.
import { encodeAddress } from "../../../crypto/address.js";
import { fromHex } from "../../../crypto/hash.js";
import { checkedAdd, MAX_AMOUNT, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { StakingParamsState } from "../../params.js";
import { keyId } from "../../store.js";
import { accountStateKey, loadAccount, parseAddress, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { BlockEndContext, Module } from "../types.js";
import { updateActiveSet } from "./active-set.js";
import { stakingParamSpace } from "./param-space.js";
import { initStakingParams, maxValidatorPower } from "./params.js";
import { queryValidator, queryValidatorSet, queryValidators } from "./queries.js";
import {
  CONSENSUS_KEY_BYTES,
  consensusAddressOf,
  insertRecord,
  loadRecord,
  loadUnbondingQueue,
  MAX_MONIKER_BYTES,
  STAKING_PREFIX,
  saveRecord,
  unbondingQueueKey,
  type ValidatorRecordState,
} from "./records.js";

export {
  loadActiveValidators,
  type ValidatorState,
  type ValidatorView,
  validatorView,
} from "./active-set.js";
export { loadStakingParams } from "./params.js";
export { findValidatorView, listValidatorViews, type ValidatorStatusView } from "./queries.js";
export { STAKING_PARAMS_KEY, STAKING_PREFIX, VALIDATORS_KEY } from "./records.js";

function genesisError(message: string): ExecutionError {
  return new ExecutionError("GENESIS_INVALID", message);
}

/** Pays back every entry of the validators queued for this height. */
async function completeUnbonding(ctx: BlockEndContext): Promise<void> {
  const operators = await loadUnbondingQueue(ctx.store, ctx.height);
  if (operators.length === 0) return;
  for (const operator of operators) {
    const v = await loadRecord(ctx.store, operator);
    if (!v) throw new ExecutionError("INTERNAL", "the unbonding queue names an unknown validator");
    const due = v.unbonding.filter((e) => e.completionHeight <= ctx.height);
    if (due.length === 0) continue;
    v.unbonding = v.unbonding.filter((e) => e.completionHeight > ctx.height);
    saveRecord(ctx.store, v);
    let paid = 0n;
    for (const e of due) paid = checkedAdd(paid, e.amount);
    if (paid > 0n) {
      const key = accountStateKey(operator);
      const account = await loadAccount(ctx.store, key);
      saveAccount(ctx.store, key, { nonce: account.nonce, balance: checkedAdd(account.balance, paid) });
    }
    ctx.events.push(
      makeEvent("unbonding_complete", [
        ["operator", encodeAddress(operator)],
        ["amount", paid.toString()],
      ]),
    );
  }
  ctx.store.delete(unbondingQueueKey(ctx.height));
}

async function initGenesisValidators(
  ctx: Parameters<NonNullable<Module["initGenesis"]>>[0],
  list: Parameters<NonNullable<Module["initGenesis"]>>[1]["validators"],
  params: StakingParamsState,
): Promise<void> {
  if (list.length === 0) throw genesisError("validators: at least one validator is needed");
  if (list.length > params.maxValidators) {
    throw genesisError(
      `validators: ${list.length} validators exceed params.staking.max_validators ${params.maxValidators}`,
    );
  }
  const operators = new Set<string>();
  const keys = new Set<string>();
  const cap = maxValidatorPower(params);
  let totalStake = 0n;
  const records: ValidatorRecordState[] = [];
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
    const derived = stake / params.powerReduction;
    if (derived < 1n)
      throw genesisError(`${field}.stake is below params.staking.power_reduction (power would be 0)`);
    if (derived > cap) throw genesisError(`${field}: power ${derived} is above (2^53-1) / max_validators`);
    if (stake < params.minSelfStake)
      throw genesisError(`${field}.stake is below params.staking.min_self_stake ${params.minSelfStake}`);
    const power = Number(derived);
    if (v.power !== undefined && v.power !== power) {
      throw genesisError(`${field}.power ${v.power} must equal stake / power_reduction = ${power}`);
    }
    if (Buffer.byteLength(v.moniker, "utf8") > MAX_MONIKER_BYTES)
      throw genesisError(`${field}.moniker is longer than ${MAX_MONIKER_BYTES} UTF-8 bytes`);
    if (operators.has(keyId(operator))) throw genesisError(`${field}.operator ${v.operator} is listed twice`);
    if (keys.has(keyId(pubkey))) throw genesisError(`${field}.consensus_pubkey is listed twice`);
    operators.add(keyId(operator));
    keys.add(keyId(pubkey));
    totalStake += stake;
    if (totalStake > MAX_AMOUNT) throw genesisError("validators: total stake exceeds 2^128-1");
    records.push({
      operator,
      consensusPubkey: pubkey,
      consensusAddress: consensusAddressOf(pubkey),
      stake,
      moniker: v.moniker,
      jailed: false,
      jailedUntil: 0,
      tombstoned: false,
      unbonding: [],
      createdHeight: 0,
    });
  }
  // Creation order of genesis validators is the operator order (the list is re-sorted on read).
  records.sort((a, b) => Buffer.compare(a.operator, b.operator));
  for (const r of records) await insertRecord(ctx.store, r);
  // Every genesis validator is active from the start: consensus starts with this set.
  await updateActiveSet(ctx.store, params);
}

export const stakingModule: Module = {
  name: "staking",
  prefix: STAKING_PREFIX,
  async initGenesis(ctx, genesis) {
    const params = initStakingParams(ctx.store, genesis.params.staking);
    await initGenesisValidators(ctx, genesis.validators, params);
  },
  async endBlock(ctx) {
    await completeUnbonding(ctx);
    ctx.validatorUpdates.push(...(await updateActiveSet(ctx.store, ctx.params.staking)));
  },
  queries: {
    validators: queryValidators,
    validator: queryValidator,
    validator_set: queryValidatorSet,
  },
  paramSpaces: [stakingParamSpace],
};
