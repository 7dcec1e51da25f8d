// What a simulation run is made of (the schedule: validators, network, faults) and what it
// returns (decisions, blocks, evidence, invariant violations seen while it ran).
import type { CoreProposal, CoreVote, TimeoutConfig, ValueId, VoteType } from "../../core/types.js";

/** A message on the simulated wire: what the driver would sign and gossip. */
export type SimMessage = { kind: "proposal"; proposal: CoreProposal } | { kind: "vote"; vote: CoreVote };

/** Nodes in different groups cannot exchange messages while the partition lasts. */
export interface PartitionSpec {
  fromMs: number;
  /** Exclusive end: messages sent at `toMs` or later go through. */
  toMs: number;
  /** Groups of node indexes. A node listed in no group is cut off from everyone. */
  groups: number[][];
}

/** A node stops at `atMs` (its pending timers wait, messages to it are lost) and, optionally, resumes. */
export interface CrashSpec {
  node: number;
  atMs: number;
  /** Resumes with its state (as a WAL restores it); absent: crashed for good. */
  recoverAtMs?: number;
}

export interface ByzantineSpec {
  node: number;
  /** As proposer, sends one block to a random half of the peers and another block to the rest. */
  equivocateProposals?: boolean;
  /** Sends each prevote and precommit with one value to half of the peers and another to the rest. */
  doubleVote?: boolean;
  /** Its own blocks are invalid (the application rejects them). */
  invalidProposals?: boolean;
}

/** The input a scripted network sees for every send, to drop it or give it a fixed delay. */
export interface ScriptedSend {
  from: number;
  to: number;
  message: SimMessage;
  nowMs: number;
  /** True for the periodic catch-up gossip, false for a first broadcast or a relay. */
  gossip: boolean;
}

export interface NetworkSpec {
  /** Delay of a message after GST: uniform in [minDelayMs, maxDelayMs]... */
  minDelayMs: number;
  maxDelayMs: number;
  /** ...except with probability tailProb, when it is uniform in [maxDelayMs, tailDelayMs]. */
  tailProb: number;
  tailDelayMs: number;
  /** Probability that a message is delivered twice (each copy with its own delay). */
  duplicateProb: number;
  /** Global stabilisation time: before it messages may be dropped and take longer. */
  gstMs: number;
  dropProbBeforeGst: number;
  maxDelayBeforeGstMs: number;
  partitions: PartitionSpec[];
  /** Overrides for hand-built schedules: "drop", a delay in ms, or undefined for the model above. */
  script?: (send: ScriptedSend) => "drop" | number | undefined;
}

export interface SimConfig {
  seed: number;
  /** Voting power of each validator (index = validator index in the set). */
  powers: number[];
  timeouts: TimeoutConfig;
  /** Wait after a decision before starting the next height (CometBFT's timeout_commit). */
  commitMs: number;
  /** Interval of each node's catch-up gossip (sends a peer what it lacks of its height). */
  gossipMs: number;
  network: NetworkSpec;
  crashes: CrashSpec[];
  /**
   * The proposers of rounds 0 .. k-1 of the newest height are down while that height runs, so every
   * height needs round k or later (the "proposer crashed in every round"). 0: off.
   */
  silentProposerRounds: number;
  byzantine: ByzantineSpec[];
  /** Every correct node must decide at least this many heights... */
  minHeights: number;
  /** ...and this many more after stabilisation (GST, partitions healed, crashes settled)... */
  heightsAfterStable: number;
  /** ...within this much virtual time after stabilisation. */
  progressBoundMs: number;
}

export interface DecisionRecord {
  height: number;
  round: number;
  value: ValueId;
  atMs: number;
}

export interface BlockInfo {
  id: ValueId;
  height: number;
  /** The round and proposer it was built for (a re-proposal in a later round keeps these). */
  round: number;
  proposer: number;
  valid: boolean;
  /** Keys of the double-vote evidence the proposer put in it. */
  evidence: string[];
}

export interface EvidenceRecord {
  key: string;
  type: VoteType;
  height: number;
  round: number;
  validatorIndex: number;
}

export interface CastVote {
  type: VoteType;
  height: number;
  round: number;
  value: ValueId | null;
  atMs: number;
}

export interface NetworkStats {
  /** Messages sent between distinct nodes (first sends, relays and gossip). */
  sent: number;
  /** Lost: dropped before GST, cut by a partition, or by a script. */
  dropped: number;
  /** Delivered twice. */
  duplicated: number;
  /** Delivered after a message the same sender sent the same peer later. */
  reordered: number;
}

export interface SimResult {
  config: SimConfig;
  /** Per node, in the order decided. */
  decisions: DecisionRecord[][];
  blocks: ReadonlyMap<ValueId, BlockInfo>;
  /** Per node: the evidence effects its core emitted. */
  evidence: EvidenceRecord[][];
  /** Per node: the votes it cast (before any byzantine rewriting). */
  votes: CastVote[][];
  /** Proposer of (height, round), as the validator sets of the run compute it. */
  proposerOf(height: number, round: number): number;
  /** Nodes that behave correctly: not byzantine (crashed ones included). */
  honest: number[];
  /** Correct nodes that are up at the end of the run. */
  live: number[];
  stableAtMs: number;
  targetHeight: number;
  endMs: number;
  /** All live correct nodes reached `targetHeight` before the progress bound. */
  reachedTarget: boolean;
  /** Invariants the simulator checked while running (locking rules, honest evidence...). */
  violations: string[];
  events: number;
  network: NetworkStats;
}
