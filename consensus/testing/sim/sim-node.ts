// One simulated validator: a ConsensusCore plus what its driver would keep around it (messages
// received per height for gossip, messages for later heights, evidence waiting for a block,
// decisions) and the simulator's bookkeeping (crash state, the lock it last saw).
import { ConsensusCore } from "../../core/state-machine.js";
import type { CoreInput, TimeoutConfig, ValueId } from "../../core/types.js";
import type { ByzantineSpec, CastVote, DecisionRecord, EvidenceRecord, SimMessage } from "./types.js";
import { simAddress } from "./validator-sets.js";

export interface BufferedMessage {
  message: SimMessage;
  relay: boolean;
}

export class SimNode {
  readonly core: ConsensusCore;
  /** Active reasons to be down (a scheduled crash, a silent-proposer crash): up when 0. */
  crashes = 0;
  /** Timer and start-height events that fell due while down; replayed on recovery. */
  deferred: CoreInput[] = [];
  /** Height the core runs; 0 before the first. */
  height = 0;
  /** Decided the current height and waiting to start the next. */
  inCommit = false;
  /** Every message received (or sent) per height, keyed for de-duplication, in arrival order. */
  readonly logs = new Map<number, Map<string, SimMessage>>();
  /** Messages for a later height, replayed when the node starts it. */
  readonly future = new Map<number, BufferedMessage[]>();
  readonly pendingEvidence = new Map<string, EvidenceRecord>();
  readonly committedEvidence = new Set<string>();
  readonly decisions: DecisionRecord[] = [];
  readonly evidence: EvidenceRecord[] = [];
  readonly votes: CastVote[] = [];
  lockedRound = -1;
  lockedValue: ValueId | null = null;

  constructor(
    readonly index: number,
    timeouts: TimeoutConfig,
    readonly byzantine: ByzantineSpec | undefined,
  ) {
    this.core = new ConsensusCore({ selfAddress: simAddress(index), timeouts });
  }

  get honest(): boolean {
    return this.byzantine === undefined;
  }

  get up(): boolean {
    return this.crashes === 0;
  }

  log(height: number): Map<string, SimMessage> {
    let log = this.logs.get(height);
    if (!log) {
      log = new Map();
      this.logs.set(height, log);
    }
    return log;
  }
}

export function messageHeight(m: SimMessage): number {
  return m.kind === "vote" ? m.vote.height : m.proposal.height;
}

export function messageKey(m: SimMessage): string {
  if (m.kind === "vote") {
    const v = m.vote;
    return `v${v.round}/${v.type === "prevote" ? 0 : 1}/${v.validatorIndex}/${v.value ?? ""}`;
  }
  return `p${m.proposal.round}/${m.proposal.polRound}/${m.proposal.value}`;
}
