import type { Command } from "commander";
import { configKeys, loadConfig, type NodeConfig } from "../config.js";
import { defaultHome, homePaths } from "../home.js";
import { createLogger, type Logger } from "../logger.js";
import type { RunningNode } from "../node.js";
import { watchParent } from "./parent-watchdog.js";

type Flags = Record<string, string | boolean | undefined>;

/** Adds one `--<section>.<key> <value>` flag per config key (they override file and environment). */
export function addConfigFlags(cmd: Command): Command {
  for (const { path, example } of configKeys()) {
    cmd.option(`--${path} <value>`, `config ${path} (default ${JSON.stringify(example)})`);
  }
  return cmd;
}

export function configFromFlags(home: string, flags: Flags): NodeConfig {
  const overrides: Record<string, string> = {};
  for (const { path } of configKeys()) {
    const value = flags[path];
    if (typeof value === "string") overrides[path] = value;
  }
  return loadConfig(homePaths(home).configToml, process.env, overrides);
}

// `npm start` forwards Ctrl-C to its child, which also gets it from the terminal: a repeat within
// this window is the same request, not a second "exit now".
const SAME_SIGNAL_WINDOW_MS = 1000;

/**
 * Runs a node until SIGINT/SIGTERM (graceful) or a fatal error (exit code 1). A signal that arrives
 * while the node is still starting (a devnet stopped at once) stops it as soon as it is up, so it
 * still closes its database and says so.
 */
export async function runUntilSignal(home: string, config: NodeConfig, logger: Logger): Promise<void> {
  let node: RunningNode | undefined;
  let firstSignalAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt === undefined) {
      firstSignalAt = now;
      logger.info({ signal }, "shutting down");
      if (node) void node.stop();
    } else if (now - firstSignalAt > SAME_SIGNAL_WINDOW_MS) {
      logger.warn({ signal }, "second signal: exiting without waiting");
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    // Loaded here, not at the top: the node pulls in libp2p, gRPC and the rest (about a second),
    // which every other kyochi command (keys, tx, query) would otherwise pay at each start.
    const { startNode } = await import("../node.js");
    node = await startNode(home, config, logger);
    if (firstSignalAt !== undefined) void node.stop();
    const running = node;
    // Started by a devnet that died without stopping us (kill -9): stop cleanly.
    const unwatch = watchParent(() => {
      void running.stop();
      logger.warn("the devnet that started this node is gone; stopping");
    });
    const fatal = await node.done;
    unwatch();
    reportLingeringResources(logger);
    if (fatal) {
      process.exitCode = 1;
      // A governance upgrade this release lacks: the operator must read this, not a log record.
      if ((fatal as { code?: unknown }).code === "UPGRADE_NEEDED") process.stderr.write(`${fatal.message}\n`);
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// After a clean stop nothing should keep the process alive. If something does (a timer or socket
// a component forgot), name it in the log so the leak can be found, instead of a silent hang.
const LINGER_REPORT_MS = 3000;

function reportLingeringResources(logger: Logger): void {
  setTimeout(() => {
    logger.warn(
      { resources: process.getActiveResourcesInfo() },
      "process still running after the node stopped",
    );
  }, LINGER_REPORT_MS).unref();
}

export function registerStartCommand(program: Command): void {
  const cmd = program
    .command("start")
    .description("run a node from its home (config/config.toml, config/genesis.json, keys, data/)")
    .option("--home <dir>", "node home directory", defaultHome());
  addConfigFlags(cmd).action(async (flags: Flags & { home: string }) => {
    const config = configFromFlags(flags.home, flags);
    const logger = createLogger({ level: config.log.level, format: config.log.format });
    await runUntilSignal(flags.home, config, logger);
  });
}
