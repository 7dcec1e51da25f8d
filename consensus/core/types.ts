// Inputs and outputs of the pure consensus core. Everything here is plain data: the core never
// sees keys, signatures, bytes on a wire, a clock or a disk. The driver turns network messages and
// timer events into `CoreInput`s and carries out the `CoreEffect`s the core returns.
import type { ProposerPriorities } from "./proposer.js";

/** A proposed value is identified by its block hash in lowercase hex. */
export type ValueId = string;

export type VoteType = "prevote" | "precommit";

/** Steps of one round, plus `commit` once the height is decided (and `idle` before the first height). */
export type Step = "idle" | "propose" | "prevote" | "precommit" | "commit";

export type TimeoutStep = "propose" | "prevote" | "precommit";

export interface CoreVote {
  type: VoteType;
  height: number;
  round: number;
  /** The block voted for, or null for nil. */
  value: ValueId | null;
  /** Index of the voter in the height's validator set (the driver checked the signature). */
  validatorIndex: number;
}

export interface CoreProposal {
  height: number;
  round: number;
  /** Round of the polka (proof of lock) the proposer re-proposes `value` with, or -1. */
  polRound: number;
  value: ValueId;
}

/** Base durations and per-round growth of the three round timeouts, in milliseconds. */
export interface TimeoutConfig {
  proposeMs: number;
  prevoteMs: number;
  precommitMs: number;
  /** Added to every timeout for each round after round 0 (so a slow network eventually fits). */
  deltaMs: number;
}

export type CoreInput =
  /** Begin `height` with its validator set (proposer priorities as of round 0). */
  | { kind: "start_height"; height: number; validators: ProposerPriorities }
  /**
   * A proposal from the proposer of its round (the driver checked the signature against that
   * proposer) with the driver's verdict on the block: header consistent with local state and
   * accepted by the application.
   */
  | { kind: "proposal"; proposal: CoreProposal; valid: boolean }
  | { kind: "vote"; vote: CoreVote }
  | { kind: "timeout"; step: TimeoutStep; height: number; round: number }
  /** The driver's answer to `request_value`: the block this node proposes. */
  | { kind: "proposal_value"; height: number; round: number; value: ValueId };

export type CoreEffect =
  /** A round began (for logs and status; nothing to do). */
  | { kind: "new_round"; height: number; round: number; proposerIndex: number }
  /** This node proposes in this round and has no valid value: build a block and answer with `proposal_value`. */
  | { kind: "request_value"; height: number; round: number }
  | { kind: "broadcast_proposal"; height: number; round: number; value: ValueId; polRound: number }
  | { kind: "broadcast_vote"; type: VoteType; height: number; round: number; value: ValueId | null }
  | { kind: "schedule_timeout"; step: TimeoutStep; height: number; round: number; durationMs: number }
  | { kind: "decide"; height: number; round: number; value: ValueId }
  /**
   * Two different votes from one validator at one (height, round, type). `first` counts toward
   * "+2/3 of anything"; each counts toward its own value (see VoteKeeper).
   */
  | {
      kind: "evidence";
      type: VoteType;
      height: number;
      round: number;
      validatorIndex: number;
      first: ValueId | null;
      second: ValueId | null;
    };
