import type { Command } from "commander";
import { defaultHome } from "../home.js";
import { initHome } from "../init.js";
import { printJson } from "./output.js";

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description("create a node home: config, genesis (one validator: this node), node key, validator key")
    .option("--home <dir>", "node home directory", defaultHome())
    .option("--chain-id <id>", "chain id of a new genesis", "kyochi-1")
    .option("--moniker <name>", "human-readable node name", "kyochi-node")
    .action((opts: { home: string; chainId: string; moniker: string }) => {
      const result = initHome({ home: opts.home, moniker: opts.moniker, chainId: opts.chainId });
      printJson({
        home: result.home,
        chain_id: result.genesis.chain_id,
        validator_address: result.validatorAddress,
        operator: result.genesis.app_state.validators[0]?.operator,
      });
    });
}
