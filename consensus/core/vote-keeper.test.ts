import { describe, expect, it } from "vitest";
import type { CoreVote } from "./types.js";
import { MAX_CONFLICTING_VOTES, MAX_FUTURE_ROUNDS_PER_VALIDATOR, VoteKeeper } from "./vote-keeper.js";

const v = (
  validatorIndex: number,
  round: number,
  value: string | null,
  type: CoreVote["type"] = "prevote",
): CoreVote => ({
  type,
  height: 1,
  round,
  value,
  validatorIndex,
});

describe("VoteKeeper", () => {
  it("needs strictly more than 2/3 of the power for a quorum and more than 1/3 to skip", () => {
    const k = new VoteKeeper([1, 1, 1]); // total 3
    k.add(v(0, 0, "aa"), 0);
    k.add(v(1, 0, "aa"), 0);
    expect(k.hasQuorumFor(0, "prevote", "aa")).toBe(false); // exactly 2/3 is not enough
    k.add(v(2, 0, "aa"), 0);
    expect(k.quorumValue(0, "prevote")).toBe("aa");

    const w = new VoteKeeper([2, 1, 3]); // total 6
    w.add(v(0, 4, null), 0);
    expect(w.hasSkipThreshold(4)).toBe(false); // 2 of 6 is exactly 1/3
    w.add(v(1, 4, null, "precommit"), 0);
    expect(w.hasSkipThreshold(4)).toBe(true);
    w.add(v(2, 4, null, "precommit"), 0);
    expect(w.hasQuorumAny(4, "precommit")).toBe(false); // 4 of 6 is exactly 2/3
    w.add(v(0, 4, null, "precommit"), 0);
    expect(w.hasQuorumAny(4, "precommit")).toBe(true);
    expect(w.quorumValue(4, "precommit")).toBe(null);
  });

  it("counts a validator once per round and type, and reports a second, different vote", () => {
    const k = new VoteKeeper([1, 1, 1, 1]);
    expect(k.add(v(0, 0, "aa"), 0)).toEqual({ kind: "added" });
    expect(k.add(v(0, 0, "aa"), 0)).toEqual({ kind: "duplicate" });
    expect(k.add(v(0, 0, null), 0)).toEqual({ kind: "equivocation", first: "aa" });
    expect(k.voteOf(0, "prevote", 0)).toBe("aa");
    expect(k.add(v(0, 0, "bb", "precommit"), 0)).toEqual({ kind: "added" });
  });

  it("counts a conflicting vote toward its own value only, and keeps a bounded number of them", () => {
    const k = new VoteKeeper([1, 1, 1, 1]);
    k.add(v(0, 0, null, "precommit"), 0);
    k.add(v(1, 0, "aa", "precommit"), 0);
    expect(k.add(v(0, 0, "aa", "precommit"), 0)).toEqual({ kind: "equivocation", first: null });
    // Validator 0 counts for nil and for aa, but once toward "+2/3 of anything".
    expect(k.hasQuorumAny(0, "precommit")).toBe(false);
    expect(k.hasQuorumFor(0, "precommit", "aa")).toBe(false);
    expect(k.voteOf(0, "precommit", 0)).toBeNull();
    k.add(v(2, 0, "aa", "precommit"), 0);
    expect(k.quorumValue(0, "precommit")).toBe("aa");
    expect(k.hasQuorumAny(0, "precommit")).toBe(true);
    expect(k.add(v(0, 0, "aa", "precommit"), 0)).toEqual({ kind: "duplicate" });
    // nil, aa and MAX_CONFLICTING_VOTES - 1 more; then nothing more is kept.
    for (let i = 1; i < MAX_CONFLICTING_VOTES; i++)
      expect(k.add(v(0, 0, `x${i}`, "precommit"), 0).kind).toBe("equivocation");
    expect(k.add(v(0, 0, "zz", "precommit"), 0).kind).toBe("rejected");
    expect(k.knows(v(0, 0, "zz", "precommit"))).toBe(true);
    expect(k.knows(v(3, 0, "aa", "precommit"))).toBe(false);
  });

  it("limits how many future rounds one validator can fill", () => {
    const k = new VoteKeeper([1, 1, 1, 1]);
    for (let r = 1; r <= MAX_FUTURE_ROUNDS_PER_VALIDATOR; r++)
      expect(k.add(v(3, 100 + r, null), 0).kind).toBe("added");
    expect(k.add(v(3, 999, null), 0).kind).toBe("rejected");
    // Its other vote type in a round it already occupies is fine, and so are past rounds.
    expect(k.add(v(3, 101, null, "precommit"), 0).kind).toBe("added");
    expect(k.add(v(3, 0, null), 5).kind).toBe("added");
    // Once this node reaches those rounds they no longer count as future ones.
    expect(k.add(v(3, 999, null), 200).kind).toBe("added");
  });
});
