// The consensus scenarios, each for 4 and 7 validators, on the deterministic simulator:
// every run is also checked for agreement, validity, progress after stabilisation and the locking
// rules (runChecked).
import { describe, expect, it } from "vitest";
import {
  checkNoCommitDuringPartitions,
  committedEvidenceAgainst,
} from "../../consensus/testing/sim/checks.js";
import { maxFaulty, simConfig } from "../../consensus/testing/sim/config.js";
import type { SimResult } from "../../consensus/testing/sim/types.js";
import { equalPowers, runChecked } from "./expect-run.js";

/** Each scenario runs several seeds: the network's randomness differs, the properties may not. */
const SEEDS = [1, 2, 3, 4, 5];

function decidedRounds(r: SimResult, node: number): number[] {
  return r.decisions[node]!.map((d) => d.round);
}

describe.each([4, 7])("%i validators", (n) => {
  const powers = equalPowers(n);
  const f = maxFaulty(powers);

  it("all honest: every node decides the round-0 proposer's block at every height", () => {
    expect(f).toBe(n === 4 ? 1 : 2);
    for (const seed of SEEDS) {
      const r = runChecked(simConfig({ seed, powers, minHeights: n + 1 }));
      for (let node = 0; node < n; node++) {
        expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(n + 1);
        r.decisions[node]!.forEach((d) => {
          expect(d.round).toBe(0);
          expect(r.blocks.get(d.value)!.proposer).toBe(r.proposerOf(d.height, 0));
        });
      }
      // Equal power: in n heights every validator proposed once.
      const proposers = new Set(r.decisions[0]!.slice(0, n).map((d) => r.blocks.get(d.value)!.proposer));
      expect(proposers.size).toBe(n);
    }
  });

  it("f validators crashed from the start: the rest decide, skipping past their rounds", () => {
    const crashed = Array.from({ length: f }, (_, i) => n - 1 - i);
    for (const seed of SEEDS) {
      const r = runChecked(
        simConfig({ seed, powers, minHeights: 2 * n, crashes: crashed.map((node) => ({ node, atMs: 0 })) }),
      );
      for (const node of crashed) expect(r.decisions[node]).toEqual([]);
      const live = powers.map((_, i) => i).filter((i) => !crashed.includes(i));
      for (const node of live) {
        expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(2 * n);
        for (const d of r.decisions[node]!) {
          // Where a crashed validator proposes round 0, the height is decided in a later round.
          if (crashed.includes(r.proposerOf(d.height, 0))) expect(d.round).toBeGreaterThan(0);
          expect(crashed).not.toContain(r.blocks.get(d.value)!.proposer);
        }
      }
    }
  });

  it("the proposer crashed in every round: the first f proposers of each height are down", () => {
    for (const seed of SEEDS) {
      const r = runChecked(simConfig({ seed, powers, minHeights: 2 * n, silentProposerRounds: f }));
      for (const node of r.live) {
        expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(2 * n);
        // No height can be decided before round f: its proposers of rounds 0..f-1 never speak.
        for (const round of decidedRounds(r, node)) expect(round).toBeGreaterThanOrEqual(f);
      }
      // Every validator was down at some height and caught up after it came back.
      for (let node = 0; node < n; node++) expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(n);
    }
  });

  it("messages delayed, reordered, duplicated, and lost before GST", () => {
    for (const seed of SEEDS) {
      const r = runChecked(
        simConfig({
          seed,
          powers,
          minHeights: 5,
          network: {
            minDelayMs: 1,
            maxDelayMs: 250,
            tailProb: 0.05,
            tailDelayMs: 1500,
            duplicateProb: 0.25,
            gstMs: 3000,
            dropProbBeforeGst: 0.3,
            maxDelayBeforeGstMs: 1000,
          },
        }),
      );
      expect(r.network.reordered).toBeGreaterThan(0);
      expect(r.network.duplicated).toBeGreaterThan(0);
      expect(r.network.dropped).toBeGreaterThan(0);
      for (const node of r.live) expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(5);
    }
  });

  const splits =
    n === 4
      ? [
          [
            [0, 1],
            [2, 3],
          ],
        ]
      : [
          [
            [0, 1, 2, 3],
            [4, 5, 6],
          ],
          [
            [0, 1, 2],
            [3, 4, 5, 6],
          ],
          [
            [0, 1],
            [2, 3],
            [4, 5, 6],
          ],
        ];
  it.each(splits.map((groups) => [groups.map((g) => g.length).join("|"), groups] as const))(
    "a %s partition from the start: no commit during it, progress after it heals",
    (_name, groups) => {
      for (const seed of SEEDS) {
        const r = runChecked(
          simConfig({ seed, powers, network: { partitions: [{ fromMs: 0, toMs: 5000, groups }] } }),
        );
        for (const node of r.honest) {
          expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(r.targetHeight);
          expect(r.decisions[node]![0]!.atMs).toBeGreaterThanOrEqual(5000);
        }
      }
    },
  );

  it.each(splits.map((groups) => [groups.map((g) => g.length).join("|"), groups] as const))(
    "a %s partition after a few heights: no new height during it, progress after it heals",
    (_name, groups) => {
      for (const seed of SEEDS) {
        const partition = { fromMs: 1000, toMs: 6000, groups };
        const r = runChecked(simConfig({ seed, powers, network: { partitions: [partition] } }), (res) =>
          // A quiet network: whatever was under way when the partition began lands within 500 ms.
          checkNoCommitDuringPartitions(res, 500),
        );
        const before = Math.min(...r.honest.map((i) => r.decisions[i]!.filter((d) => d.atMs < 1000).length));
        expect(before).toBeGreaterThan(2);
        for (const node of r.honest) {
          expect(r.decisions[node]!.filter((d) => d.atMs >= 1500 && d.atMs < 6000)).toEqual([]);
          expect(r.decisions[node]!.length).toBeGreaterThanOrEqual(before + 2);
        }
      }
    },
  );

  it("one byzantine validator proposes two blocks and double-votes: no disagreement, its evidence is committed", () => {
    const byzantine = 1;
    for (const seed of SEEDS) {
      const r = runChecked(
        simConfig({
          seed,
          powers,
          minHeights: 2 * n,
          byzantine: [{ node: byzantine, equivocateProposals: true, doubleVote: true }],
          network: { minDelayMs: 1, maxDelayMs: 60 },
        }),
      );
      // It did lie: two different blocks for one of its rounds, and honest nodes noticed its double votes.
      const own = [...r.blocks.values()].filter((b) => b.proposer === byzantine);
      const rounds = new Set(own.map((b) => `${b.height}/${b.round}`));
      expect(own.length).toBeGreaterThan(rounds.size);
      const reporters = r.honest.filter((i) => r.evidence[i]!.some((e) => e.validatorIndex === byzantine));
      expect(reporters.length).toBeGreaterThan(0);
      // Every honest node's chain carries the evidence (runChecked already checked nobody accused an honest node).
      for (const node of r.honest)
        expect(committedEvidenceAgainst(r, node, byzantine).length).toBeGreaterThan(0);
    }
  });
});
