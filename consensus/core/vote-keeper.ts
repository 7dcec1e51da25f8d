// Votes of one height, tallied by voting power per round and type (Malachite's VoteKeeper,
// CometBFT's HeightVoteSet). It answers the threshold questions the state machine asks:
// +2/3 of all power for anything, +2/3 for one value (a polka when the votes are prevotes),
// and +1/3 of power seen in a round (enough to know an honest validator is there: skip to it).
//
// A validator's first vote at a (round, type) is the one that counts toward "+2/3 of anything"
// and "+1/3 in a round". The same vote again is a duplicate and ignored. A different one is
// equivocation: reported, and counted toward its own value only, as Algorithm 1 counts messages
// ("2f+1 <PRECOMMIT, h, r, id(v)>" are 2f+1 such messages from distinct validators, whatever
// else they sent). That is safe: two values cannot both reach +2/3 unless +1/3 of the power
// equivocates. And it is needed for liveness: a node that got a double voter's nil precommit
// first must still be able to decide on the commit the others decided with, which holds that
// validator's precommit for the block.
import type { CoreVote, ValueId, VoteType } from "./types.js";

/**
 * Rounds above the current one that one validator may fill with votes. Honest validators are at
 * most a round or two ahead; the cap keeps a byzantine one from growing memory without bound.
 */
export const MAX_FUTURE_ROUNDS_PER_VALIDATOR = 2;
/**
 * Conflicting votes kept per validator at one (round, type) besides its first: nil and two blocks
 * cover the double votes that matter; more only grow memory.
 */
export const MAX_CONFLICTING_VOTES = 2;

export type AddVoteResult =
  | { kind: "added" }
  | { kind: "duplicate" }
  /** A vote that conflicts with this validator's first one: counted for its value only. */
  | { kind: "equivocation"; first: ValueId | null }
  | { kind: "rejected"; reason: string };

const NIL = "";

class Tally {
  /** Values (NIL for nil) voted by each validator index: the first, then conflicting ones. */
  readonly byValidator = new Map<number, string[]>();
  readonly powerByValue = new Map<string, number>();
  power = 0;
}

class RoundVotes {
  readonly prevotes = new Tally();
  readonly precommits = new Tally();
  /** Power of distinct validators with any vote in this round. */
  readonly voters = new Set<number>();
  votersPower = 0;
  tally(type: VoteType): Tally {
    return type === "prevote" ? this.prevotes : this.precommits;
  }
}

export class VoteKeeper {
  readonly totalPower: number;
  private readonly powers: readonly number[];
  private readonly rounds = new Map<number, RoundVotes>();
  /** Rounds each validator has votes in (to cap future rounds). */
  private readonly roundsOf = new Map<number, Set<number>>();

  constructor(powers: readonly number[]) {
    this.powers = powers;
    this.totalPower = powers.reduce((a, b) => a + b, 0);
  }

  /** Adds a vote (already known to be for this height). `currentRound` bounds future rounds. */
  add(vote: CoreVote, currentRound: number): AddVoteResult {
    const power = this.powers[vote.validatorIndex];
    if (power === undefined)
      return { kind: "rejected", reason: `no validator at index ${vote.validatorIndex}` };
    const existingRound = this.rounds.get(vote.round);
    const value = vote.value ?? NIL;
    const existing = existingRound?.tally(vote.type).byValidator.get(vote.validatorIndex);
    if (existing !== undefined) {
      if (existing.includes(value)) return { kind: "duplicate" };
      if (existing.length > MAX_CONFLICTING_VOTES) {
        return {
          kind: "rejected",
          reason: `validator ${vote.validatorIndex} already cast ${existing.length} conflicting votes`,
        };
      }
      existing.push(value);
      const tally = existingRound!.tally(vote.type);
      tally.powerByValue.set(value, (tally.powerByValue.get(value) ?? 0) + power);
      const first = existing[0]!;
      return { kind: "equivocation", first: first === NIL ? null : first };
    }
    let rounds = this.roundsOf.get(vote.validatorIndex);
    if (vote.round > currentRound && !rounds?.has(vote.round)) {
      let future = 0;
      for (const r of rounds ?? []) if (r > currentRound) future++;
      if (future >= MAX_FUTURE_ROUNDS_PER_VALIDATOR) {
        return {
          kind: "rejected",
          reason: `validator ${vote.validatorIndex} already has votes in later rounds`,
        };
      }
    }
    if (!rounds) {
      rounds = new Set();
      this.roundsOf.set(vote.validatorIndex, rounds);
    }
    rounds.add(vote.round);
    let rv = existingRound;
    if (!rv) {
      rv = new RoundVotes();
      this.rounds.set(vote.round, rv);
    }
    const tally = rv.tally(vote.type);
    tally.byValidator.set(vote.validatorIndex, [value]);
    tally.powerByValue.set(value, (tally.powerByValue.get(value) ?? 0) + power);
    tally.power += power;
    if (!rv.voters.has(vote.validatorIndex)) {
      rv.voters.add(vote.validatorIndex);
      rv.votersPower += power;
    }
    return { kind: "added" };
  }

  /** +2/3 of the total power voted (for anything, nil included) at (round, type). */
  hasQuorumAny(round: number, type: VoteType): boolean {
    const tally = this.rounds.get(round)?.tally(type);
    return tally !== undefined && this.isQuorum(tally.power);
  }

  /** +2/3 of the total power voted for `value` (null = nil) at (round, type). */
  hasQuorumFor(round: number, type: VoteType, value: ValueId | null): boolean {
    const tally = this.rounds.get(round)?.tally(type);
    return tally !== undefined && this.isQuorum(tally.powerByValue.get(value ?? NIL) ?? 0);
  }

  /** The value (or null for nil) with +2/3 at (round, type), or undefined when there is none. */
  quorumValue(round: number, type: VoteType): ValueId | null | undefined {
    const tally = this.rounds.get(round)?.tally(type);
    if (!tally) return undefined;
    for (const [value, power] of tally.powerByValue) {
      if (this.isQuorum(power)) return value === NIL ? null : value;
    }
    return undefined;
  }

  /** More than 1/3 of the total power has some vote in `round`: at least one honest validator is there. */
  hasSkipThreshold(round: number): boolean {
    const rv = this.rounds.get(round);
    return rv !== undefined && 3 * rv.votersPower > this.totalPower;
  }

  /** Rounds that have at least one vote, in increasing order. */
  roundsWithVotes(): number[] {
    return [...this.rounds.keys()].sort((a, b) => a - b);
  }

  /** Adding `vote` would change nothing: it is counted already, or its validator is over the conflict cap. */
  knows(vote: CoreVote): boolean {
    const values = this.rounds.get(vote.round)?.tally(vote.type).byValidator.get(vote.validatorIndex);
    return (
      values !== undefined && (values.includes(vote.value ?? NIL) || values.length > MAX_CONFLICTING_VOTES)
    );
  }

  /** The counted vote of a validator at (round, type): a value, null for nil, undefined if none. */
  voteOf(round: number, type: VoteType, validatorIndex: number): ValueId | null | undefined {
    const v = this.rounds.get(round)?.tally(type).byValidator.get(validatorIndex)?.[0];
    if (v === undefined) return undefined;
    return v === NIL ? null : v;
  }

  private isQuorum(power: number): boolean {
    return 3 * power > 2 * this.totalPower;
  }
}
