import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { devnetAccounts, initDevnet } from "../init.js";
import { createLogger } from "../logger.js";
import { addConfigFlags, configFromFlags, runUntilSignal } from "./start.js";

type Flags = Record<string, string | boolean | undefined> & { home: string };

export function registerDevnetCommand(program: Command): void {
  const cmd = program
    .command("devnet")
    .description("run a local devnet: created in --home on first start (funded dev accounts), reused after")
    .option("--home <dir>", "devnet directory", "./.devnet");
  addConfigFlags(cmd).action(async (flags: Flags) => {
    const root = resolve(flags.home);
    const nodeHome = join(root, "node0");
    const fresh = !existsSync(join(nodeHome, "config", "genesis.json"));
    if (fresh) initDevnet(root);
    const config = configFromFlags(nodeHome, { "log.format": "pretty", ...flags });
    const accounts = devnetAccounts(root);
    const lines = [
      `Kyochi devnet ${fresh ? "created" : "reused"} in ${root}`,
      "Funded dev accounts (keys in the keyring; use --home with client commands):",
      ...accounts.map((a) => `  ${a.name.padEnd(6)} ${a.address}  balance ${a.balance}  key ${a.keyFile}`),
      `JSON-RPC: http://${config.rpc.laddr}    e.g. npm run -s kyochi -- tx bank send alice <address> 1000 --home ${flags.home}`,
      "",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    const logger = createLogger({ level: config.log.level, format: config.log.format });
    await runUntilSignal(nodeHome, config, logger);
  });
}
