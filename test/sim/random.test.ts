// Thousands of seeded random schedules (see random-schedule.ts): 4 or 7 validators, equal or
// uneven power, crashes and recoveries, silent proposers, byzantine equivocation and double votes,
// a lossy slow network before GST, duplicates, long-tail delays and partitions. Each run is checked
// for agreement, validity, progress after stabilisation and the locking rules.
//
//   KYOCHI_SIM_SEED=123 npx vitest run test/sim/random.test.ts   replays one seed
//   KYOCHI_SIM_RUNS=20000 npx vitest run test/sim/random.test.ts runs more seeds (default 3000)
//   KYOCHI_SIM_FIRST_SEED=5000 ...                               starts the range elsewhere
import { describe, expect, it } from "vitest";
import { checkAll } from "../../consensus/testing/sim/checks.js";
import { describeSchedule, randomSchedule } from "../../consensus/testing/sim/random-schedule.js";
import { Simulation } from "../../consensus/testing/sim/simulation.js";

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer, got ${raw}`);
  return value;
}

const single = envInt("KYOCHI_SIM_SEED");
const runs = single !== undefined ? 1 : (envInt("KYOCHI_SIM_RUNS") ?? 3000);
const firstSeed = single ?? envInt("KYOCHI_SIM_FIRST_SEED") ?? 1;
/** Stop collecting after this many failing seeds: the first few say enough. */
const MAX_REPORTED = 5;

describe("random consensus schedules", () => {
  it(`${runs} seeded schedules from seed ${firstSeed} keep agreement, validity, locking and progress`, () => {
    const failures: string[] = [];
    const seen = {
      byzantine: 0,
      evidence: 0,
      partition: 0,
      crash: 0,
      recovery: 0,
      silent: 0,
      lossy: 0,
      weighted: 0,
    };
    for (let seed = firstSeed; seed < firstSeed + runs && failures.length < MAX_REPORTED; seed++) {
      const config = randomSchedule(seed);
      const result = new Simulation(config).run();
      const violations = checkAll(result);
      if (violations.length > 0) {
        failures.push(
          `seed ${seed}: ${violations.slice(0, 3).join("; ")}\n` +
            `  schedule: ${describeSchedule(config)}\n` +
            `  replay:   KYOCHI_SIM_SEED=${seed} npx vitest run test/sim/random.test.ts`,
        );
      }
      if (config.byzantine.length > 0) seen.byzantine++;
      if (result.evidence.some((e) => e.length > 0)) seen.evidence++;
      if (config.network.partitions.length > 0) seen.partition++;
      if (config.crashes.some((c) => c.recoverAtMs === undefined)) seen.crash++;
      if (config.crashes.some((c) => c.recoverAtMs !== undefined)) seen.recovery++;
      if (config.silentProposerRounds > 0) seen.silent++;
      if (config.network.dropProbBeforeGst > 0) seen.lossy++;
      if (config.powers.some((p) => p !== config.powers[0])) seen.weighted++;
    }
    expect(failures, `failing seeds:\n${failures.join("\n")}`).toEqual([]);
    // The mix really mixes (checked on full-size runs only, not on a replayed seed).
    if (runs >= 1000) {
      for (const [feature, count] of Object.entries(seen))
        expect(count, `runs with ${feature}`).toBeGreaterThan(runs / 20);
    }
  }, 600_000);
});
