// Software upgrades at the application: a passed proposal stores the plan; the app then tells
// consensus to halt before its height (info and commit), refuses to execute that block, and a
// release that knows the upgrade runs its handler at the start of the block instead.
import { describe, expect, it } from "vitest";
import { WriteBatch } from "../../../state/db.js";
import type { UpgradeHandler } from "../../upgrades.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import { content, type GovFixture, submitMsg, useGovFixtures } from "./gov-fixture.js";

const fixture = useGovFixtures();

const MESSAGE =
  'UPGRADE NEEDED: software upgrade "v2" was scheduled by governance proposal 1 at height 10; ' +
  "this release does not implement it: install the release that does and restart";

/** Submits `c` at height 1, every validator votes yes at 2, tallied (passed) at the end of 5. */
async function pass(f: GovFixture, c: Parameters<typeof submitMsg>[0]): Promise<void> {
  expect((await f.run(f.tx(f.alice, submitMsg(c, 1000n)))).codes).toEqual(["OK"]);
  const id = (await f.query<{ proposals: { id: number }[] }>("proposals/")).proposals.length;
  expect(await f.vote(id, "yes")).toEqual(["OK", "OK", "OK", "OK"]);
}

describe("software upgrade plans", () => {
  it("an unknown upgrade makes the app ask consensus to halt before its height and refuse that block", async () => {
    const f = await fixture();
    await pass(f, content.upgrade("v2", 10, "https://example.org/v2"));
    expect(await f.chain.app.info()).not.toHaveProperty("haltAt");
    await f.chain.advanceTo(5);
    expect(await f.query("upgrade_plan")).toEqual({
      name: "v2",
      height: 10,
      info: "https://example.org/v2",
      proposal_id: 1,
    });
    // From the commit that stored the plan on, info carries the halt; consensus compares heights.
    expect((await f.chain.app.info()).haltAt).toEqual({ height: 10, reason: MESSAGE });
    await f.chain.advanceTo(8);

    // Block 9 by hand, to see what its commit tells consensus.
    const app = f.chain.app;
    await app.finalizeBlock({
      height: 9,
      timeMs: 1_700_000_009_000,
      proposerAddress: new Uint8Array(20),
      lastBlockHash: new Uint8Array(32),
      lastCommit: { round: 0, votes: [] },
      misbehavior: [],
      blockHash: new Uint8Array(32).fill(9),
      txs: [],
    });
    const committed = await app.commit(new WriteBatch());
    expect(committed.haltAt).toEqual({ height: 10, reason: MESSAGE });
    f.chain.height = 9;

    await expect(f.chain.block()).rejects.toMatchObject({ code: "UPGRADE_NEEDED", message: MESSAGE });
    expect((await app.info()).lastHeight).toBe(9);
  });

  it("a later upgrade replaces the plan and a cancel clears it", async () => {
    const f = await fixture();
    await f.run(
      f.tx(f.alice, submitMsg(content.upgrade("v2", 40), 1000n)),
      f.tx(f.alice, submitMsg(content.upgrade("v3", 50), 1000n)),
    );
    await f.vote(1, "yes");
    await f.vote(2, "yes");
    await f.chain.advanceTo(5);
    // Both passed at the end of 5, in id order: the later one's plan replaced the earlier one's.
    expect(await f.query("upgrade_plan")).toMatchObject({ name: "v3", height: 50, proposal_id: 2 });
    expect((await f.chain.app.info()).haltAt?.height).toBe(50);

    // Submitted at 6, voted at 7, passes at the end of 6 + 4 = 10.
    expect((await f.run(f.tx(f.alice, submitMsg(content.cancelUpgrade(), 1000n)))).codes).toEqual(["OK"]);
    await f.vote(3, "yes");
    await f.chain.advanceTo(9);
    expect((await f.query<{ name: string }>("upgrade_plan")).name).toBe("v3");
    await f.chain.block();
    expect((await f.query<{ status: string }>("proposal/3")).status).toBe("passed");
    expect(await f.query("upgrade_plan")).toBeNull();
    expect(await f.chain.app.info()).not.toHaveProperty("haltAt");
  });

  it("a known upgrade runs its handler at the start of its block, clears the plan, and the chain goes on", async () => {
    const calls: number[] = [];
    const handler: UpgradeHandler = async ({ store, height, events }) => {
      calls.push(height);
      // Something a test can see: the handler funds an account before the block's txs run.
      const key = accountStateKey(new Uint8Array(20).fill(0xaa));
      const account = await loadAccount(store, key);
      saveAccount(store, key, { nonce: account.nonce, balance: account.balance + 77n });
      events.push(makeEvent("v2_migration", []));
    };
    const f = await fixture({ knownUpgrades: new Map([["v2", handler]]) });
    await pass(f, content.upgrade("v2", 10));
    await f.chain.advanceTo(9);
    expect(await f.chain.app.info()).not.toHaveProperty("haltAt");
    expect(calls).toEqual([]);
    const at = await f.chain.block();
    expect(calls).toEqual([10]);
    expect(at.events.slice(0, 2).map((e) => e.type)).toEqual(["v2_migration", "apply_upgrade"]);
    expect(await f.chain.balance(new Uint8Array(20).fill(0xaa))).toBe(77n);
    expect(await f.query("upgrade_plan")).toBeNull();
    await f.chain.advanceTo(12);
    expect(calls).toEqual([10]);
  });
});
