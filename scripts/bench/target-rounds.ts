// The transfers target judged over several rounds. This machine's speed drifts by a third within
// minutes, and not evenly: one run of the same code put the pipeline at 1.88 bare verifications
// per transfer and the next at 2.22. Each round therefore measures its own ceiling right before
// and right after its blocks, and the verdict is the median round's, not one run's.

export interface Ceiling {
  /** bare verifications per second on every core */
  rate: number;
  /** CPU µs (all threads) per bare verification */
  cpuPerVerify: number;
}

export interface TargetRound {
  txs: number;
  wallMs: number;
  /** CPU µs of all threads over the round */
  cpu: number;
  before: Ceiling;
  after: Ceiling;
  steady?: { wallMs: number; cpu: number; txs: number };
}

export interface RoundVerdict {
  round: TargetRound;
  rate: number;
  /** the round's target: half its better ceiling */
  target: number;
  /** rate / target */
  ofTarget: number;
  /** CPU µs per bare verification: the better of the round's two ceilings */
  cpuPerVerify: number;
  /** CPU per transfer / cpuPerVerify: 2.0 or less meets it */
  verifications: number;
}

/**
 * The better of the two ceilings: the one after the blocks can share the cores with LevelDB
 * compacting what they wrote, which would flatter the pipeline.
 */
export function judge(round: TargetRound): RoundVerdict {
  const rate = (round.txs * 1000) / round.wallMs;
  const target = Math.max(round.before.rate, round.after.rate) / 2;
  const cpuPerVerify = Math.min(round.before.cpuPerVerify, round.after.cpuPerVerify);
  return {
    round,
    rate,
    target,
    ofTarget: rate / target,
    cpuPerVerify,
    verifications: round.cpu / round.txs / cpuPerVerify,
  };
}

/** The median verdict by `ofTarget` (the lower middle one for an even count). */
export function medianVerdict(verdicts: readonly RoundVerdict[]): RoundVerdict {
  if (verdicts.length === 0) throw new Error("bench: no rounds to judge");
  const sorted = [...verdicts].sort((a, b) => a.ofTarget - b.ofTarget);
  return sorted[(sorted.length - 1) >> 1]!;
}
