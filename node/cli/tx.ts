import type { Command } from "commander";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "../../crypto/address.js";
import type { Msg } from "../../proto/index.js";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import { NodeError } from "../errors.js";
import { defaultHome } from "../home.js";
import { amount, positiveAmount, uint } from "./flag-values.js";
import { keyringFrom } from "./keys.js";
import { printJson } from "./output.js";
import { registerComputeTxCommands } from "./tx-compute.js";
import { registerDataTxCommands } from "./tx-data.js";
import { registerGovTxCommands } from "./tx-gov.js";
import { registerModelTxCommands } from "./tx-model.js";
import { registerStakingTxCommands } from "./tx-staking.js";

interface TxFlags {
  home: string;
  keyringDir?: string;
  node: string;
  chainId?: string;
  nonce?: string;
  gas: string;
  fee?: string;
  memo: string;
  mode: "sync" | "commit";
}

const DEFAULT_NODE = "http://127.0.0.1:26657";

/** Signs `messages` with the keyring key `from` and broadcasts them; prints the node's answer. */
async function signAndBroadcast(from: string, messages: Msg[], flags: TxFlags): Promise<void> {
  if (flags.mode !== "sync" && flags.mode !== "commit") {
    throw new NodeError("CONFIG_INVALID", `--mode must be sync or commit, got "${flags.mode}"`);
  }
  const key = keyringFrom(flags).get(from);
  const client = new KyochiRpcClient(flags.node);
  const sender = encodeAddress(addressFromPublicKey(key.type, key.publicKey));
  const chainId = flags.chainId ?? (await client.status()).chainId;
  const nonce =
    flags.nonce !== undefined ? uint(flags.nonce, "--nonce") : (await client.getAccount(sender)).nonce;
  const gasLimit = uint(flags.gas, "--gas");
  // Default fee: the chain's minimum gas price (1 base unit per gas on devnets) times the gas limit.
  const fee = flags.fee !== undefined ? amount(flags.fee, "--fee") : BigInt(gasLimit);
  const tx = signTx(key, messages, { chainId, nonce, fee, gasLimit, memo: flags.memo });
  // sendTx also checks that the node names the tx by the hash signed here.
  const result = await client.sendTx(tx, { mode: flags.mode });
  printJson({ ...result, sender, nonce });
  if ("result" in result && result.result.code !== 0) process.exitCode = 2;
}

export function registerTxCommands(program: Command): void {
  const tx = program
    .command("tx")
    .description("sign and broadcast transactions (keys from the keyring)")
    .option("--home <dir>", "home directory holding the keyring", defaultHome())
    .option("--keyring-dir <dir>", "keyring directory (default <home>/keyring)")
    .option("--node <url>", "JSON-RPC endpoint of a node", DEFAULT_NODE)
    .option("--chain-id <id>", "chain id (default: asked from the node)")
    .option("--nonce <n>", "account nonce (default: asked from the node)")
    .option("--gas <n>", "gas limit", "100000")
    .option("--fee <amount>", "total fee in base units (default: gas limit x 1)")
    .option("--memo <text>", "memo", "")
    .option("--mode <mode>", "sync (after checkTx) or commit (after inclusion)", "sync");

  const bank = tx.command("bank").description("token transfers");
  bank
    .command("send <from> <to> <amount>")
    .description("send <amount> base units from the keyring key <from> to the address <to>")
    .action(async (from: string, to: string, value: string) => {
      const flags = tx.opts<TxFlags>();
      await signAndBroadcast(
        from,
        [bankSendMsg(decodeAddress(to), positiveAmount(value, "<amount>"))],
        flags,
      );
    });
  const broadcast = (from: string, messages: Msg[]) => signAndBroadcast(from, messages, tx.opts<TxFlags>());
  registerStakingTxCommands(tx, broadcast);
  registerDataTxCommands(tx, broadcast);
  registerModelTxCommands(tx, broadcast);
  registerGovTxCommands(tx, broadcast);
  registerComputeTxCommands(tx, broadcast, (name) => keyringFrom(tx.opts<TxFlags>()).get(name));
}
