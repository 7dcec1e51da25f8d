// Bank: balance transfers (MsgSend) and the minimum gas price. Balances live in the accounts
// module's leaves (one leaf per account); bank owns only its params, at [0x02, 0x01].
import { encodeAddress } from "../../../crypto/address.js";
import { checkedAdd, parsePositiveAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { StateKey } from "../../store.js";
import {
  type AccountState,
  accountStateKey,
  loadAccount,
  peekAccount,
  saveAccount,
} from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { Module, MsgContext, MsgHandler } from "../types.js";
import { BANK_PREFIX, bankParamSpace, storeBankParams } from "./params.js";

export { BANK_PARAMS_KEY, BANK_PREFIX, bankParamSpace, loadBankParams } from "./params.js";
export const ADDRESS_BYTES = 20;

export const msgSendHandler: MsgHandler<"bankSend"> = {
  validate(msg) {
    const to = msg.to ?? new Uint8Array(0);
    if (to.length !== ADDRESS_BYTES) {
      throw new ExecutionError(
        "INVALID_ADDRESS",
        `MsgSend.to must be ${ADDRESS_BYTES} bytes, got ${to.length}`,
      );
    }
    parsePositiveAmount(msg.amount ?? "", "MsgSend.amount");
  },
  touchedKeys(msg) {
    return msg.to && msg.to.length === ADDRESS_BYTES ? [accountStateKey(msg.to)] : [];
  },
  // Synchronous while the accounts are in memory (a block's are preloaded); the same steps, in
  // the same order, wait for a read only when one is not.
  execute(ctx, msg) {
    const to = msg.to as Uint8Array;
    const toKey = accountStateKey(to);
    const amount = parsePositiveAmount(msg.amount ?? "", "MsgSend.amount");
    const from = peekAccount(ctx.store, ctx.senderKey);
    if (from === undefined) {
      return loadAccount(ctx.store, ctx.senderKey).then((loaded) =>
        debitThenCredit(ctx, loaded, to, toKey, amount),
      );
    }
    return debitThenCredit(ctx, from, to, toKey, amount);
  },
};

function debitThenCredit(
  ctx: MsgContext,
  from: AccountState,
  to: Uint8Array,
  toKey: StateKey,
  amount: bigint,
): Promise<void> | undefined {
  if (from.balance < amount) {
    throw new ExecutionError("INSUFFICIENT_FUNDS", `balance ${from.balance} is below the amount ${amount}`);
  }
  saveAccount(ctx.store, ctx.senderKey, { nonce: from.nonce, balance: from.balance - amount });
  // Read the recipient after writing the sender, so a send to oneself nets to zero.
  const recipient = peekAccount(ctx.store, toKey);
  if (recipient === undefined) {
    return loadAccount(ctx.store, toKey).then((loaded) => credit(ctx, loaded, to, toKey, amount));
  }
  credit(ctx, recipient, to, toKey, amount);
  return undefined;
}

function credit(
  ctx: MsgContext,
  recipient: AccountState,
  to: Uint8Array,
  toKey: StateKey,
  amount: bigint,
): void {
  saveAccount(ctx.store, toKey, { nonce: recipient.nonce, balance: checkedAdd(recipient.balance, amount) });
  // Every admission and recheck runs a transfer: its event (a bech32 encoding and two strings)
  // is built only where it is kept.
  if (!ctx.recordsEvents) return;
  ctx.events.push(
    makeEvent("transfer", [
      ["sender", ctx.senderBech32],
      ["recipient", encodeAddress(to)],
      ["amount", amount.toString()],
    ]),
  );
}

export const bankModule: Module = {
  name: "bank",
  prefix: BANK_PREFIX,
  async initGenesis(ctx, genesis) {
    storeBankParams(ctx.store, genesis.params.bank.min_gas_price);
  },
  paramSpaces: [bankParamSpace],
};
