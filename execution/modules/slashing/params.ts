// Slashing params: stored at [0x05, 0x01], checked once at genesis.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { kyochi } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { SlashingGenesisParams } from "../../genesis-types.js";
import type { SlashingParamsState } from "../../params.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";

export const SLASHING_PREFIX = 0x05;
export const SLASHING_PARAMS_KEY = stateKey(Uint8Array.of(SLASHING_PREFIX, 0x01));

const SlashingParams = kyochi.staking.v1.SlashingParams;
type SlashingParams = kyochi.staking.v1.SlashingParams;

/** Largest signed-blocks window: its bit array (window / 8 bytes) is rewritten on every change. */
export const MAX_SIGNED_BLOCKS_WINDOW = 100_000;

export async function loadSlashingParams(reader: KvReader): Promise<SlashingParamsState> {
  const bytes = await reader.get(SLASHING_PARAMS_KEY);
  if (bytes === undefined)
    throw new ExecutionError("NOT_INITIALIZED", "slashing params are missing from state");
  const p = decodeCanonical<SlashingParams>(SlashingParams, bytes, "stored slashing Params");
  return {
    signedBlocksWindow: p.signedBlocksWindow,
    minSignedPerWindowBps: p.minSignedPerWindowBps,
    slashFractionDoubleSignBps: p.slashFractionDoubleSignBps,
    slashFractionDowntimeBps: p.slashFractionDowntimeBps,
    downtimeJailBlocks: p.downtimeJailBlocks,
    maxEvidenceAgeBlocks: p.maxEvidenceAgeBlocks,
  };
}

function intIn(value: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ExecutionError(
      "GENESIS_INVALID",
      `params.slashing.${field} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

export function initSlashingParams(store: KvStore, p: SlashingGenesisParams): SlashingParamsState {
  const state: SlashingParamsState = {
    signedBlocksWindow: intIn(p.signed_blocks_window, "signed_blocks_window", 1, MAX_SIGNED_BLOCKS_WINDOW),
    minSignedPerWindowBps: intIn(p.min_signed_per_window_bps, "min_signed_per_window_bps", 0, 10_000),
    slashFractionDoubleSignBps: intIn(
      p.slash_fraction_double_sign_bps,
      "slash_fraction_double_sign_bps",
      0,
      10_000,
    ),
    slashFractionDowntimeBps: intIn(p.slash_fraction_downtime_bps, "slash_fraction_downtime_bps", 0, 10_000),
    downtimeJailBlocks: intIn(p.downtime_jail_blocks, "downtime_jail_blocks", 0, Number.MAX_SAFE_INTEGER),
    maxEvidenceAgeBlocks: intIn(
      p.max_evidence_age_blocks,
      "max_evidence_age_blocks",
      0,
      Number.MAX_SAFE_INTEGER,
    ),
  };
  store.set(
    SLASHING_PARAMS_KEY,
    encode(
      SlashingParams,
      SlashingParams.create({
        signedBlocksWindow: state.signedBlocksWindow,
        minSignedPerWindowBps: state.minSignedPerWindowBps,
        slashFractionDoubleSignBps: state.slashFractionDoubleSignBps,
        slashFractionDowntimeBps: state.slashFractionDowntimeBps,
        downtimeJailBlocks: state.downtimeJailBlocks,
        maxEvidenceAgeBlocks: state.maxEvidenceAgeBlocks,
      }),
    ),
  );
  return state;
}
