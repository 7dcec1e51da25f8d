// Round timeouts grow linearly with the round (CometBFT: timeout_X + round * timeout_X_delta), so
// once the network is timely again some round is long enough for every step to complete.
import type { TimeoutConfig, TimeoutStep } from "./types.js";

export function timeoutDuration(config: TimeoutConfig, step: TimeoutStep, round: number): number {
  const base =
    step === "propose" ? config.proposeMs : step === "prevote" ? config.prevoteMs : config.precommitMs;
  return base + round * config.deltaMs;
}
