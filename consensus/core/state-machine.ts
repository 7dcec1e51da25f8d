// The Tendermint consensus algorithm for one node ("The latest gossip on BFT consensus",
// Buchman, Kwon, Milosevic 2018, Algorithm 1; CometBFT spec/consensus), as a deterministic
// state machine: `handle(input)` updates the state and returns the effects to carry out. No
// clock, network, disk or randomness inside: that is what makes it testable in milliseconds and
// lets a simulated network drive N of them through byzantine, crash and partition scenarios.
//
// Line numbers (L22, L28, ...) refer to Algorithm 1 of the paper.
import type { ProposerPriorities } from "./proposer.js";
import { timeoutDuration } from "./timeouts.js";
import type { CoreEffect, CoreInput, CoreProposal, CoreVote, Step, TimeoutConfig, ValueId } from "./types.js";
import { VoteKeeper } from "./vote-keeper.js";

/** Rounds ahead of the current one for which a proposal is kept (a byzantine proposer cannot fill memory). */
export const MAX_FUTURE_PROPOSAL_ROUNDS = 16;
/**
 * Distinct values stored per round. An honest proposer sends one; a byzantine one may send several
 * to different peers, and a node must still be able to lock on (L36) or decide (L49) whichever of
 * them gathers the votes. The cap bounds memory against a proposer that sends thousands.
 */
export const MAX_PROPOSALS_PER_ROUND = 4;
/** Highest round number accepted (rounds are uint32 on the wire, pol_round is int32). */
export const MAX_ROUND = 0x7ffffffe;

export interface ConsensusCoreOptions {
  /** This node's validator address, or null for a node that follows without voting. */
  selfAddress: Uint8Array | null;
  timeouts: TimeoutConfig;
}

export interface CoreSnapshot {
  height: number;
  round: number;
  step: Step;
  lockedRound: number;
  lockedValue: ValueId | null;
  validRound: number;
  validValue: ValueId | null;
  decision: { round: number; value: ValueId } | null;
}

interface StoredProposal {
  proposal: CoreProposal;
  valid: boolean;
}

interface RoundProposals {
  /** The first one received: the one this node prevotes on (L22, L28). */
  first: StoredProposal;
  /** Every distinct value the round's proposer sent (the first included): any may get a polka. */
  byValue: Map<ValueId, StoredProposal>;
}

export class ConsensusCore {
  private readonly selfAddressHex: string | null;
  private readonly timeouts: TimeoutConfig;

  private height = 0;
  private round = -1;
  private step: Step = "idle";
  private validators: ProposerPriorities | null = null;
  private selfIndex = -1;
  private keeper = new VoteKeeper([]);
  /** Proposer index by round, computed on demand from the round-0 priorities. */
  private proposers = new Map<number, number>();
  /** Proposals of each round from its proposer: the first, and every distinct value (capped). */
  private proposals = new Map<number, RoundProposals>();
  /** The driver's verdict on each value seen in a proposal of this height. */
  private validity = new Map<ValueId, boolean>();
  private lockedValue: ValueId | null = null;
  private lockedRound = -1;
  private validValue: ValueId | null = null;
  private validRound = -1;
  private decision: { round: number; value: ValueId } | null = null;
  /** "Upon ... for the first time" guards (L34, L36, L47), keyed by rule and round. */
  private fired = new Set<string>();
  /** Round in which this node already proposed (it proposes at most once per round). */
  private proposedRound = -1;

  constructor(options: ConsensusCoreOptions) {
    this.selfAddressHex = options.selfAddress ? hex(options.selfAddress) : null;
    this.timeouts = { ...options.timeouts };
  }

  snapshot(): CoreSnapshot {
    return {
      height: this.height,
      round: this.round,
      step: this.step,
      lockedRound: this.lockedRound,
      lockedValue: this.lockedValue,
      validRound: this.validRound,
      validValue: this.validValue,
      decision: this.decision ? { ...this.decision } : null,
    };
  }

