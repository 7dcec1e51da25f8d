import { describe, expect, it } from "vitest";
import { judge, medianVerdict, type TargetRound } from "./target-rounds.js";

function round(txsPerSecond: number, cpuPerTx: number, ceilings: [number, number], verify: [number, number]) {
  const txs = 50_000;
  return {
    txs,
    wallMs: (txs * 1000) / txsPerSecond,
    cpu: txs * cpuPerTx,
    before: { rate: ceilings[0], cpuPerVerify: verify[0] },
    after: { rate: ceilings[1], cpuPerVerify: verify[1] },
  } satisfies TargetRound;
}

describe("judging the transfers target by rounds", () => {
  it("holds a round to its better ceiling, never the one LevelDB's compaction slowed", () => {
    const v = judge(round(10_000, 180, [24_000, 19_000], [80, 100]));
    expect(v.target).toBe(12_000);
    expect(v.ofTarget).toBeCloseTo(10_000 / 12_000, 10);
    expect(v.verifications).toBeCloseTo(180 / 80, 10);
  });

  it("takes the median round, so one lucky or unlucky round does not decide", () => {
    const verdicts = [
      round(11_000, 170, [20_000, 19_000], [95, 99]), // 110%: a slow-verification round
      round(9_000, 190, [24_000, 20_000], [80, 90]), // 75%
      round(9_800, 180, [24_000, 21_000], [80, 88]), // 82%
    ].map(judge);
    const median = medianVerdict(verdicts);
    expect(median).toBe(verdicts[2]);
    expect(medianVerdict(verdicts.slice(0, 2))).toBe(verdicts[1]); // even count: the lower one
    expect(() => medianVerdict([])).toThrow();
  });
});
