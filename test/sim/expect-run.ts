// Shared assertions for simulator tests: a run's violations, with the seed and schedule in the message.
import { expect } from "vitest";
import { checkAll } from "../../consensus/testing/sim/checks.js";
import { describeSchedule } from "../../consensus/testing/sim/random-schedule.js";
import { Simulation } from "../../consensus/testing/sim/simulation.js";
import type { SimConfig, SimResult } from "../../consensus/testing/sim/types.js";

/** Runs `config` and asserts agreement, validity, progress and the locking rules, plus `extra`. */
export function runChecked(config: SimConfig, extra: (r: SimResult) => string[] = () => []): SimResult {
  const result = new Simulation(config).run();
  const violations = [...checkAll(result), ...extra(result)];
  expect(violations, `seed ${config.seed}: ${describeSchedule(config)}`).toEqual([]);
  return result;
}

export const equalPowers = (n: number): number[] => new Array<number>(n).fill(1);
