// The parts of a block's Application context that come from consensus rather than the header:
// who signed the previous block's commit, and the misbehaviour the block proves.
import type { CommitInfo, Misbehavior } from "../../proto/application.js";
import { type Block, BlockIdFlag, type kyochi } from "../../proto/index.js";
import type { ConsensusValidatorSet } from "./validator-set.js";

/**
 * CommitInfo for the commit carried by a block: one entry per validator of the set that signed
 * it (the set of height-1), in set order. A validator counts as signed only with a precommit for
 * the block; absent and nil both count as missed, as in CometBFT's downtime rule.
 */
export function commitInfo(
  commit: kyochi.types.v1.ICommit | null | undefined,
  validators: ConsensusValidatorSet,
): CommitInfo {
  if (!commit) return { round: 0, votes: [] };
  const sigs = commit.signatures ?? [];
  return {
    round: commit.round ?? 0,
    votes: validators.validators.map((v, i) => ({
      validatorAddress: v.address,
      power: Number(v.power),
      signed: sigs[i]?.flag === BlockIdFlag.BLOCK_ID_FLAG_COMMIT,
    })),
  };
}

/** The evidence of a block as the Application sees it (consensus verified it before). */
export function misbehaviorOf(block: Block): Misbehavior[] {
  const out: Misbehavior[] = [];
  for (const ev of block.evidence ?? []) {
    const dv = ev.duplicateVote;
    const address = dv?.voteA?.validatorAddress;
    if (!dv || !address) continue;
    out.push({
      type: "duplicate_vote",
      validatorAddress: address,
      height: Number(dv.voteA?.height),
      timeMs: Number(dv.timestampMs),
      totalVotingPower: Number(dv.totalVotingPower),
      validatorPower: Number(dv.validatorPower),
    });
  }
  return out;
}
