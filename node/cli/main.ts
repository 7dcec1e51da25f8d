#!/usr/bin/env node
// The `kyochi` command line: init, start, devnet, keys, tx, query, worker, and offline tools.
import { Command, CommanderError } from "commander";
import { registerAttestCommands } from "./attest.js";
import { registerComputeToolCommands } from "./compute-tools.js";
import { registerDataCommands } from "./data.js";
import { registerDevnetCommand } from "./devnet.js";
import { registerInitCommand } from "./init.js";
import { registerKeysCommands } from "./keys.js";
import { registerModelCommands } from "./model.js";
import { printError } from "./output.js";
import { registerQueryCommands } from "./query.js";
import { registerStartCommand } from "./start.js";
import { registerTxCommands } from "./tx.js";
import { registerWorkerCommand } from "./worker.js";

const program = new Command()
  .name("kyochi")
  .description("Kyochi: an app-chain node for AI work (compute jobs, models, data licensing)")
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride();

registerInitCommand(program);
registerStartCommand(program);
registerDevnetCommand(program);
registerKeysCommands(program);
registerTxCommands(program);
registerQueryCommands(program);
registerDataCommands(program);
registerModelCommands(program);
registerAttestCommands(program);
registerWorkerCommand(program);
registerComputeToolCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  printError(err);
  process.exit(1);
}
