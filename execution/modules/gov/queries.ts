// Governance queries (app.query paths; JSON answers):
//   proposal/<id>                                 the proposal; while voting, "tally" is the live tally
//   proposals/<cursor=&limit=&status=>            {"proposals":[...],"next_cursor":n|null}
//   votes/<proposal_id=&cursor=&limit=>           {"votes":[...],"next_cursor":n|null}
//   upgrade_plan                                  the scheduled UpgradePlan or null
import { type GovProposal, type GovVote, ProposalStatus } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parsePageArgs } from "../slot-list.js";
import type { QueryAnswer } from "../types.js";
import {
  ALL_PROPOSALS,
  loadProposal,
  loadUpgradePlan,
  loadVote,
  proposalsWithStatus,
  requireProposal,
  STATUS_NAMES,
  votersOf,
} from "./records.js";
import { tallyVotes } from "./tally.js";
import { type JsonValue, proposalView, tallyView, upgradePlanView, voteView } from "./views.js";

function json(value: JsonValue): QueryAnswer {
  return { value: new TextEncoder().encode(JSON.stringify(value)) };
}

function parseId(text: string, what: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `${what} must be a positive integer, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

function parseStatus(name: string): ProposalStatus {
  for (const [status, n] of Object.entries(STATUS_NAMES)) if (n === name) return Number(status);
  throw new ExecutionError(
    "QUERY_INVALID_ARGUMENT",
    `status must be one of ${Object.values(STATUS_NAMES).join(", ")}, got ${JSON.stringify(name)}`,
  );
}

export async function queryProposal(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const p = await requireProposal(reader, parseId(arg, "proposal id"));
  const view = proposalView(p);
  if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) {
    view.tally = tallyView(await tallyVotes(reader, p.id));
  }
  return json(view);
}

export async function queryProposals(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const page = parsePageArgs(arg, ["status"]);
  const status = page.filters.get("status");
  const list = status === undefined ? ALL_PROPOSALS : proposalsWithStatus(parseStatus(status));
  const { ids, nextCursor } = await list.page(reader, page.cursor, page.limit);
  const found = await Promise.all(ids.map((id) => loadProposal(reader, id)));
  const proposals = found.filter((p): p is GovProposal => p !== undefined).map(proposalView);
  return json({ proposals, next_cursor: nextCursor });
}

export async function queryVotes(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const page = parsePageArgs(arg, ["proposal_id"]);
  const idText = page.filters.get("proposal_id");
  if (idText === undefined)
    throw new ExecutionError("QUERY_INVALID_ARGUMENT", "votes needs proposal_id=<id>");
  const p = await requireProposal(reader, parseId(idText, "proposal_id"));
  const { keys, nextCursor } = await votersOf(p.id).page(reader, page.cursor, page.limit);
  const found = await Promise.all(keys.map((voter) => loadVote(reader, p.id, voter)));
  const votes = found.filter((v): v is GovVote => v !== undefined).map(voteView);
  return json({ votes, next_cursor: nextCursor });
}

export async function queryUpgradePlan(reader: KvReader): Promise<QueryAnswer> {
  return json(upgradePlanView(await loadUpgradePlan(reader)));
}
