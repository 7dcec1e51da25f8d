// Bank: balance transfers (MsgSend) and the minimum gas price. Balances live in the accounts
// module's leaves (one leaf per account); bank owns only its params, at [0x02, 0x01].
import { encodeAddress } from "../../../crypto/address.js";
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { BankParams } from "../../../proto/index.js";
import { checkedAdd, parseAmount, parsePositiveAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, stateKey } from "../../store.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { Module, MsgHandler } from "../types.js";

export const BANK_PREFIX = 0x02;
export const BANK_PARAMS_KEY = stateKey(Uint8Array.of(BANK_PREFIX, 0x01));
export const ADDRESS_BYTES = 20;

export async function loadBankParams(reader: KvReader): Promise<{ minGasPrice: bigint }> {
  const bytes = await reader.get(BANK_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "bank params are missing from state");
  const p = decodeCanonical<BankParams>(BankParams, bytes, "stored bank Params");
  return {
    minGasPrice: parseAmount(p.minGasPrice === "" ? "0" : p.minGasPrice, "stored min_gas_price", "INTERNAL"),
  };
}

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
  async execute(ctx, msg) {
    const to = msg.to as Uint8Array;
    const toKey = accountStateKey(to);
    const amount = parsePositiveAmount(msg.amount ?? "", "MsgSend.amount");
    const from = await loadAccount(ctx.store, ctx.senderKey);
    if (from.balance < amount) {
      throw new ExecutionError("INSUFFICIENT_FUNDS", `balance ${from.balance} is below the amount ${amount}`);
    }
    saveAccount(ctx.store, ctx.senderKey, { nonce: from.nonce, balance: from.balance - amount });
    // Read the recipient after writing the sender, so a send to oneself nets to zero.
    const recipient = await loadAccount(ctx.store, toKey);
    saveAccount(ctx.store, toKey, { nonce: recipient.nonce, balance: checkedAdd(recipient.balance, amount) });
    ctx.events.push(
      makeEvent("transfer", [
        ["sender", ctx.senderBech32],
        ["recipient", encodeAddress(to)],
        ["amount", amount.toString()],
      ]),
    );
  },
};

export const bankModule: Module = {
  name: "bank",
  prefix: BANK_PREFIX,
  async initGenesis(ctx, genesis) {
    const minGasPrice = parseAmount(
      genesis.params.bank.min_gas_price,
      "params.bank.min_gas_price",
      "GENESIS_INVALID",
    );
    ctx.store.set(
      BANK_PARAMS_KEY,
      encode(BankParams, BankParams.create({ minGasPrice: minGasPrice.toString() })),
    );
  },
};
