// Block time and round timeouts (CometBFT's [consensus] section) and block limits.
import { ConsensusError } from "../errors.js";

export interface ConsensusConfig {
  /**
   * The block time: the next height starts this long after the committed one started, or at once
   * after the commit when that height took longer.
   */
  timeoutCommitMs: number;
  timeoutProposeMs: number;
  timeoutPrevoteMs: number;
  timeoutPrecommitMs: number;
  /** Added to each round timeout per round, so a slow network eventually fits a round. */
  timeoutDeltaMs: number;
  /** When false, a height starts only once there are txs (or the app hash must be proven). */
  createEmptyBlocks: boolean;
  /** Most total tx bytes in a block (genesis consensus.block.max_bytes). */
  maxBlockBytes: number;
  /** Most gas wanted by a block's txs (genesis consensus.block.max_gas). */
  maxBlockGas: number;
}

export const DEFAULT_CONSENSUS_CONFIG: Readonly<ConsensusConfig> = Object.freeze({
  timeoutCommitMs: 1000,
  timeoutProposeMs: 3000,
  timeoutPrevoteMs: 1000,
  timeoutPrecommitMs: 1000,
  timeoutDeltaMs: 500,
  createEmptyBlocks: true,
  maxBlockBytes: 4 * 1024 * 1024,
  maxBlockGas: 1_000_000_000,
});

const LIMITS: Record<Exclude<keyof ConsensusConfig, "createEmptyBlocks">, [number, number]> = {
  timeoutCommitMs: [0, 600_000],
  timeoutProposeMs: [1, 600_000],
  timeoutPrevoteMs: [1, 600_000],
  timeoutPrecommitMs: [1, 600_000],
  timeoutDeltaMs: [0, 600_000],
  maxBlockBytes: [1024, 256 * 1024 * 1024],
  maxBlockGas: [1, Number.MAX_SAFE_INTEGER],
};

/** Fills defaults and checks ranges; a bad value is a ConsensusError("INVALID_CONFIG") naming it. */
export function resolveConsensusConfig(partial: Partial<ConsensusConfig> = {}): ConsensusConfig {
  const config: ConsensusConfig = { ...DEFAULT_CONSENSUS_CONFIG };
  for (const [key, value] of Object.entries(partial) as [keyof ConsensusConfig, unknown][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_CONSENSUS_CONFIG))
      throw new ConsensusError("INVALID_CONFIG", `unknown consensus option ${key}`);
    if (key === "createEmptyBlocks") {
      if (typeof value !== "boolean")
        throw new ConsensusError("INVALID_CONFIG", "createEmptyBlocks must be a boolean");
      config.createEmptyBlocks = value;
      continue;
    }
    const [min, max] = LIMITS[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ConsensusError(
        "INVALID_CONFIG",
        `${key} must be an integer in [${min}, ${max}], got ${String(value)}`,
      );
    }
    config[key] = value;
  }
  return config;
}
