// Accounts: one leaf per address holding its nonce and balance (so a transfer touches one leaf per
// party). Key = [0x01] ++ 20-byte address; value = Account proto with a canonical decimal balance.
import { decodeAddress } from "../../../crypto/address.js";
import { CryptoError } from "../../../crypto/errors.js";
import { allocSmall } from "../../../crypto/small-bytes.js";
import { MAX_AMOUNT, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, keyId, NOT_IN_MEMORY, type StateKey, stateKey } from "../../store.js";
import type { Module, QueryAnswer } from "../types.js";
import { decodeAccountFast, decodeAccountGeneric, encodeAccountBytes } from "./codec.js";

export const ACCOUNTS_PREFIX = 0x01;

export interface AccountState {
  nonce: number;
  balance: bigint;
}

/** The tree key of an address's account: [0x01] ++ address. */
export function accountKey(address: Uint8Array): Uint8Array {
  const key = allocSmall(1 + address.length);
  key[0] = ACCOUNTS_PREFIX;
  key.set(address, 1);
  return key;
}

export function accountStateKey(address: Uint8Array): StateKey {
  return stateKey(accountKey(address));
}

export function encodeAccount(account: AccountState): Uint8Array {
  return encodeAccountBytes(account.nonce, account.balance);
}

/**
 * Decodes a stored account. Stored values were written by encodeAccount and are authenticated by
 * the tree, so the canonical re-encoding check of untrusted input is skipped on this hot path; the
 * balance is still parsed strictly.
 */
export function decodeAccount(bytes: Uint8Array): AccountState {
  return decodeAccountFast(bytes) ?? decodeAccountGeneric(bytes);
}

/** The account at `key`, or a fresh one (nonce 0, balance 0) if it was never written. */
export async function loadAccount(store: KvReader, key: StateKey): Promise<AccountState> {
  return accountOrFresh(await store.get(key));
}

/** loadAccount without a promise when the store holds the account in memory; else undefined. */
export function peekAccount(store: Pick<KvStore, "peek">, key: StateKey): AccountState | undefined {
  const bytes = store.peek(key);
  return bytes === NOT_IN_MEMORY ? undefined : accountOrFresh(bytes);
}

/** A stored account, or a fresh one (nonce 0, balance 0) where none was ever written. */
function accountOrFresh(bytes: Uint8Array | undefined): AccountState {
  return bytes === undefined ? { nonce: 0, balance: 0n } : decodeAccount(bytes);
}

export function saveAccount(store: KvStore, key: StateKey, account: AccountState): void {
  store.set(key, encodeAccount(account));
}

/** Parses a bech32 address for queries and genesis, mapping the crypto error to `code`. */
export function parseAddress(
  text: string,
  code: "INVALID_ADDRESS" | "QUERY_INVALID_ARGUMENT" | "GENESIS_INVALID",
) {
  try {
    return decodeAddress(text);
  } catch (err) {
    throw new ExecutionError(code, err instanceof CryptoError ? err.message : `invalid address ${text}`);
  }
}

async function queryAccount(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const address = parseAddress(arg, "QUERY_INVALID_ARGUMENT");
  const key = accountKey(address);
  const value = await reader.get(stateKey(key));
  return value === undefined ? { key } : { key, value };
}

export const accountsModule: Module = {
  name: "accounts",
  prefix: ACCOUNTS_PREFIX,
  async initGenesis(ctx, genesis) {
    const seen = new Set<string>();
    // Total supply must fit in an amount: then no balance, fee pool or payout can ever overflow.
    let supply = 0n;
    for (const [i, entry] of genesis.accounts.entries()) {
      const address = parseAddress(entry.address, "GENESIS_INVALID");
      const balance = parseAmount(entry.balance, `accounts[${i}].balance`, "GENESIS_INVALID");
      const id = keyId(address);
      if (seen.has(id))
        throw new ExecutionError(
          "GENESIS_INVALID",
          `accounts[${i}].address ${entry.address} is listed twice`,
        );
      seen.add(id);
      supply += balance;
      if (supply > MAX_AMOUNT)
        throw new ExecutionError("GENESIS_INVALID", "total supply of accounts exceeds 2^128-1");
      saveAccount(ctx.store, accountStateKey(address), { nonce: 0, balance });
    }
  },
  queries: { account: queryAccount },
};
