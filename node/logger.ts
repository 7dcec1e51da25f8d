import pino, { type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/** JSON logs by default (for machines); `pretty` for humans at a terminal. */
export function createLogger(opts: { level: string; format: "json" | "pretty"; name?: string }): Logger {
  const base = { level: opts.level, ...(opts.name ? { name: opts.name } : {}) };
  if (opts.format === "pretty") {
    return pino(
      base,
      pretty({
        colorize: process.stdout.isTTY ?? false,
        translateTime: "SYS:HH:MM:ss.l",
        singleLine: true,
        sync: true,
      }),
    );
  }
  return pino(base);
}