  /** Index of this node in the current height's validator set, -1 when it does not vote. */
  get ownIndex(): number {
    return this.selfIndex;
  }

  /** Proposer of `round` at the current height (index into the height's validator set). */
  proposerIndex(round: number): number {
    if (!this.validators) throw new Error("consensus core has not started a height");
    let index = this.proposers.get(round);
    if (index === undefined) {
      // Round r's proposer is the height's set advanced r steps in one call, a function of
      // (height, round) only, so every node agrees however it reached the round.
      index = round === 0 ? this.validators.proposerIndex : this.validators.incremented(round).proposerIndex;
      this.proposers.set(round, index);
    }
    return index;
  }

  /**
   * Whether delivering `vote` (of the current height) would change nothing: it is counted already,
   * or it cannot be counted any more. Gossip asks this to send a peer only what it lacks.
   */
  knowsVote(vote: CoreVote): boolean {
    if (vote.height !== this.height) return false;
    return this.keeper.knows(vote);
  }

  /** Whether delivering a proposal of `value` at (height, round) would change nothing. */
  knowsProposal(height: number, round: number, value: ValueId): boolean {
    if (height !== this.height) return false;
    const stored = this.proposals.get(round)?.byValue;
    return stored !== undefined && (stored.has(value) || stored.size >= MAX_PROPOSALS_PER_ROUND);
  }

  handle(input: CoreInput): CoreEffect[] {
    const out: CoreEffect[] = [];
    switch (input.kind) {
      case "start_height":
        this.startHeight(input.height, input.validators, out);
        break;
      case "proposal":
        if (!this.acceptProposal(input.proposal, input.valid)) return out;
        break;
      case "vote":
        if (!this.acceptVote(input.vote, out)) return out;
        break;
      case "timeout":
        this.onTimeout(input.step, input.height, input.round, out);
        break;
      case "proposal_value":
        this.onProposalValue(input.height, input.round, input.value, out);
        break;
    }
    this.evaluate(out);
    return out;
  }

  private startHeight(height: number, validators: ProposerPriorities, out: CoreEffect[]): void {
    if (!Number.isSafeInteger(height) || height <= 0) throw new RangeError(`invalid height ${height}`);
    if (this.step !== "idle" && height <= this.height)
      throw new RangeError(`height ${height} is not after ${this.height}`);
    this.height = height;
    this.validators = validators;
    this.selfIndex =
      this.selfAddressHex === null
        ? -1
        : validators.validators.findIndex((v) => hex(v.address) === this.selfAddressHex);
    this.keeper = new VoteKeeper(validators.validators.map((v) => v.power));
    this.proposers = new Map();
    this.proposals = new Map();
    this.validity = new Map();
    this.lockedValue = null;
    this.lockedRound = -1;
    this.validValue = null;
    this.validRound = -1;
    this.decision = null;
    this.fired = new Set();
    this.proposedRound = -1;
    this.startRound(0, out);
  }

  // StartRound (L11-L21). Unlike the paper, the proposer also arms the propose timeout (as
  // CometBFT does): if building its block fails or stalls, the round still moves on.
  private startRound(round: number, out: CoreEffect[]): void {
    this.round = round;
    this.step = "propose";
    const proposer = this.proposerIndex(round);
    out.push({ kind: "new_round", height: this.height, round, proposerIndex: proposer });
    if (proposer === this.selfIndex) {
      if (this.validValue !== null) {
        this.proposedRound = round;
        out.push({
          kind: "broadcast_proposal",
          height: this.height,
          round,
          value: this.validValue,
          polRound: this.validRound,
        });
      } else {
        out.push({ kind: "request_value", height: this.height, round });
      }
    }
    this.scheduleTimeout("propose", out);
  }

  private onProposalValue(height: number, round: number, value: ValueId, out: CoreEffect[]): void {
    if (height !== this.height || round !== this.round || this.step !== "propose") return;
    if (this.proposerIndex(round) !== this.selfIndex || this.proposedRound === round) return;
    this.proposedRound = round;
    out.push({ kind: "broadcast_proposal", height, round, value, polRound: -1 });
  }

