// Governance: proposals to change any module's params (through its ParamSpace), add or remove a
// trusted attestation root, allow or disallow a measurement, schedule or cancel a software
// upgrade, or say something (text). A deposit moves a proposal to voting; the operators of
// active validators vote, weighted by bonded stake; the tally at the end of voting passes,
// rejects or vetoes it; deposits are refunded, or burned on a veto or an expired deposit period.
//   params.ts         gov params and their ParamSpace
//   records.ts        state layout
//   content.ts        what a proposal may ask for (checked at submission)
//   param-changes.ts  param changes through the ParamSpaces
//   msgs.ts           submit, deposit, vote
//   deposits.ts       escrow, refunds, burns
//   tally.ts          stake-weighted tally, quorum / veto / threshold
//   execute.ts        carrying out passed proposals
//   end-block.ts      expiry, tallies, scheduled param changes
//   queries.ts        proposal, proposals, votes, upgrade_plan
// The upgrade plan halts the node at its height: see execution/upgrades.ts.
import type { Module } from "../types.js";
import { govEndBlock } from "./end-block.js";
import { msgDepositHandler, msgSubmitProposalHandler, msgVoteHandler } from "./msgs.js";
import { GOV_PREFIX, govParamSpace, storeGovParams } from "./params.js";
import { queryProposal, queryProposals, queryUpgradePlan, queryVotes } from "./queries.js";

export { GOV_PREFIX, govParamSpace, loadGovParams } from "./params.js";
export { loadUpgradePlan } from "./records.js";

export const GOV_MSG_HANDLERS = {
  govSubmitProposal: msgSubmitProposalHandler,
  govDeposit: msgDepositHandler,
  govVote: msgVoteHandler,
};

export const govModule: Module = {
  name: "gov",
  prefix: GOV_PREFIX,
  async initGenesis(ctx, genesis) {
    storeGovParams(ctx.store, genesis.params.gov);
  },
  endBlock: govEndBlock,
  queries: {
    proposal: queryProposal,
    proposals: queryProposals,
    votes: queryVotes,
    upgrade_plan: queryUpgradePlan,
  },
  paramSpaces: [govParamSpace],
};
