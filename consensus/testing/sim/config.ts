// Defaults for a simulation: a quiet network and CometBFT's timeouts scaled down ten times.
import type { TimeoutConfig } from "../../core/types.js";
import type { NetworkSpec, SimConfig } from "./types.js";

export const SIM_TIMEOUTS: TimeoutConfig = { proposeMs: 300, prevoteMs: 100, precommitMs: 100, deltaMs: 50 };

export const QUIET_NETWORK: NetworkSpec = {
  minDelayMs: 1,
  maxDelayMs: 20,
  tailProb: 0,
  tailDelayMs: 0,
  duplicateProb: 0,
  gstMs: 0,
  dropProbBeforeGst: 0,
  maxDelayBeforeGstMs: 0,
  partitions: [],
};

export type SimOverrides = Partial<Omit<SimConfig, "network">> & { network?: Partial<NetworkSpec> };

/** A config with `powers` validators (default: 4 of power 1) and anything in `overrides` replaced. */
export function simConfig(overrides: SimOverrides = {}): SimConfig {
  const { network, ...rest } = overrides;
  return {
    seed: 1,
    powers: [1, 1, 1, 1],
    timeouts: SIM_TIMEOUTS,
    commitMs: 20,
    gossipMs: 250,
    crashes: [],
    silentProposerRounds: 0,
    byzantine: [],
    minHeights: 3,
    heightsAfterStable: 2,
    progressBoundMs: 30_000,
    ...rest,
    network: { ...QUIET_NETWORK, ...network },
  };
}

/** Largest f such that any f validators hold less than 1/3 of the power (equal powers: floor((n-1)/3)). */
export function maxFaulty(powers: readonly number[]): number {
  const total = powers.reduce((a, b) => a + b, 0);
  const sorted = [...powers].sort((a, b) => b - a);
  let f = 0;
  let heaviest = 0;
  for (const p of sorted) {
    if (3 * (heaviest + p) >= total) break;
    heaviest += p;
    f++;
  }
  return f;
}
