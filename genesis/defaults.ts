import { DEFAULT_GENESIS_PARAMS } from "../execution/genesis-types.js";
import type { GenesisDoc } from "./schema.js";

/** Parameters a new chain starts with unless the genesis file says otherwise (execution's defaults). */
export const DEFAULT_PARAMS: GenesisDoc["app_state"]["params"] = {
  bank: { ...DEFAULT_GENESIS_PARAMS.bank },
  staking: { ...DEFAULT_GENESIS_PARAMS.staking },
  slashing: { ...DEFAULT_GENESIS_PARAMS.slashing },
  models: { ...DEFAULT_GENESIS_PARAMS.models },
  gov: { ...DEFAULT_GENESIS_PARAMS.gov },
  compute: { ...DEFAULT_GENESIS_PARAMS.compute },
  attestation: structuredClone(DEFAULT_GENESIS_PARAMS.attestation),
  tx: { ...DEFAULT_GENESIS_PARAMS.tx },
};

export const DEFAULT_BLOCK_LIMITS: GenesisDoc["consensus"]["block"] = { ...DEFAULT_GENESIS_PARAMS.block };
