import type { GenesisDoc } from "./schema.js";

/** Parameters a new chain starts with unless the genesis file says otherwise. */
export const DEFAULT_PARAMS: GenesisDoc["app_state"]["params"] = {
  bank: { min_gas_price: "1" },
  staking: { power_reduction: "1000000", max_validators: 100 },
  tx: { max_tx_bytes: 65_536, max_memo_bytes: 256, max_msgs: 32, max_nonce_gap: 16 },
};

export const DEFAULT_BLOCK_LIMITS: GenesisDoc["consensus"]["block"] = {
  max_bytes: 4 * 1024 * 1024,
  max_gas: 1_000_000_000,
};
