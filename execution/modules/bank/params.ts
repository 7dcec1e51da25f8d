// Bank's one parameter, the minimum gas price, stored at [0x02, 0x01]; its ParamSpace "bank".
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { BankParams } from "../../../proto/index.js";
import { parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";
import { checkSection } from "../param-values.js";
import type { ParamSpace } from "../types.js";

export const BANK_PREFIX = 0x02;
export const BANK_PARAMS_KEY = stateKey(Uint8Array.of(BANK_PREFIX, 0x01));

export async function loadBankParams(reader: KvReader): Promise<{ minGasPrice: bigint }> {
  const bytes = await reader.get(BANK_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "bank params are missing from state");
  const p = decodeCanonical<BankParams>(BankParams, bytes, "stored bank Params");
  return {
    minGasPrice: parseAmount(p.minGasPrice === "" ? "0" : p.minGasPrice, "stored min_gas_price", "INTERNAL"),
  };
}

/** Checks min_gas_price as genesis does and stores it. */
export function storeBankParams(store: KvStore, minGasPriceText: string): void {
  const minGasPrice = parseAmount(minGasPriceText, "params.bank.min_gas_price", "GENESIS_INVALID");
  store.set(BANK_PARAMS_KEY, encode(BankParams, BankParams.create({ minGasPrice: minGasPrice.toString() })));
}

export const bankParamSpace: ParamSpace = {
  name: "bank",
  async load(reader) {
    return { min_gas_price: (await loadBankParams(reader)).minGasPrice.toString() };
  },
  async store(store, values) {
    const v = checkSection<{ min_gas_price: string }>("bank", values, { min_gas_price: "amount" });
    storeBankParams(store, v.min_gas_price);
  },
};
