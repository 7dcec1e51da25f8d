// Staking messages. The signer is always the operator: it creates its validator, adds to its own
// stake, unbonds it, unjails it. (Delegation by third parties is not part of this version.)
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { checkedAdd, parsePositiveAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { StakingParamsState } from "../../params.js";
import type { KvStore } from "../../store.js";
import { loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { MsgContext, MsgHandler } from "../types.js";
import { maxValidatorPower } from "./params.js";
import {
  CONSENSUS_KEY_BYTES,
  consensusAddressOf,
  consensusIndexKey,
  enqueueUnbonding,
  insertRecord,
  loadRecord,
  MAX_MONIKER_BYTES,
  MAX_UNBONDING_ENTRIES,
  saveRecord,
  type ValidatorRecordState,
} from "./records.js";

/** Moves `amount` out of the signer's balance (the fee was already taken by the ante handler). */
async function debitSender(ctx: MsgContext, amount: bigint): Promise<void> {
  const account = await loadAccount(ctx.store, ctx.senderKey);
  if (account.balance < amount) {
    throw new ExecutionError(
      "INSUFFICIENT_FUNDS",
      `balance ${account.balance} is below the amount ${amount}`,
    );
  }
  saveAccount(ctx.store, ctx.senderKey, { nonce: account.nonce, balance: account.balance - amount });
}

function checkPowerBound(stake: bigint, params: StakingParamsState): void {
  const power = stake / params.powerReduction;
  const cap = maxValidatorPower(params);
  if (power > cap) {
    throw new ExecutionError(
      "VALIDATOR_POWER_TOO_HIGH",
      `stake ${stake} gives power ${power}, above the bound ${cap} = (2^53-1) / max_validators`,
    );
  }
}

async function requireOwnValidator(store: KvStore, ctx: MsgContext): Promise<ValidatorRecordState> {
  const v = await loadRecord(store, ctx.sender);
  if (!v) throw new ExecutionError("UNKNOWN_VALIDATOR", `${ctx.senderBech32} operates no validator`);
  return v;
}

export const msgCreateValidatorHandler: MsgHandler<"stakingCreateValidator"> = {
  validate(msg) {
    const key = msg.consensusPubkey ?? new Uint8Array(0);
    if (key.length !== CONSENSUS_KEY_BYTES) {
      throw new ExecutionError(
        "INVALID_CONSENSUS_KEY",
        `consensus_pubkey must be a ${CONSENSUS_KEY_BYTES}-byte Ed25519 key, got ${key.length} bytes`,
      );
    }
    parsePositiveAmount(msg.selfStake ?? "", "MsgCreateValidator.self_stake");
    const monikerBytes = Buffer.byteLength(msg.moniker ?? "", "utf8");
    if (monikerBytes > MAX_MONIKER_BYTES) {
      throw new ExecutionError(
        "INVALID_MONIKER",
        `moniker is ${monikerBytes} UTF-8 bytes, at most ${MAX_MONIKER_BYTES} are allowed`,
      );
    }
  },
  touchedKeys(msg) {
    const key = msg.consensusPubkey;
    return key && key.length === CONSENSUS_KEY_BYTES ? [consensusIndexKey(consensusAddressOf(key))] : [];
  },
  async execute(ctx, msg) {
    const params = ctx.params.staking;
    const pubkey = msg.consensusPubkey as Uint8Array;
    const consensusAddress = consensusAddressOf(pubkey);
    const stake = parsePositiveAmount(msg.selfStake ?? "", "MsgCreateValidator.self_stake");
    if (await loadRecord(ctx.store, ctx.sender)) {
      throw new ExecutionError("VALIDATOR_EXISTS", `${ctx.senderBech32} already operates a validator`);
    }
    if ((await ctx.store.get(consensusIndexKey(consensusAddress))) !== undefined) {
      throw new ExecutionError(
        "DUPLICATE_CONSENSUS_KEY",
        `consensus key 0x${toHex(pubkey)} belongs to another validator`,
      );
    }
    if (stake < params.minSelfStake) {
      throw new ExecutionError(
        "SELF_STAKE_TOO_LOW",
        `self_stake ${stake} is below staking.min_self_stake ${params.minSelfStake}`,
      );
    }
    checkPowerBound(stake, params);
    await debitSender(ctx, stake);
    const record: ValidatorRecordState = {
      operator: ctx.sender,
      consensusPubkey: pubkey,
      consensusAddress,
      stake,
      moniker: msg.moniker ?? "",
      jailed: false,
      jailedUntil: 0,
      tombstoned: false,
      unbonding: [],
      createdHeight: ctx.height,
    };
    await insertRecord(ctx.store, record);
    ctx.events.push(
      makeEvent("create_validator", [
        ["operator", ctx.senderBech32],
        ["consensus_address", `0x${toHex(consensusAddress)}`],
        ["self_stake", stake.toString()],
        ["moniker", record.moniker],
      ]),
    );
  },
};

export const msgAddStakeHandler: MsgHandler<"stakingAddStake"> = {
  validate(msg) {
    parsePositiveAmount(msg.amount ?? "", "MsgAddStake.amount");
  },
  touchedKeys() {
    return [];
  },
  async execute(ctx, msg) {
    const amount = parsePositiveAmount(msg.amount ?? "", "MsgAddStake.amount");
    const v = await requireOwnValidator(ctx.store, ctx);
    if (v.tombstoned) {
      throw new ExecutionError("VALIDATOR_TOMBSTONED", "a tombstoned validator cannot take stake again");
    }
    const stake = checkedAdd(v.stake, amount);
    checkPowerBound(stake, ctx.params.staking);
    await debitSender(ctx, amount);
    v.stake = stake;
    saveRecord(ctx.store, v);
    ctx.events.push(
      makeEvent("add_stake", [
        ["operator", ctx.senderBech32],
        ["amount", amount.toString()],
        ["stake", stake.toString()],
      ]),
    );
  },
};

export const msgUnbondHandler: MsgHandler<"stakingUnbond"> = {
  validate(msg) {
    parsePositiveAmount(msg.amount ?? "", "MsgUnbond.amount");
  },
  touchedKeys() {
    return [];
  },
  async execute(ctx, msg) {
    const params = ctx.params.staking;
    const amount = parsePositiveAmount(msg.amount ?? "", "MsgUnbond.amount");
    const v = await requireOwnValidator(ctx.store, ctx);
    if (amount > v.stake) {
      throw new ExecutionError(
        "UNBOND_EXCEEDS_STAKE",
        `amount ${amount} is above the bonded stake ${v.stake}`,
      );
    }
    const left = v.stake - amount;
    if (left > 0n && left < params.minSelfStake) {
      throw new ExecutionError(
        "SELF_STAKE_TOO_LOW",
        `${left} would stay bonded, below staking.min_self_stake ${params.minSelfStake}: unbond all of it or less`,
      );
    }
    const completionHeight = ctx.height + params.unbondingBlocks;
    const last = v.unbonding[v.unbonding.length - 1];
    if (last && last.creationHeight === ctx.height) {
      // Two unbonds in one block share an entry: same start, same end, same slashing exposure.
      last.amount = checkedAdd(last.amount, amount);
    } else {
      if (v.unbonding.length >= MAX_UNBONDING_ENTRIES) {
        throw new ExecutionError(
          "TOO_MANY_UNBONDING_ENTRIES",
          `${MAX_UNBONDING_ENTRIES} unbonding entries are in flight; wait for the one completing at ${v.unbonding[0]?.completionHeight}`,
        );
      }
      v.unbonding.push({ amount, creationHeight: ctx.height, completionHeight });
      await enqueueUnbonding(ctx.store, completionHeight, ctx.sender);
    }
    v.stake = left;
    saveRecord(ctx.store, v);
    ctx.events.push(
      makeEvent("unbond", [
        ["operator", ctx.senderBech32],
        ["amount", amount.toString()],
        ["completion_height", String(completionHeight)],
      ]),
    );
  },
};

export const msgUnjailHandler: MsgHandler<"stakingUnjail"> = {
  validate() {},
  touchedKeys() {
    return [];
  },
  async execute(ctx) {
    const params = ctx.params.staking;
    const v = await requireOwnValidator(ctx.store, ctx);
    if (v.tombstoned) {
      throw new ExecutionError(
        "VALIDATOR_TOMBSTONED",
        "a validator slashed for double signing never unjails",
      );
    }
    if (!v.jailed) throw new ExecutionError("VALIDATOR_NOT_JAILED", `${ctx.senderBech32} is not jailed`);
    if (ctx.height < v.jailedUntil) {
      throw new ExecutionError(
        "JAIL_PERIOD_NOT_OVER",
        `jailed until height ${v.jailedUntil}; this is height ${ctx.height}`,
      );
    }
    if (v.stake < params.minSelfStake) {
      throw new ExecutionError(
        "SELF_STAKE_TOO_LOW",
        `stake ${v.stake} is below staking.min_self_stake ${params.minSelfStake}: add stake first`,
      );
    }
    v.jailed = false;
    v.jailedUntil = 0;
    saveRecord(ctx.store, v);
    ctx.events.push(makeEvent("unjail", [["operator", encodeAddress(v.operator)]]));
  },
};
