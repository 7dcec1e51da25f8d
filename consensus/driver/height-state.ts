// What the driver knows about the height being decided: the blocks, proposals and votes it has
// verified, the conflicting votes it saw, and its own signed messages recovered from the WAL.
// Replaced by a fresh one at every new height.
import { type Block, type Proposal, type Vote, VoteType } from "../../proto/index.js";
import type { VoteType as CoreVoteType, TimeoutStep } from "../core/types.js";

export interface KnownBlock {
  block: Block;
  bytes: Uint8Array;
  hash: Uint8Array;
  /** Built by this node. */
  own: boolean;
  /** Verdict of checkBlock + processProposal (own blocks are valid by construction). */
  verdict?: boolean;
  /** Already in the WAL. */
  logged: boolean;
}

export type FutureMessage =
  | { kind: "vote"; height: number; vote: Vote; from: string }
  | { kind: "proposal"; height: number; proposal: Proposal; from: string }
  | { kind: "block"; height: number; block: Block; bytes: Uint8Array; from: string };

/** What this node knows about the height being decided. */
export class HeightState {
  readonly blocks = new Map<string, KnownBlock>();
  ownBlock: KnownBlock | null = null;
  /** Verified proposals by round (the first per round). */
  readonly proposals = new Map<number, Proposal>();
  /** Further, different proposals of an equivocating proposer, by round (bounded). */
  readonly otherProposals = new Map<number, Proposal[]>();
  /** Verified proposals waiting for their block, by block hash. */
  readonly waiting = new Map<string, Proposal[]>();
  /** The first verified vote per `${round}/${type}/${index}`, and a conflicting second one. */
  readonly votes = new Map<string, Vote>();
  readonly conflicting = new Map<string, Vote>();
  /** Own signed messages recovered from the WAL, reused instead of signing again. */
  readonly walOwnVotes = new Map<string, Vote>();
  readonly walOwnProposals = new Map<number, Proposal>();
  /** When the first proposal of this height had its whole block (driver clock), for the commit log. */
  proposalReadyAt: number | undefined;
}

export const voteKey = (round: number, type: CoreVoteType, index: number) => `${round}/${type}/${index}`;
export const coreVoteType = (t: number): CoreVoteType | null =>
  t === VoteType.VOTE_TYPE_PREVOTE ? "prevote" : t === VoteType.VOTE_TYPE_PRECOMMIT ? "precommit" : null;
export const protoVoteType = (t: CoreVoteType): VoteType =>
  t === "prevote" ? VoteType.VOTE_TYPE_PREVOTE : VoteType.VOTE_TYPE_PRECOMMIT;
export const TIMEOUT_STEPS: TimeoutStep[] = ["propose", "prevote", "precommit"];
