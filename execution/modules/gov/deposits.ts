// Deposits: taken from the depositor's balance into the governance escrow (state, not an account:
// no key spends it), then refunded to each depositor, or burned. A burn removes the amount from
// circulation: nobody is credited and the escrow shrinks (the chain keeps no supply counter, as
// with slashing; the `burn_deposits` event records it). As in Cosmos, deposits are burned
// when a proposal expires in its deposit period or is vetoed.
import { encodeAddress } from "../../../crypto/address.js";
import type { Event, GovProposal } from "../../../proto/index.js";
import { checkedAdd, checkedSub, formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import { deleteDeposit, depositorsOf, loadDeposit, loadEscrow, saveDeposit, saveEscrow } from "./records.js";

export function totalDeposit(p: GovProposal): bigint {
  return parseAmount(p.totalDeposit || "0", "stored total_deposit", "INTERNAL");
}

/** Moves `amount` from `depositor` into escrow for `p` (the caller saves `p`). */
export async function takeDeposit(
  store: KvStore,
  p: GovProposal,
  depositor: Uint8Array,
  amount: bigint,
): Promise<void> {
  const key = accountStateKey(depositor);
  const account = await loadAccount(store, key);
  if (account.balance < amount) {
    throw new ExecutionError(
      "INSUFFICIENT_FUNDS",
      `balance ${account.balance} is below the deposit ${amount}`,
    );
  }
  saveAccount(store, key, { nonce: account.nonce, balance: account.balance - amount });
  saveEscrow(store, checkedAdd(await loadEscrow(store), amount));
  await saveDeposit(store, p.id, depositor, checkedAdd(await loadDeposit(store, p.id, depositor), amount));
  p.totalDeposit = formatAmount(checkedAdd(totalDeposit(p), amount));
}

/** Empties the proposal's deposits: each back to its depositor (refund) or to nobody (burn). */
export async function settleDeposits(
  store: KvStore,
  p: GovProposal,
  how: "refund" | "burn",
  events: Event[],
): Promise<void> {
  let total = 0n;
  for (const depositor of await depositorsOf(p.id).all(store)) {
    const amount = await loadDeposit(store, p.id, depositor);
    await deleteDeposit(store, p.id, depositor);
    total = checkedAdd(total, amount);
    if (how === "refund" && amount > 0n) {
      const key = accountStateKey(depositor);
      const account = await loadAccount(store, key);
      saveAccount(store, key, { nonce: account.nonce, balance: checkedAdd(account.balance, amount) });
      events.push(
        makeEvent("refund_deposit", [
          ["proposal_id", String(p.id)],
          ["depositor", encodeAddress(depositor)],
          ["amount", amount.toString()],
        ]),
      );
    }
  }
  saveEscrow(store, checkedSub(await loadEscrow(store), total));
  if (how === "burn" && total > 0n) {
    events.push(
      makeEvent("burn_deposits", [
        ["proposal_id", String(p.id)],
        ["amount", total.toString()],
      ]),
    );
  }
}
