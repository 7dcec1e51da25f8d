// The pure Tendermint core: state machine, vote keeper, proposer selection, timeouts.
export { MAX_TOTAL_VOTING_POWER, ProposerPriorities, type WeightedValidator } from "./proposer.js";
export {
  ConsensusCore,
  type ConsensusCoreOptions,
  type CoreSnapshot,
  MAX_FUTURE_PROPOSAL_ROUNDS,
  MAX_PROPOSALS_PER_ROUND,
  MAX_ROUND,
} from "./state-machine.js";
export { timeoutDuration } from "./timeouts.js";
export type {
  CoreEffect,
  CoreInput,
  CoreProposal,
  CoreVote,
  Step,
  TimeoutConfig,
  TimeoutStep,
  ValueId,
  VoteType,
} from "./types.js";
export {
  type AddVoteResult,
  MAX_CONFLICTING_VOTES,
  MAX_FUTURE_ROUNDS_PER_VALIDATOR,
  VoteKeeper,
} from "./vote-keeper.js";
