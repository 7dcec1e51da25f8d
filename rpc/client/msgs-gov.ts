// Governance messages for the SDK and the CLI: submit a proposal, deposit, vote, and the
// proposal contents (what each kind of proposal asks for).
import { kyochi, Msg, VoteOption } from "../../proto/index.js";

const gov = kyochi.gov.v1;
export type ProposalContentInput = kyochi.gov.v1.ProposalContent.$Properties;

/** Vote options as the CLI and the queries spell them ("veto" is short for no_with_veto). */
export const VOTE_OPTIONS: Readonly<Record<string, VoteOption>> = {
  yes: VoteOption.VOTE_OPTION_YES,
  no: VoteOption.VOTE_OPTION_NO,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
  no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

/** A parameter's new value as genesis JSON spells it: integers as numbers, amounts as strings. */
export type ParamValueInput = string | number | boolean;

export const proposalContent = {
  text: (): ProposalContentInput => ({ text: {} }),
  /** `changes` name a params section (genesis name) and key; applied from `effectiveHeight` on. */
  paramChange: (
    changes: readonly { module: string; key: string; value: ParamValueInput }[],
    effectiveHeight: number,
  ): ProposalContentInput => ({
    paramChange: {
      changes: changes.map((c) => ({ module: c.module, key: c.key, value: JSON.stringify(c.value) })),
      effectiveHeight,
    },
  }),
  addTrustedRoot: (
    evidenceClass: string,
    label: string,
    certificateDer: Uint8Array,
  ): ProposalContentInput => ({
    addTrustedRoot: { evidenceClass, label, certificateDer },
  }),
  /** `rootId`: sha256 of the root's DER certificate. */
  removeTrustedRoot: (rootId: Uint8Array): ProposalContentInput => ({ removeTrustedRoot: { rootId } }),
  setMeasurement: (
    evidenceClass: string,
    index: number,
    value: Uint8Array,
    allowed: boolean,
  ): ProposalContentInput => ({ setMeasurement: { evidenceClass, index, value, allowed } }),
  softwareUpgrade: (name: string, height: number, info = ""): ProposalContentInput => ({
    softwareUpgrade: { name, height, info },
  }),
  cancelSoftwareUpgrade: (): ProposalContentInput => ({ cancelSoftwareUpgrade: {} }),
};

export interface SubmitProposalInput {
  title: string;
  summary: string;
  content: ProposalContentInput;
  /** Escrowed at once; voting starts when the deposits reach gov.min_deposit. */
  initialDeposit: bigint;
}

export function govSubmitProposalMsg(p: SubmitProposalInput): Msg {
  return Msg.create({
    govSubmitProposal: gov.MsgSubmitProposal.create({
      title: p.title,
      summary: p.summary,
      content: gov.ProposalContent.create(p.content),
      initialDeposit: p.initialDeposit.toString(),
    }),
  });
}

export function govDepositMsg(proposalId: number, amount: bigint): Msg {
  return Msg.create({ govDeposit: gov.MsgDeposit.create({ proposalId, amount: amount.toString() }) });
}

export function govVoteMsg(proposalId: number, option: VoteOption): Msg {
  return Msg.create({ govVote: gov.MsgVote.create({ proposalId, option }) });
}
