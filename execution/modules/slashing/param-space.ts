// The "slashing" ParamSpace: the genesis view of slashing's params, stored through the same
// checks genesis runs (initSlashingParams). A new signed_blocks_window restarts every validator's
// liveness window (signing-info.ts drops a window of another size).
import type { SlashingGenesisParams } from "../../genesis-types.js";
import { checkSection } from "../param-values.js";
import type { ParamSpace } from "../types.js";
import { initSlashingParams, loadSlashingParams } from "./params.js";

export const slashingParamSpace: ParamSpace = {
  name: "slashing",
  async load(reader) {
    const p = await loadSlashingParams(reader);
    return {
      signed_blocks_window: p.signedBlocksWindow,
      min_signed_per_window_bps: p.minSignedPerWindowBps,
      slash_fraction_double_sign_bps: p.slashFractionDoubleSignBps,
      slash_fraction_downtime_bps: p.slashFractionDowntimeBps,
      downtime_jail_blocks: p.downtimeJailBlocks,
      max_evidence_age_blocks: p.maxEvidenceAgeBlocks,
    };
  },
  async store(store, values) {
    const v = checkSection<SlashingGenesisParams>("slashing", values, {
      signed_blocks_window: "integer",
      min_signed_per_window_bps: "integer",
      slash_fraction_double_sign_bps: "integer",
      slash_fraction_downtime_bps: "integer",
      downtime_jail_blocks: "integer",
      max_evidence_age_blocks: "integer",
    });
    initSlashingParams(store, v);
  },
};
