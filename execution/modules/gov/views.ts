// JSON views of governance's records, as its queries serve them (snake_case, amounts as decimal
// strings, bytes as 0x-hex, addresses as kyo1...).
import { encodeAddress } from "../../../crypto/address.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import type { GovProposal, GovVote, kyochi, UpgradePlan } from "../../../proto/index.js";
import { VoteOption } from "../../../proto/index.js";
import { STATUS_NAMES } from "./records.js";
import type { Tally } from "./tally.js";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const OPTION_NAMES: Readonly<Record<number, string>> = {
  [VoteOption.VOTE_OPTION_YES]: "yes",
  [VoteOption.VOTE_OPTION_NO]: "no",
  [VoteOption.VOTE_OPTION_ABSTAIN]: "abstain",
  [VoteOption.VOTE_OPTION_NO_WITH_VETO]: "no_with_veto",
};

const hex = (b: Uint8Array | null | undefined) => `0x${toHex(b ?? new Uint8Array(0))}`;

export function contentView(c: kyochi.gov.v1.ProposalContent.$Properties | null | undefined): JsonValue {
  switch (c?.sum) {
    case "text":
      return { type: "text" };
    case "paramChange":
      return {
        type: "param_change",
        changes: (c.paramChange?.changes ?? []).map((ch) => ({
          module: ch.module ?? "",
          key: ch.key ?? "",
          value: ch.value ?? "",
        })),
        effective_height: c.paramChange?.effectiveHeight ?? 0,
      };
    case "addTrustedRoot": {
      const r = c.addTrustedRoot;
      const der = r?.certificateDer ?? new Uint8Array(0);
      return {
        type: "add_trusted_root",
        evidence_class: r?.evidenceClass ?? "",
        label: r?.label ?? "",
        root_id: hex(sha256(der)),
        certificate_der: hex(der),
      };
    }
    case "removeTrustedRoot":
      return { type: "remove_trusted_root", root_id: hex(c.removeTrustedRoot?.rootId) };
    case "setMeasurement": {
      const m = c.setMeasurement;
      return {
        type: "set_measurement",
        evidence_class: m?.evidenceClass ?? "",
        index: m?.index ?? 0,
        value: hex(m?.value),
        allowed: m?.allowed ?? false,
      };
    }
    case "softwareUpgrade": {
      const u = c.softwareUpgrade;
      return { type: "software_upgrade", name: u?.name ?? "", height: u?.height ?? 0, info: u?.info ?? "" };
    }
    case "cancelSoftwareUpgrade":
      return { type: "cancel_software_upgrade" };
    default:
      return null;
  }
}

export function tallyView(t: Tally): JsonValue {
  return {
    yes: t.yes.toString(),
    no: t.no.toString(),
    abstain: t.abstain.toString(),
    no_with_veto: t.veto.toString(),
    total_bonded: t.totalBonded.toString(),
  };
}

function storedTallyView(t: kyochi.gov.v1.TallyResult.$Properties | null | undefined): JsonValue {
  if (!t) return null;
  return {
    yes: t.yes || "0",
    no: t.no || "0",
    abstain: t.abstain || "0",
    no_with_veto: t.noWithVeto || "0",
    total_bonded: t.totalBonded || "0",
  };
}

export function proposalView(p: GovProposal): { [key: string]: JsonValue } {
  return {
    id: p.id,
    proposer: encodeAddress(p.proposer),
    title: p.title,
    summary: p.summary,
    content: contentView(p.content),
    status: STATUS_NAMES[p.status] ?? "unspecified",
    submit_height: p.submitHeight,
    deposit_end_height: p.depositEndHeight,
    voting_start_height: p.votingStartHeight,
    voting_end_height: p.votingEndHeight,
    total_deposit: p.totalDeposit || "0",
    final_tally: storedTallyView(p.finalTally),
    failure_reason: p.failureReason,
  };
}

export function voteView(v: GovVote): JsonValue {
  return {
    proposal_id: v.proposalId,
    voter: encodeAddress(v.voter),
    option: OPTION_NAMES[v.option] ?? "unspecified",
  };
}

export function upgradePlanView(plan: UpgradePlan | undefined): JsonValue {
  if (!plan) return null;
  return { name: plan.name, height: plan.height, info: plan.info, proposal_id: plan.proposalId };
}
