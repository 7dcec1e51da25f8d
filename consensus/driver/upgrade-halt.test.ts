// The application asks consensus to halt before a height (a software upgrade this release lacks):
// the driver commits the height before it, then stops with UPGRADE_NEEDED without proposing,
// voting on or executing the halt height; a restart refuses to start at all.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAST, openNode, type TestNode, validatorKeys, waitForHalt } from "../testing/harness.js";
import { HALT_KEY, kvTx } from "../testing/kv-app.js";

let root: string;
const open: TestNode[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kyochi-upgrade-halt-"));
});
afterEach(async () => {
  for (const n of open.splice(0)) await n.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe("halting for a software upgrade", () => {
  it("commits up to the height before, then halts without signing or executing anything of it", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const args = { dir, key: keys[0]!, validators, config: { ...FAST, timeoutCommitMs: 10 }, audit: true };
    const first = await openNode(args);
    open.push(first);
    first.txs.add(kvTx(HALT_KEY, "4"));
    await first.consensus.start();
    const err = await waitForHalt(first);
    expect(err).toMatchObject({ code: "UPGRADE_NEEDED", message: "kv-app: halt scheduled at height 4" });
    await first.consensus.idle();
    expect(first.consensus.status().lastHeight).toBe(3);
    expect(first.blockStore.height).toBe(3);
    const calls = first.app.calls;
    expect([...calls.prepare, ...calls.process, ...calls.finalize].filter((h) => h >= 4)).toEqual([]);
    const audit = readFileSync(join(dir, "data", "signer_audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { height: number });
    expect(Math.max(...audit.map((a) => a.height))).toBe(3);
    await first.close();
    open.splice(open.indexOf(first), 1);

    // The same software on the same data refuses to start: nothing of height 4 happens.
    const second = await openNode(args);
    open.push(second);
    await expect(second.consensus.start()).rejects.toMatchObject({ code: "UPGRADE_NEEDED" });
    expect(second.blockStore.height).toBe(3);
    expect(second.app.calls.finalize).toEqual([]);
    const after = readFileSync(join(dir, "data", "signer_audit.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(after).toHaveLength(audit.length);
  });
});