  private acceptProposal(p: CoreProposal, valid: boolean): boolean {
    if (this.step === "idle" || this.step === "commit" || p.height !== this.height) return false;
    if (!Number.isInteger(p.round) || p.round < 0 || p.round > MAX_ROUND) return false;
    if (!Number.isInteger(p.polRound) || p.polRound < -1 || p.polRound >= p.round) return false;
    if (typeof p.value !== "string" || p.value.length === 0) return false;
    if (p.round > this.round + MAX_FUTURE_PROPOSAL_ROUNDS) return false;
    const stored: StoredProposal = { proposal: { ...p }, valid };
    const round = this.proposals.get(p.round);
    if (!round) {
      this.proposals.set(p.round, { first: stored, byValue: new Map([[p.value, stored]]) });
    } else {
      // The proposer equivocated. Keep the value too: if it, not the first, gathers a polka or
      // +2/3 precommits, this node needs to know it and its validity (L36, L49 take any proposal
      // of the round's proposer); the first still decides what this node prevotes.
      if (round.byValue.has(p.value) || round.byValue.size >= MAX_PROPOSALS_PER_ROUND) return false;
      round.byValue.set(p.value, stored);
    }
    if (!this.validity.has(p.value)) this.validity.set(p.value, valid);
    return true;
  }

  private acceptVote(v: CoreVote, out: CoreEffect[]): boolean {
    if (this.step === "idle" || this.step === "commit" || v.height !== this.height) return false;
    if (!Number.isInteger(v.round) || v.round < 0 || v.round > MAX_ROUND) return false;
    if (v.type !== "prevote" && v.type !== "precommit") return false;
    if (v.value !== null && (typeof v.value !== "string" || v.value.length === 0)) return false;
    const result = this.keeper.add(v, this.round);
    if (result.kind === "equivocation") {
      out.push({
        kind: "evidence",
        type: v.type,
        height: v.height,
        round: v.round,
        validatorIndex: v.validatorIndex,
        first: result.first,
        second: v.value,
      });
      // Counted for its value (see VoteKeeper): it may complete the quorum the others decided on.
      return true;
    }
    return result.kind === "added";
  }

  private onTimeout(step: string, height: number, round: number, out: CoreEffect[]): void {
    if (height !== this.height || round !== this.round) return;
    if (step === "propose" && this.step === "propose") {
      // L57-L60
      this.prevote(null, out);
    } else if (step === "prevote" && this.step === "prevote") {
      // L61-L64
      this.precommit(null, out);
    } else if (step === "precommit" && this.step !== "commit" && this.step !== "idle") {
      // L65-L67
      this.startRound(round + 1, out);
    }
  }

  /** Applies every rule whose condition holds until none does (each rule fires at most once per state). */
  private evaluate(out: CoreEffect[]): void {
    while (this.step !== "idle" && this.step !== "commit") {
      if (this.tryDecide(out)) continue;
      if (this.trySkipRound(out)) continue;
      if (this.tryPrevoteProposal(out)) continue;
      if (this.tryPrevoteTimeout(out)) continue;
      if (this.tryPolka(out)) continue;
      if (this.tryPrecommitNil(out)) continue;
      if (this.tryPrecommitTimeout(out)) continue;
      break;
    }
  }

  // L49-L54: +2/3 precommits for a value in any round of this height, and the value is known and
  // valid. The value's validity is a property of the block, so a proposal of it in any round serves.
  private tryDecide(out: CoreEffect[]): boolean {
    for (const r of this.keeper.roundsWithVotes()) {
      const value = this.keeper.quorumValue(r, "precommit");
      if (typeof value !== "string" || this.validity.get(value) !== true) continue;
      this.decision = { round: r, value };
      this.step = "commit";
      out.push({ kind: "decide", height: this.height, round: r, value });
      return true;
    }
    return false;
  }

