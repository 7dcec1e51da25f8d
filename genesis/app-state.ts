import type { GenesisAppState } from "../execution/genesis-types.js";
import type { GenesisDoc } from "./schema.js";

/** What execution's initChain consumes: app_state, with the block limits from consensus params. */
export function toAppState(doc: GenesisDoc): GenesisAppState {
  return {
    accounts: doc.app_state.accounts.map((a) => ({ ...a })),
    validators: doc.app_state.validators.map((v) => ({ ...v })),
    params: { ...structuredClone(doc.app_state.params), block: { ...doc.consensus.block } },
    attestation: structuredClone(doc.app_state.attestation),
  };
}

/** Block time of the genesis, unix ms: the first block's time must be later. */
export function genesisTimeMs(doc: GenesisDoc): number {
  return Date.parse(doc.genesis_time);
}
