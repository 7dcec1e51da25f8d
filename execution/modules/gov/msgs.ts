// Governance messages: submit a proposal (with an initial deposit), deposit, vote.

import { bytesEqual } from "../../../proto/canonical.js";
import { GovProposal, GovVote, ProposalContent, ProposalStatus, VoteOption } from "../../../proto/index.js";
import { parseAmount, parsePositiveAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { makeEvent } from "../events.js";
import { loadActiveValidators } from "../staking/index.js";
import type { MsgHandler } from "../types.js";
import { checkContentShape, checkContentState } from "./content.js";
import { takeDeposit, totalDeposit } from "./deposits.js";
import { type GovParamsState, loadGovParams } from "./params.js";
import {
  enqueue,
  listProposal,
  proposalKey,
  requireProposal,
  STATUS_NAMES,
  saveProposal,
  saveVote,
  setStatus,
  takeProposalId,
} from "./records.js";
import { OPTION_NAMES } from "./views.js";

export const MAX_TITLE_BYTES = 140;
export const MAX_SUMMARY_BYTES = 10 * 1024;

function invalid(message: string): ExecutionError {
  return new ExecutionError("GOV_INVALID_PROPOSAL", message);
}

function checkProposalId(id: number | null | undefined): number {
  const n = id ?? 0;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ExecutionError("GOV_PROPOSAL_NOT_FOUND", `no proposal has id ${n}`);
  return n;
}

/** Voting runs from `height` through height + voting_blocks; tallied at the end of the last. */
async function startVoting(
  store: KvStore,
  p: GovProposal,
  height: number,
  params: GovParamsState,
): Promise<void> {
  await setStatus(store, p, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
  p.votingStartHeight = height;
  p.votingEndHeight = height + params.votingBlocks;
  await enqueue(store, "voting_end", p.votingEndHeight, p.id);
}

export const msgSubmitProposalHandler: MsgHandler<"govSubmitProposal"> = {
  validate(msg) {
    const titleBytes = Buffer.byteLength(msg.title ?? "", "utf8");
    if (titleBytes < 1 || titleBytes > MAX_TITLE_BYTES)
      throw invalid(`the title must be 1..${MAX_TITLE_BYTES} UTF-8 bytes, got ${titleBytes}`);
    if (Buffer.byteLength(msg.summary ?? "", "utf8") > MAX_SUMMARY_BYTES)
      throw invalid(`the summary is longer than ${MAX_SUMMARY_BYTES} UTF-8 bytes`);
    parseAmount(msg.initialDeposit ?? "", "MsgSubmitProposal.initial_deposit");
    checkContentShape(msg.content);
  },
  touchedKeys: () => [],
  async execute(ctx, msg) {
    const params = await loadGovParams(ctx.store);
    const deposit = parseAmount(msg.initialDeposit ?? "", "MsgSubmitProposal.initial_deposit");
    const content = ProposalContent.create(msg.content ?? {});
    const votingNow = deposit >= params.minDeposit;
    // The latest height at which voting could end: what scheduled heights must come after.
    const latestVotingEnd = ctx.height + (votingNow ? 0 : params.maxDepositBlocks) + params.votingBlocks;
    await checkContentState(ctx.store, content, latestVotingEnd);

    const p = GovProposal.create({
      id: await takeProposalId(ctx.store),
      proposer: ctx.sender,
      title: msg.title ?? "",
      summary: msg.summary ?? "",
      content,
      status: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
      submitHeight: ctx.height,
      depositEndHeight: ctx.height + params.maxDepositBlocks,
      totalDeposit: "0",
    });
    if (deposit > 0n) await takeDeposit(ctx.store, p, ctx.sender, deposit);
    await listProposal(ctx.store, p);
    if (votingNow) await startVoting(ctx.store, p, ctx.height, params);
    else await enqueue(ctx.store, "deposit_end", p.depositEndHeight, p.id);
    saveProposal(ctx.store, p);
    ctx.events.push(
      makeEvent("submit_proposal", [
        ["proposal_id", String(p.id)],
        ["proposer", ctx.senderBech32],
        ["content", content.sum ?? ""],
        ["initial_deposit", deposit.toString()],
        ["status", STATUS_NAMES[p.status] ?? ""],
      ]),
    );
  },
};

export const msgDepositHandler: MsgHandler<"govDeposit"> = {
  validate(msg) {
    checkProposalId(msg.proposalId);
    parsePositiveAmount(msg.amount ?? "", "MsgDeposit.amount");
  },
  touchedKeys: (msg) => [proposalKey(checkProposalId(msg.proposalId))],
  async execute(ctx, msg) {
    const p = await requireProposal(ctx.store, checkProposalId(msg.proposalId));
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD || ctx.height > p.depositEndHeight) {
      throw new ExecutionError(
        "GOV_NOT_IN_DEPOSIT_PERIOD",
        `proposal ${p.id} is ${STATUS_NAMES[p.status] ?? "closed"}, not in its deposit period`,
      );
    }
    const amount = parsePositiveAmount(msg.amount ?? "", "MsgDeposit.amount");
    const params = await loadGovParams(ctx.store);
    await takeDeposit(ctx.store, p, ctx.sender, amount);
    if (totalDeposit(p) >= params.minDeposit) await startVoting(ctx.store, p, ctx.height, params);
    saveProposal(ctx.store, p);
    ctx.events.push(
      makeEvent("proposal_deposit", [
        ["proposal_id", String(p.id)],
        ["depositor", ctx.senderBech32],
        ["amount", amount.toString()],
        ["total_deposit", p.totalDeposit],
      ]),
    );
  },
};

export const msgVoteHandler: MsgHandler<"govVote"> = {
  validate(msg) {
    checkProposalId(msg.proposalId);
    if (OPTION_NAMES[msg.option ?? VoteOption.VOTE_OPTION_UNSPECIFIED] === undefined) {
      throw new ExecutionError(
        "GOV_INVALID_VOTE_OPTION",
        `vote option ${msg.option ?? 0} is not yes, no, abstain or no_with_veto`,
      );
    }
  },
  touchedKeys: (msg) => [proposalKey(checkProposalId(msg.proposalId))],
  async execute(ctx, msg) {
    const p = await requireProposal(ctx.store, checkProposalId(msg.proposalId));
    if (p.status !== ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
      throw new ExecutionError(
        "GOV_NOT_IN_VOTING_PERIOD",
        `proposal ${p.id} is ${STATUS_NAMES[p.status] ?? "closed"}, not in its voting period`,
      );
    }
    const active = await loadActiveValidators(ctx.store);
    if (!active.some((v) => bytesEqual(v.operator, ctx.sender))) {
      throw new ExecutionError(
        "GOV_NOT_A_VALIDATOR",
        `${ctx.senderBech32} does not operate a validator in the active set`,
      );
    }
    const option = msg.option ?? VoteOption.VOTE_OPTION_UNSPECIFIED;
    // A second vote by the same operator replaces the first.
    await saveVote(ctx.store, GovVote.create({ proposalId: p.id, voter: ctx.sender, option }));
    ctx.events.push(
      makeEvent("proposal_vote", [
        ["proposal_id", String(p.id)],
        ["voter", ctx.senderBech32],
        ["option", OPTION_NAMES[option] ?? ""],
      ]),
    );
  },
};
