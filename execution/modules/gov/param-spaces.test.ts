// Every module's params through its ParamSpace: the `params` query serves them all, and
// governance changes them only through the checks genesis runs, at the stated height.
import { describe, expect, it } from "vitest";
import { DEFAULT_GENESIS_PARAMS } from "../../genesis-types.js";
import { NOT_IN_MEMORY } from "../../store.js";
import { allParamSpaces } from "../param-spaces.js";
import { content, GOV_TEST_PARAMS, submitMsg, useGovFixtures } from "./gov-fixture.js";
import { Overlay } from "./overlay.js";

const fixture = useGovFixtures();

describe("param spaces", () => {
  it("the params query serves every section under its genesis name, and each space round-trips", async () => {
    const f = await fixture();
    const params = await f.query<Record<string, Record<string, unknown>>>("params");
    expect(params.bank).toEqual({ min_gas_price: "0" });
    expect(params.staking).toEqual(DEFAULT_GENESIS_PARAMS.staking);
    expect(params.slashing).toEqual(DEFAULT_GENESIS_PARAMS.slashing);
    expect(params.tx).toEqual(DEFAULT_GENESIS_PARAMS.tx);
    expect(params.block).toEqual(DEFAULT_GENESIS_PARAMS.block);
    expect(params.gov).toEqual(GOV_TEST_PARAMS);
    expect(await f.chain.app.getParams()).toEqual(params);
    const names = allParamSpaces().map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["bank", "staking", "slashing", "tx", "block", "gov"]));
    expect(Object.keys(params).sort()).toEqual([...names].sort());

    // A scratch layer over the committed state (read through the proof query, writes kept aside).
    const scratch = new Overlay({
      get: async (key) =>
        (await f.chain.app.query({ path: `proof/${Buffer.from(key.bytes).toString("hex")}` })).value,
      peek: () => NOT_IN_MEMORY,
      set() {},
      delete() {},
    });
    for (const space of allParamSpaces()) {
      const values = await space.load(scratch);
      await space.store(scratch, values);
      expect(await space.load(scratch)).toEqual(values);
      const refused = await space.store(scratch, { ...values, surprise: 1 }).then(
        () => "stored",
        (err: { code?: string }) => err.code,
      );
      expect(refused).toMatch(/INVALID$/);
    }
  });

  it("one proposal may raise tx and block limits together (each section checked against the other)", async () => {
    const f = await fixture();
    const raise = content.params(7, [
      ["tx", "max_tx_bytes", 8 * 1024 * 1024],
      ["block", "max_bytes", 16 * 1024 * 1024],
    ]);
    expect((await f.run(f.tx(f.alice, submitMsg(raise, 1000n)))).codes).toEqual(["OK"]);
    await f.vote(1, "yes");
    await f.chain.advanceTo(5);
    expect((await f.chain.app.getParams()).tx.max_tx_bytes).toBe(65_536);
    // Stored at the end of effective - 1 = 6: block 7 is the first to run under them.
    await f.chain.block();
    const params = await f.chain.app.getParams();
    expect(params.tx.max_tx_bytes).toBe(8 * 1024 * 1024);
    expect(params.block.max_bytes).toBe(16 * 1024 * 1024);
  });

  it("a passed change whose values no longer pass at its height fails with the reason, changing nothing", async () => {
    const f = await fixture();
    // Each is valid alone; once the block limit drops to 1 MiB a 2 MiB tx limit is not.
    const results = await f.run(
      f.tx(f.alice, submitMsg(content.params(12, [["tx", "max_tx_bytes", 2 * 1024 * 1024]]), 1000n)),
      f.tx(f.alice, submitMsg(content.params(10, [["block", "max_bytes", 1024 * 1024]]), 1000n)),
    );
    expect(results.codes).toEqual(["OK", "OK"]);
    await f.vote(1, "yes");
    await f.vote(2, "yes");
    await f.chain.advanceTo(10);
    expect((await f.chain.app.getParams()).block.max_bytes).toBe(1024 * 1024);
    expect((await f.query<{ status: string }>("proposal/1")).status).toBe("passed");
    const failedAt = await f.chain.block();
    expect(failedAt.events.find((e) => e.type === "proposal_failed")).toBeDefined();
    const p1 = await f.query<{ status: string; failure_reason: string }>("proposal/1");
    expect(p1.status).toBe("failed");
    expect(p1.failure_reason).toMatch(/max_tx_bytes must not exceed params.block.max_bytes/);
    expect((await f.chain.app.getParams()).tx.max_tx_bytes).toBe(65_536);
    expect((await f.query<{ proposals: unknown[] }>("proposals/status=failed")).proposals).toHaveLength(1);
  });
});