  // L55-L56: +1/3 of the power is already in a later round: an honest validator is there, follow it.
  private trySkipRound(out: CoreEffect[]): boolean {
    const rounds = this.keeper.roundsWithVotes();
    for (let i = rounds.length - 1; i >= 0; i--) {
      const r = rounds[i]!;
      if (r <= this.round) break;
      if (this.keeper.hasSkipThreshold(r)) {
        this.startRound(r, out);
        return true;
      }
    }
    return false;
  }

  // L22-L33: prevote the proposal of this round, unless locked on something else (L22), or unless
  // it re-proposes a value with a polka from a round after our lock (L28).
  private tryPrevoteProposal(out: CoreEffect[]): boolean {
    if (this.step !== "propose") return false;
    const stored = this.proposals.get(this.round)?.first;
    if (!stored) return false;
    const { proposal, valid } = stored;
    if (proposal.polRound === -1) {
      const ok = valid && (this.lockedRound === -1 || this.lockedValue === proposal.value);
      this.prevote(ok ? proposal.value : null, out);
      return true;
    }
    if (!this.keeper.hasQuorumFor(proposal.polRound, "prevote", proposal.value)) return false;
    const ok = valid && (this.lockedRound <= proposal.polRound || this.lockedValue === proposal.value);
    this.prevote(ok ? proposal.value : null, out);
    return true;
  }

  // L34-L35
  private tryPrevoteTimeout(out: CoreEffect[]): boolean {
    if (this.step !== "prevote" || this.fired.has(this.key("prevote-timeout"))) return false;
    if (!this.keeper.hasQuorumAny(this.round, "prevote")) return false;
    this.fired.add(this.key("prevote-timeout"));
    this.scheduleTimeout("prevote", out);
    return true;
  }

  // L36-L43: a polka for a valid value the round's proposer proposed (with an equivocating
  // proposer, not necessarily the proposal this node saw first). Lock on it and precommit it if
  // still in the prevote step; in any case remember it as the valid value to re-propose.
  private tryPolka(out: CoreEffect[]): boolean {
    if (this.step !== "prevote" && this.step !== "precommit") return false;
    if (this.fired.has(this.key("polka"))) return false;
    const value = this.keeper.quorumValue(this.round, "prevote");
    if (typeof value !== "string") return false;
    if (this.proposals.get(this.round)?.byValue.get(value)?.valid !== true) return false;
    this.fired.add(this.key("polka"));
    if (this.step === "prevote") {
      this.lockedValue = value;
      this.lockedRound = this.round;
      this.precommit(value, out);
    }
    this.validValue = value;
    this.validRound = this.round;
    return true;
  }

  // L44-L46
  private tryPrecommitNil(out: CoreEffect[]): boolean {
    if (this.step !== "prevote" || !this.keeper.hasQuorumFor(this.round, "prevote", null)) return false;
    this.precommit(null, out);
    return true;
  }

  // L47-L48
  private tryPrecommitTimeout(out: CoreEffect[]): boolean {
    if (this.fired.has(this.key("precommit-timeout"))) return false;
    if (!this.keeper.hasQuorumAny(this.round, "precommit")) return false;
    this.fired.add(this.key("precommit-timeout"));
    this.scheduleTimeout("precommit", out);
    return true;
  }

  private prevote(value: ValueId | null, out: CoreEffect[]): void {
    this.step = "prevote";
    if (this.selfIndex >= 0) {
      out.push({ kind: "broadcast_vote", type: "prevote", height: this.height, round: this.round, value });
    }
  }

  private precommit(value: ValueId | null, out: CoreEffect[]): void {
    this.step = "precommit";
    if (this.selfIndex >= 0) {
      out.push({ kind: "broadcast_vote", type: "precommit", height: this.height, round: this.round, value });
    }
  }

  private scheduleTimeout(step: "propose" | "prevote" | "precommit", out: CoreEffect[]): void {
    out.push({
      kind: "schedule_timeout",
      step,
      height: this.height,
      round: this.round,
      durationMs: timeoutDuration(this.timeouts, step, this.round),
    });
  }

  private key(rule: string): string {
    return `${rule}:${this.round}`;
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}
