// Stake-weighted tally. A vote weighs the bonded stake of the voter's validator if that validator
// is in the active set when the tally runs (the set staking's block end just stored); votes of
// validators that left the set weigh nothing. Integer arithmetic only (basis points):
//   quorum   (yes + no + abstain + veto) * 10000 >= total_bonded * quorum_bps, else REJECTED
//   veto     veto * 10000 >= voted * veto_threshold_bps                         -> VETOED
//   pass     yes * 10000 > (yes + no + veto) * threshold_bps                     -> PASSED
//   else REJECTED
import { ProposalStatus, TallyResult, VoteOption } from "../../../proto/index.js";
import type { KvReader } from "../../store.js";
import { loadActiveValidators } from "../staking/index.js";
import type { GovParamsState } from "./params.js";
import { loadVote } from "./records.js";

export interface Tally {
  yes: bigint;
  no: bigint;
  abstain: bigint;
  veto: bigint;
  totalBonded: bigint;
}

export async function tallyVotes(reader: KvReader, proposalId: number): Promise<Tally> {
  const t: Tally = { yes: 0n, no: 0n, abstain: 0n, veto: 0n, totalBonded: 0n };
  for (const v of await loadActiveValidators(reader)) {
    t.totalBonded += v.stake;
    const vote = await loadVote(reader, proposalId, v.operator);
    if (!vote) continue;
    if (vote.option === VoteOption.VOTE_OPTION_YES) t.yes += v.stake;
    else if (vote.option === VoteOption.VOTE_OPTION_NO) t.no += v.stake;
    else if (vote.option === VoteOption.VOTE_OPTION_ABSTAIN) t.abstain += v.stake;
    else if (vote.option === VoteOption.VOTE_OPTION_NO_WITH_VETO) t.veto += v.stake;
  }
  return t;
}

export interface TallyOutcome {
  status: ProposalStatus;
  /** Why it did not pass (empty when it passed). */
  reason: string;
}

export function tallyOutcome(t: Tally, p: GovParamsState): TallyOutcome {
  const voted = t.yes + t.no + t.abstain + t.veto;
  if (t.totalBonded === 0n || voted * 10_000n < t.totalBonded * BigInt(p.quorumBps)) {
    return { status: ProposalStatus.PROPOSAL_STATUS_REJECTED, reason: "quorum not reached" };
  }
  if (voted > 0n && t.veto * 10_000n >= voted * BigInt(p.vetoThresholdBps)) {
    return { status: ProposalStatus.PROPOSAL_STATUS_VETOED, reason: "vetoed" };
  }
  const decisive = t.yes + t.no + t.veto;
  if (decisive > 0n && t.yes * 10_000n > decisive * BigInt(p.thresholdBps)) {
    return { status: ProposalStatus.PROPOSAL_STATUS_PASSED, reason: "" };
  }
  return { status: ProposalStatus.PROPOSAL_STATUS_REJECTED, reason: "threshold not reached" };
}

export function tallyResult(t: Tally): TallyResult {
  return TallyResult.create({
    yes: t.yes.toString(),
    no: t.no.toString(),
    abstain: t.abstain.toString(),
    noWithVeto: t.veto.toString(),
    totalBonded: t.totalBonded.toString(),
  });
}
