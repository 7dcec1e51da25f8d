// Governance's block end, after staking stored this block's active set:
//   1. proposals whose deposit period ends here still below min_deposit expire (deposits burned);
//   2. proposals whose voting ends here are tallied and their outcome carried out;
//   3. passed param changes due at the end of this height are stored (so the next block runs
//      under them); this comes last so a change tallied here with effective_height = height + 1
//      still takes effect on time.

import { type GovProposal, ProposalStatus } from "../../../proto/index.js";
import { formatAmount } from "../../amount.js";
import { makeEvent } from "../events.js";
import type { BlockEndContext } from "../types.js";
import { settleDeposits } from "./deposits.js";
import { applyScheduledParams, executeContent } from "./execute.js";
import { loadGovParams } from "./params.js";
import {
  clearQueue,
  loadProposal,
  loadQueue,
  type QueueName,
  STATUS_NAMES,
  saveProposal,
  setStatus,
} from "./records.js";
import { tallyOutcome, tallyResult, tallyVotes } from "./tally.js";

async function proposalsIn(ctx: BlockEndContext, queue: QueueName): Promise<GovProposal[]> {
  const ids = await loadQueue(ctx.store, queue, ctx.height);
  if (ids.length > 0) clearQueue(ctx.store, queue, ctx.height);
  const found = await Promise.all(ids.map((id) => loadProposal(ctx.store, id)));
  return found.filter((p): p is GovProposal => p !== undefined);
}

async function expire(ctx: BlockEndContext, p: GovProposal): Promise<void> {
  if (p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD) return;
  await setStatus(ctx.store, p, ProposalStatus.PROPOSAL_STATUS_EXPIRED);
  await settleDeposits(ctx.store, p, "burn", ctx.events);
  saveProposal(ctx.store, p);
  ctx.events.push(
    makeEvent("proposal_expired", [
      ["proposal_id", String(p.id)],
      ["total_deposit", p.totalDeposit],
    ]),
  );
}

async function finishVoting(ctx: BlockEndContext, p: GovProposal): Promise<void> {
  if (p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) return;
  const params = await loadGovParams(ctx.store);
  const tally = await tallyVotes(ctx.store, p.id);
  const outcome = tallyOutcome(tally, params);
  p.finalTally = tallyResult(tally);
  let status = outcome.status;
  let reason = outcome.reason;
  if (status === ProposalStatus.PROPOSAL_STATUS_PASSED) {
    const failure = await executeContent(ctx.store, p, ctx.height, ctx.events);
    if (failure !== undefined) {
      status = ProposalStatus.PROPOSAL_STATUS_FAILED;
      reason = failure;
      p.failureReason = failure;
    }
  }
  await setStatus(ctx.store, p, status);
  await settleDeposits(
    ctx.store,
    p,
    status === ProposalStatus.PROPOSAL_STATUS_VETOED ? "burn" : "refund",
    ctx.events,
  );
  saveProposal(ctx.store, p);
  ctx.events.push(
    makeEvent("proposal_tallied", [
      ["proposal_id", String(p.id)],
      ["status", STATUS_NAMES[status] ?? String(status)],
      ["reason", reason],
      ["yes", formatAmount(tally.yes)],
      ["no", formatAmount(tally.no)],
      ["abstain", formatAmount(tally.abstain)],
      ["no_with_veto", formatAmount(tally.veto)],
      ["total_bonded", formatAmount(tally.totalBonded)],
    ]),
  );
}

export async function govEndBlock(ctx: BlockEndContext): Promise<void> {
  for (const p of await proposalsIn(ctx, "deposit_end")) await expire(ctx, p);
  for (const p of await proposalsIn(ctx, "voting_end")) await finishVoting(ctx, p);
  for (const p of await proposalsIn(ctx, "apply_params"))
    await applyScheduledParams(ctx.store, p, ctx.events);
}
