// How the CLI prints results (JSON on stdout) and errors (one line with the stable code on stderr).

export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
  );
}

export function printError(err: unknown): void {
  const e = err as { code?: unknown; message?: unknown; data?: { code?: unknown } };
  const code = typeof e.data?.code === "string" ? e.data.code : typeof e.code === "string" ? e.code : "ERROR";
  const message = typeof e.message === "string" ? e.message : String(err);
  process.stderr.write(`error [${code}]: ${message}\n`);
}
