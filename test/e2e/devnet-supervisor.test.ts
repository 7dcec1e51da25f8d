// The devnet's process supervisor with stand-in node processes (small node scripts): a process
// that dies is reported with its last lines, the others are stopped, and one that ignores
// SIGTERM is killed after the stop timeout, so no process outlives the devnet.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { superviseNodes } from "../../node/cli/devnet.js";
import { processAlive } from "../helpers/devnet.js";
import { removeDir, tempDir, waitFor } from "../helpers/process-node.js";

const PID_LINE = "console.log('pid ' + process.pid);";
/** Prints some lines, then exits with code 3 once `marker` exists (the others are ready by then). */
const dies = (marker: string) =>
  `${PID_LINE} for (let i = 1; i <= 30; i++) console.log('line ' + i);` +
  ` setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(marker)})) process.exit(3); }, 20);`;
/** Runs until SIGTERM, then exits cleanly (its pid line comes once the handler is in place). */
const POLITE = `process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); ${PID_LINE} setInterval(() => {}, 1000);`;
/** Ignores SIGTERM: only SIGKILL ends it. */
const STUBBORN = `process.on('SIGTERM', () => console.log('not stopping')); ${PID_LINE} setInterval(() => {}, 1000);`;

let written: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  written = [];
});

function captureOutput(): () => string {
  const capture = (chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return () => written.join("");
}

function pidOf(out: string, name: string): number {
  const m = new RegExp(`\\[devnet\\] ${name} started \\(pid (\\d+)\\)`).exec(out);
  if (!m) throw new Error(`no pid line for ${name} in:\n${out}`);
  return Number(m[1]);
}

describe("superviseNodes", () => {
  it("reports a node that exits on its own with its last lines, stops the others, exits non-zero", {
    timeout: 30_000,
  }, async () => {
    const output = captureOutput();
    const dir = tempDir("supervisor");
    const marker = join(dir, "die-now");
    let code: number;
    try {
      const running = superviseNodes(
        [
          { name: "node0", args: ["-e", POLITE] },
          { name: "node1", args: ["-e", dies(marker)] },
          { name: "node2", args: ["-e", STUBBORN] },
        ],
        { stopTimeoutMs: 1500 },
      );
      await waitFor(
        () => ["node0", "node2"].every((name) => output().includes(`[${name}] pid `)),
        20_000,
        output,
      );
      writeFileSync(marker, "");
      code = await running;
    } finally {
      removeDir(dir);
    }
    const out = output();
    expect(code).toBe(1);
    expect(out).toContain("[devnet] node1 exited unexpectedly (exit code 3); its last log lines:");
    // The last 20 lines of node1, in order, without its prefix.
    const report = out.slice(out.indexOf("node1 exited unexpectedly"));
    expect(report).toContain("\n  line 30\n");
    expect(report).toContain("\n  line 11\n");
    expect(report).not.toContain("\n  line 10\n");
    // node0 stopped on SIGTERM; node2 ignored it and was killed after the timeout.
    expect(out).toContain("[node0] bye");
    expect(out).toContain("[node2] not stopping");
    expect(out).toContain("[devnet] node2 did not stop within 1500 ms: killing it");
    expect(out).toContain("[devnet] devnet stopped with errors");
    for (const name of ["node0", "node1", "node2"]) expect(processAlive(pidOf(out, name))).toBe(false);
  });

  it("counts a process that ends by the SIGTERM it is stopped with as a clean stop", {
    timeout: 30_000,
  }, async () => {
    const output = captureOutput();
    const before = new Set(process.listeners("SIGINT"));
    const running = superviseNodes(
      [
        { name: "node0", args: ["-e", POLITE] },
        // No SIGTERM handler: the default action ends it, by that signal.
        { name: "worker0", args: ["-e", `${PID_LINE} setInterval(() => {}, 1000);`] },
      ],
      { stopTimeoutMs: 10_000 },
    );
    const ctrlC = process.listeners("SIGINT").filter((l) => !before.has(l));
    expect(ctrlC).toHaveLength(1);
    await waitFor(
      () => ["node0", "worker0"].every((name) => output().includes(`[${name}] pid `)),
      20_000,
      output,
    );
    // Ctrl-C, as the devnet's own handler sees it (not emitted: the test runner has handlers too).
    (ctrlC[0] as (signal: NodeJS.Signals) => void)("SIGINT");
    const code = await running;
    const out = output();
    expect(out).toContain("[devnet] SIGINT: stopping 2 node(s)");
    expect(out).toContain("[node0] bye");
    expect(out).toContain("[devnet] devnet stopped\n");
    expect(code).toBe(0);
    for (const name of ["node0", "worker0"]) expect(processAlive(pidOf(out, name))).toBe(false);
  });

  it("reports a node that cannot start at all", { timeout: 30_000 }, async () => {
    const output = captureOutput();
    const code = await superviseNodes([
      { name: "node0", args: ["-e", POLITE] },
      { name: "node1", args: ["/nonexistent/kyochi/main.js"] },
    ]);
    const out = output();
    expect(code).toBe(1);
    expect(out).toMatch(/\[devnet\] node1 exited unexpectedly \(exit code 1\)/);
    expect(out).toContain("Cannot find module");
    expect(processAlive(pidOf(out, "node0"))).toBe(false);
  });
});
