import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, beforeEach, expect, it } from "vitest";
import { toHex } from "../crypto/hash.js";
import type { Logger } from "./logger.js";
import { openNode, validatorKeys, waitForHeight } from "./testing/harness.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kyochi-consensus-log-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it("takes a pino logger as is and logs each committed block as JSON", async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger: Logger = pino({ level: "info" }, sink);
  const { keys, validators } = validatorKeys(1);
  const n = await openNode({ dir: join(root, "v0"), key: keys[0]!, validators, logger });
  try {
    await n.consensus.start();
    await waitForHeight(n, 2);
  } finally {
    await n.close();
  }
  const committed = lines.filter((l) => l.msg === "committed block");
  expect(committed.slice(0, 2).map((l) => l.height)).toEqual([1, 2]);
  expect(committed[0]!.hash).toBe(toHex(n.commits[0]!.blockHash));
  expect(lines.some((l) => l.msg === "consensus starting")).toBe(true);
});
