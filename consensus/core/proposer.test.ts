import { describe, expect, it } from "vitest";
import { ConsensusError } from "../errors.js";
import { ProposerPriorities, type WeightedValidator } from "./proposer.js";

const utf8 = (s: string) => new TextEncoder().encode(s);
const name = (set: ProposerPriorities) =>
  new TextDecoder().decode(set.validators[set.proposerIndex]!.address);

function addr(last: number): Uint8Array {
  const a = new Uint8Array(20);
  a[19] = last;
  return a;
}

describe("proposer selection (CometBFT weighted round robin)", () => {
  it("reproduces CometBFT's TestProposerSelection1 sequence for powers 1000/300/330", () => {
    // Expected sequence copied from cometbft types/validator_set_test.go (TestProposerSelection1).
    const expected =
      "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar foo foo baz foo bar foo foo " +
      "baz foo bar foo foo baz foo foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo " +
      "foo foo baz bar foo foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo " +
      "baz foo foo bar foo baz foo foo bar foo baz foo foo bar foo baz foo foo";
    const set = ProposerPriorities.initial([
      { address: utf8("foo"), power: 1000 },
      { address: utf8("bar"), power: 300 },
      { address: utf8("baz"), power: 330 },
    ]);
    const got: string[] = [];
    for (let i = 0; i < 99; i++) {
      got.push(name(set));
      set.increment(1);
    }
    expect(got.join(" ")).toBe(expected);
  });

  it("matches CometBFT's exact priorities after each step (TestAveragingInIncrementProposerPriorityWithVotingPower)", () => {
    // Validators 10/1/1 starting from priority 0 (not via `initial`, which does one step itself).
    const vals: WeightedValidator[] = [
      { address: Uint8Array.of(0), power: 10 },
      { address: Uint8Array.of(1), power: 1 },
      { address: Uint8Array.of(2), power: 1 },
    ];
    const start = ProposerPriorities.restore(vals, [0n, 0n, 0n], 0);
    // Expected values from cometbft types/validator_set_test.go (vp 10/1/1, total 12, average 0).
    const [v0, v1, v2, total] = [10, 1, 1, 12];
    const cases: { times: number; want: number[]; proposer: number }[] = [
      { times: 1, want: [v0 - total, v1, v2], proposer: 0 },
      { times: 2, want: [2 * (v0 - total), 2 * v1, 2 * v2], proposer: 0 },
      { times: 3, want: [3 * (v0 - total), 3 * v1, 3 * v2], proposer: 0 },
      { times: 4, want: [4 * (v0 - total), 4 * v1, 4 * v2], proposer: 0 },
      { times: 5, want: [4 * (v0 - total) + v0, 5 * v1 - total, 5 * v2], proposer: 1 },
      { times: 6, want: [6 * v0 - 5 * total, 6 * v1 - total, 6 * v2], proposer: 0 },
      { times: 7, want: [7 * v0 - 6 * total, 7 * v1 - total, 7 * v2], proposer: 0 },
      { times: 8, want: [8 * v0 - 7 * total, 8 * v1 - total, 8 * v2], proposer: 0 },
      { times: 9, want: [9 * v0 - 7 * total, 9 * v1 - total, 9 * v2 - total], proposer: 2 },
      { times: 10, want: [10 * v0 - 8 * total, 10 * v1 - total, 10 * v2 - total], proposer: 0 },
      { times: 11, want: [11 * v0 - 9 * total, 11 * v1 - total, 11 * v2 - total], proposer: 0 },
    ];
    for (const c of cases) {
      const set = start.incremented(c.times);
      expect(set.allPriorities().map(Number), `times=${c.times}`).toEqual(c.want);
      expect(set.proposerIndex, `times=${c.times}`).toBe(c.proposer);
    }
  });

  it("centres priorities by their floor average and rescales them into a 2x total power window", () => {
    // Zero power validators are not allowed here, so check the two normalisations through their
    // effect: a set restored far off-centre and far apart comes back centred and within the window.
    const vals: WeightedValidator[] = [
      { address: Uint8Array.of(1), power: 3 },
      { address: Uint8Array.of(2), power: 2 },
      { address: Uint8Array.of(3), power: 1 },
    ];
    const set = ProposerPriorities.restore(vals, [1_000_001n, -7n, -1_200_000n], 0).incremented(1);
    const p = set.allPriorities();
    const sum = p.reduce((a, b) => a + b, 0n);
    expect(sum > -3n && sum < 3n).toBe(true);
    // By hand: diff 2,200,001 > 12, ratio ceil(2,200,001/12) = 183,334; priorities / ratio (toward
    // zero) = [5, 0, -6]; average floor(-1/3) = -1 (Go's Euclidean big.Int.Div, not truncation);
    // centred [6, 1, -5]; step [9, 3, -4] -> validator 0 proposes and pays 6: [3, 3, -4].
    expect(p).toEqual([3n, 3n, -4n]);
    expect(set.proposerIndex).toBe(0);
  });

  it("gives each validator proposals in proportion to its power over a long window", () => {
    // Independent rule: over any window of k * totalPower steps, a validator with power p proposes
    // k * p times (CometBFT TestProposerSelection2 checks 4/5/3 over 120 steps: exactly 40/50/30).
    const powers = [4, 5, 3];
    const set = ProposerPriorities.initial(powers.map((power, i) => ({ address: addr(i), power })));
    const counts = [0, 0, 0];
    for (let i = 0; i < 120; i++) {
      counts[set.proposerIndex]!++;
      set.increment(1);
    }
    expect(counts).toEqual([40, 50, 30]);

    // Unequal, co-prime powers over a long window: within one proposal of the exact share.
    const big = [7, 13, 1, 29, 50];
    const total = big.reduce((a, b) => a + b, 0);
    const bigSet = ProposerPriorities.initial(big.map((power, i) => ({ address: addr(i), power })));
    const bigCounts = big.map(() => 0);
    const window = total * 40;
    for (let i = 0; i < window; i++) {
      bigCounts[bigSet.proposerIndex]!++;
      bigSet.increment(1);
    }
    big.forEach((p, i) => {
      expect(Math.abs(bigCounts[i]! - (window * p) / total)).toBeLessThanOrEqual(1);
    });
  });

  it("lets the biggest validator go first and twice in a row only when its power allows (TestProposerSelection2)", () => {
    const three = (p2: number) =>
      ProposerPriorities.initial([
        { address: addr(0), power: 100 },
        { address: addr(1), power: 100 },
        { address: addr(2), power: p2 },
      ]);
    const a = three(400);
    expect(a.proposerIndex).toBe(2);
    a.increment(1);
    expect(a.proposerIndex).toBe(0);
    const b = three(401);
    expect(b.proposerIndex).toBe(2);
    b.increment(1);
    expect(b.proposerIndex).toBe(2);
    b.increment(1);
    expect(b.proposerIndex).toBe(0);
  });

  it("rotates equal powers in address order, also when several rounds are skipped at once", () => {
    const set = ProposerPriorities.initial([3, 1, 2, 0].map((i) => ({ address: addr(i), power: 1 })));
    const order = [0, 1, 2, 3].map(
      (k) => set.incremented(k).validators[set.incremented(k).proposerIndex]!.address[19],
    );
    expect(order).toEqual([0, 1, 2, 3]);
    // increment(times) in one call lands where `times` single increments land.
    const stepwise = set.copy();
    for (let i = 0; i < 7; i++) stepwise.increment(1);
    expect(set.incremented(7).proposerIndex).toBe(stepwise.proposerIndex);
  });

  it("rejects empty sets, zero power, duplicate addresses and overflowing total power", () => {
    const bad = (vals: WeightedValidator[]) => () => ProposerPriorities.initial(vals);
    expect(bad([])).toThrow(ConsensusError);
    expect(bad([{ address: addr(1), power: 0 }])).toThrow(/positive/);
    expect(
      bad([
        { address: addr(1), power: 1 },
        { address: addr(1), power: 2 },
      ]),
    ).toThrow(/duplicate/);
    expect(
      bad([
        { address: addr(1), power: Number.MAX_SAFE_INTEGER },
        { address: addr(2), power: 1 },
      ]),
    ).toThrow(/total voting power/);
  });
});
