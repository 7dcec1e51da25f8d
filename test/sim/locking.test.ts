// The locking scenario, built by a scripted network for 4 and 7 validators. Validator X locks on
// block A in round 0 (it alone sees A's polka); in round 1 block B gets no polka, and X, still
// locked on A, prevotes nil; in round 2 block C gets a polka, and only then does X move its lock
// to C. Everyone decides C.
import { describe, expect, it } from "vitest";
import { checkAll } from "../../consensus/testing/sim/checks.js";
import { simConfig } from "../../consensus/testing/sim/config.js";
import { describeSchedule } from "../../consensus/testing/sim/random-schedule.js";
import { Simulation } from "../../consensus/testing/sim/simulation.js";
import type { ScriptedSend } from "../../consensus/testing/sim/types.js";
import { SimValidatorSets } from "../../consensus/testing/sim/validator-sets.js";
import { equalPowers } from "./expect-run.js";

describe.each([4, 7])("locking with %i validators", (n) => {
  it("keeps a lock until a newer polka, then moves it to the newer value", () => {
    const powers = equalPowers(n);
    const quorum = Math.floor((2 * n) / 3) + 1;
    const sets = new SimValidatorSets(powers);
    const [p0, p1, p2] = [0, 1, 2].map((r) => sets.proposerOf(1, r)) as [number, number, number];
    const all = powers.map((_, i) => i);
    const x = all.find((i) => ![p0, p1, p2].includes(i))!;
    // Just enough nodes miss a proposal that, without X, the others are one prevote short of a polka.
    const missRound0 = all.filter((i) => i !== p0 && i !== x).slice(0, n - quorum);
    const missRound1 = all.filter((i) => i !== p1 && i !== x).slice(0, n - quorum);
    const script = ({ to, message }: ScriptedSend): "drop" | undefined => {
      if (message.kind === "proposal" && message.proposal.height === 1) {
        if (message.proposal.round === 0 && missRound0.includes(to)) return "drop";
        if (message.proposal.round === 1 && missRound1.includes(to)) return "drop";
      }
      // Only X ever sees its own round-0 prevote, so only X sees the round-0 polka.
      const v = message.kind === "vote" ? message.vote : null;
      if (v && v.height === 1 && v.round === 0 && v.type === "prevote" && v.validatorIndex === x)
        return "drop";
      return undefined;
    };
    const config = simConfig({ seed: 11, powers, minHeights: 2, network: { script } });
    const sim = new Simulation(config);
    const node = sim.nodes[x]!;
    const blockOf = (round: number, proposer: number) =>
      [...sim.blocks.all().values()].find(
        (b) => b.height === 1 && b.round === round && b.proposer === proposer,
      )?.id;
    const prevoteOf = (round: number) =>
      node.votes.find((v) => v.height === 1 && v.round === round && v.type === "prevote")?.value;

    // Round 0: X alone saw the polka for A; it locked on A and precommitted it; no decision.
    expect(sim.runUntil(() => node.core.snapshot().round >= 1, 10_000)).toBe(true);
    const a = blockOf(0, p0)!;
    expect(prevoteOf(0)).toBe(a);
    expect(node.core.snapshot()).toMatchObject({ height: 1, round: 1, lockedValue: a, lockedRound: 0 });
    for (const other of all.filter((i) => i !== x))
      expect(sim.nodes[other]!.core.snapshot()).toMatchObject({ lockedValue: null, lockedRound: -1 });
    expect(sim.nodes.every((s) => s.decisions.length === 0)).toBe(true);

    // Round 1: B has no polka. X received B yet prevoted nil, and its lock did not move.
    expect(sim.runUntil(() => node.core.snapshot().round >= 2, 20_000)).toBe(true);
    const b = blockOf(1, p1)!;
    expect(node.core.knowsProposal(1, 1, b)).toBe(true);
    expect(prevoteOf(1)).toBeNull();
    expect(node.core.snapshot()).toMatchObject({ round: 2, lockedValue: a, lockedRound: 0 });

    // Round 2: C is proposed; X, locked on A, prevotes nil; then C's polka arrives (newer than
    // round 0), X locks on C, precommits it, and everyone decides C.
    expect(sim.runUntil(() => node.decisions.length >= 1, 30_000)).toBe(true);
    const c = blockOf(2, p2)!;
    expect(prevoteOf(2)).toBeNull();
    expect(node.votes.find((v) => v.height === 1 && v.round === 2 && v.type === "precommit")?.value).toBe(c);
    expect(node.core.snapshot()).toMatchObject({
      lockedValue: c,
      lockedRound: 2,
      decision: { round: 2, value: c },
    });

    const result = sim.run();
    expect(checkAll(result), describeSchedule(config)).toEqual([]);
    for (let i = 0; i < n; i++)
      expect(result.decisions[i]![0]).toMatchObject({ height: 1, round: 2, value: c });
  });
});
