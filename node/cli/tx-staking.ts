// `kyochi tx staking create-validator|add-stake|unbond|unjail`: the operator's staking txs. The
// keyring key <from> signs and is the operator; only the operator stakes on its own validator.
// Signing, nonce, fee and broadcast are the `tx` command's (passed in as `broadcast`), so every
// `tx` flag (--node, --gas, --fee, --mode, ...) works here too.
import type { Command } from "commander";
import { fromHex } from "../../crypto/hash.js";
import { KeyType, type Msg } from "../../proto/index.js";
import {
  stakingAddStakeMsg,
  stakingCreateValidatorMsg,
  stakingUnbondMsg,
  stakingUnjailMsg,
} from "../../rpc/client/tx-builder.js";
import { NodeError } from "../errors.js";
import { homePaths } from "../home.js";
import { readKeyFile } from "../key-file.js";
import { positiveAmount } from "./flag-values.js";

/** Signs `messages` with the keyring key `from` and broadcasts them (the `tx` command's flags). */
export type Broadcast = (from: string, messages: Msg[]) => Promise<void>;

/** The consensus key: --consensus-pubkey, or the public key of <home>/config/priv_validator_key.json. */
function consensusPubkey(flag: string | undefined, home: string): Uint8Array {
  if (flag !== undefined) {
    if (!/^(0x)?[0-9a-fA-F]{64}$/.test(flag)) {
      throw new NodeError("CONFIG_INVALID", `--consensus-pubkey must be 32 bytes of hex, got "${flag}"`);
    }
    return fromHex(flag.replace(/^0x/, ""));
  }
  const key = readKeyFile(homePaths(home).privValidatorKey);
  if (key.type !== KeyType.KEY_TYPE_ED25519) {
    throw new NodeError("KEY_FILE_INVALID", "the validator key must be ed25519 to serve as a consensus key");
  }
  return key.publicKey;
}

/** Adds `staking` under the `tx` command. */
export function registerStakingTxCommands(tx: Command, broadcast: Broadcast): void {
  const staking = tx.command("staking").description("validators: create, add stake, unbond, unjail");

  staking
    .command("create-validator <from> <self-stake>")
    .description(
      "create a validator operated by the keyring key <from>, bonding <self-stake> base units from its balance",
    )
    .option(
      "--consensus-pubkey <hex>",
      "Ed25519 consensus public key (default: the key in <home>/config/priv_validator_key.json)",
    )
    .option("--moniker <name>", "public name of the validator (at most 64 bytes)", "")
    .action(async (from: string, selfStake: string, opts: { consensusPubkey?: string; moniker: string }) => {
      const { home } = tx.opts<{ home: string }>();
      const pubkey = consensusPubkey(opts.consensusPubkey, home);
      await broadcast(from, [
        stakingCreateValidatorMsg(pubkey, positiveAmount(selfStake, "self-stake"), opts.moniker),
      ]);
    });

  staking
    .command("add-stake <from> <amount>")
    .description("bond <amount> more base units to the validator operated by <from>")
    .action(async (from: string, amount: string) => {
      await broadcast(from, [stakingAddStakeMsg(positiveAmount(amount, "amount"))]);
    });

  staking
    .command("unbond <from> <amount>")
    .description(
      "start unbonding <amount> of <from>'s validator stake: its power drops now, the tokens return after the unbonding period",
    )
    .action(async (from: string, amount: string) => {
      await broadcast(from, [stakingUnbondMsg(positiveAmount(amount, "amount"))]);
    });

  staking
    .command("unjail <from>")
    .description("bring <from>'s validator back after its downtime jail period is over")
    .action(async (from: string) => {
      await broadcast(from, [stakingUnjailMsg()]);
    });
}
