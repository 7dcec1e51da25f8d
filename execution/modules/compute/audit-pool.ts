// The audit pool: slashed worker stake waits here to pay the auditors of sampled single-replica
// jobs (helper of settlement and audits). Stored at [0x0a, 0x03] as a decimal string; it is state,
// not an account, so no key can spend it.
import { checkedAdd, formatAmount, parseAmount } from "../../amount.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";
import { COMPUTE_PREFIX } from "./prefix.js";

export const AUDIT_POOL_KEY = stateKey(Uint8Array.of(COMPUTE_PREFIX, 0x03));

/** The pool's balance (0 before anything was slashed). */
export async function loadAuditPool(reader: KvReader): Promise<bigint> {
  const bytes = await reader.get(AUDIT_POOL_KEY);
  return bytes === undefined
    ? 0n
    : parseAmount(new TextDecoder().decode(bytes), "stored audit pool", "INTERNAL");
}

export function saveAuditPool(store: KvStore, amount: bigint): void {
  store.set(AUDIT_POOL_KEY, new TextEncoder().encode(formatAmount(amount)));
}

/** Adds `amount` to the pool (checked: never past 2^128-1). */
export async function addToAuditPool(store: KvStore, amount: bigint): Promise<void> {
  if (amount === 0n) return;
  saveAuditPool(store, checkedAdd(await loadAuditPool(store), amount));
}
