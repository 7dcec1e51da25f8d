// Fee distribution at block end, after staking has settled this block's active set. Every fee
// charged in the block is paid out in the same block (so supply is conserved at every height): each
// active validator's operator account gets floor(fees * power / total_power); what integer division
// leaves over goes to the operator of the block's proposer (or, if the proposer is not in the set,
// to the validator with the most power, lowest operator address on a tie). Jailed, tombstoned and
// unbonded validators are not in the active set and get nothing. If the set is empty (every
// validator jailed: consensus is about to stop), the proposer's operator gets everything, and if
// the proposer is unknown the fees are burned. One `fee_reward` (or `fee_burned`) event per payout.
import { encodeAddress } from "../../../crypto/address.js";
import { bytesEqual } from "../../../proto/canonical.js";
import { checkedAdd } from "../../amount.js";
import type { KvStore } from "../../store.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import { loadActiveValidators, type ValidatorState } from "../staking/index.js";
import { loadRecordByConsensusAddress } from "../staking/records.js";
import type { Module } from "../types.js";

async function credit(store: KvStore, address: Uint8Array, amount: bigint): Promise<void> {
  const key = accountStateKey(address);
  const account = await loadAccount(store, key);
  saveAccount(store, key, { nonce: account.nonce, balance: checkedAdd(account.balance, amount) });
}

function remainderRecipient(validators: ValidatorState[], proposer: Uint8Array): ValidatorState {
  const byProposer = validators.find((v) => bytesEqual(v.consensusAddress, proposer));
  if (byProposer) return byProposer;
  let best = validators[0] as ValidatorState;
  // validators are sorted by operator, so the first with the top power wins ties
  for (const v of validators) if (v.power > best.power) best = v;
  return best;
}

export const distributionModule: Module = {
  name: "distribution",
  async endBlock(ctx) {
    const fees = ctx.collectedFees;
    if (fees === 0n) return;
    const validators = await loadActiveValidators(ctx.store);
    const totalPower = validators.reduce((sum, v) => sum + v.power, 0);
    if (validators.length === 0 || totalPower <= 0) {
      const proposer = await loadRecordByConsensusAddress(ctx.store, ctx.proposerAddress);
      if (proposer) {
        await credit(ctx.store, proposer.operator, fees);
        ctx.events.push(
          makeEvent("fee_reward", [
            ["recipient", encodeAddress(proposer.operator)],
            ["amount", fees.toString()],
            ["reason", "proposer_no_active_set"],
          ]),
        );
      } else {
        ctx.events.push(makeEvent("fee_burned", [["amount", fees.toString()]]));
      }
      return;
    }
    let paid = 0n;
    for (const v of validators) {
      const share = (fees * BigInt(v.power)) / BigInt(totalPower);
      if (share === 0n) continue;
      await credit(ctx.store, v.operator, share);
      paid += share;
      ctx.events.push(
        makeEvent("fee_reward", [
          ["recipient", encodeAddress(v.operator)],
          ["amount", share.toString()],
          ["reason", "power_share"],
        ]),
      );
    }
    const remainder = fees - paid;
    if (remainder > 0n) {
      const v = remainderRecipient(validators, ctx.proposerAddress);
      await credit(ctx.store, v.operator, remainder);
      ctx.events.push(
        makeEvent("fee_reward", [
          ["recipient", encodeAddress(v.operator)],
          ["amount", remainder.toString()],
          ["reason", "proposer_remainder"],
        ]),
      );
    }
  },
};
