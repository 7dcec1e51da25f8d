import type { Command } from "commander";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { NodeError } from "../errors.js";
import { printJson } from "./output.js";
import { registerModuleQueryCommands } from "./query-modules.js";
import { registerTxSearchCommand } from "./query-txs.js";

function height(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new NodeError("CONFIG_INVALID", `height must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

export function registerQueryCommands(program: Command): void {
  const query = program
    .command("query")
    .description("read chain state through a node's JSON-RPC")
    .option("--node <url>", "JSON-RPC endpoint of a node", "http://127.0.0.1:26657");
  const client = () => new KyochiRpcClient(query.opts<{ node: string }>().node);

  query
    .command("account <address>")
    .description("balance and nonce of an account")
    .option("--height <h>", "at this height (default latest)")
    .action(async (address: string, opts: { height?: string }) => {
      printJson(await client().getAccount(address, height(opts.height)));
    });

  query
    .command("block [height]")
    .description("a block (default the latest)")
    .action(async (h?: string) => printJson(await client().getBlock(height(h))));

  query
    .command("tx <hash>")
    .description("a committed tx with its height, result code and events")
    .action(async (hash: string) => printJson(await client().getTx(hash)));

  registerTxSearchCommand(query, client);

  query
    .command("status")
    .description("the node's chain id and latest block")
    .action(async () => printJson(await client().status()));

  registerModuleQueryCommands(query, client);
}
