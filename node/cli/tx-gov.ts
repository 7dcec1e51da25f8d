// `kyochi tx gov submit-proposal|deposit|vote`: governance txs. Signing, nonce, fee and broadcast
// are the `tx` command's (passed in as `broadcast`), so every `tx` flag works here too.
import type { Command } from "commander";
import { govDepositMsg, govSubmitProposalMsg, govVoteMsg, VOTE_OPTIONS } from "../../rpc/client/msgs-gov.js";
import { NodeError } from "../errors.js";
import { positiveAmount } from "./flag-values.js";
import { readProposalFile } from "./gov-proposal-file.js";
import type { Broadcast } from "./tx-staking.js";

function proposalId(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new NodeError("CONFIG_INVALID", `proposal id must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

/** Adds `gov` under the `tx` command. */
export function registerGovTxCommands(tx: Command, broadcast: Broadcast): void {
  const gov = tx.command("gov").description("governance: proposals, deposits, votes");

  gov
    .command("submit-proposal <from> <proposal-file>")
    .description(
      "submit the proposal described by a JSON file {title, summary, deposit, content: {type, ...}} " +
        "(types: text, param_change, add_trusted_root, remove_trusted_root, set_measurement, " +
        "software_upgrade, cancel_software_upgrade); <from> pays the initial deposit",
    )
    .action(async (from: string, file: string) => {
      await broadcast(from, [govSubmitProposalMsg(readProposalFile(file))]);
    });

  gov
    .command("deposit <from> <proposal-id> <amount>")
    .description("add <amount> base units to a proposal in its deposit period")
    .action(async (from: string, id: string, amount: string) => {
      await broadcast(from, [govDepositMsg(proposalId(id), positiveAmount(amount, "amount"))]);
    });

  gov
    .command("vote <from> <proposal-id> <option>")
    .description(
      "vote yes, no, abstain or veto (operators of active validators only; a new vote replaces the old)",
    )
    .action(async (from: string, id: string, option: string) => {
      const choice = VOTE_OPTIONS[option];
      if (choice === undefined || !Object.hasOwn(VOTE_OPTIONS, option)) {
        throw new NodeError(
          "CONFIG_INVALID",
          `vote option must be yes, no, abstain or veto, got "${option}"`,
        );
      }
      await broadcast(from, [govVoteMsg(proposalId(id), choice)]);
    });
}
