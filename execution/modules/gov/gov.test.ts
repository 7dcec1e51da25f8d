// Governance end to end on a real chain: parameter changes at their effective height, quorum,
// veto (burned deposits), expiry, and what each outcome does to deposits and balances.
import { describe, expect, it } from "vitest";
import { type Event, Msg, MsgSend } from "../../../proto/index.js";
import { codeName } from "../../staking-fixture.js";
import {
  content,
  depositMsg,
  FUNDS,
  type GovFixture,
  STAKE,
  submitMsg,
  useGovFixtures,
  voteMsg,
} from "./gov-fixture.js";

const fixture = useGovFixtures();

interface ProposalJson {
  id: number;
  status: string;
  voting_start_height: number;
  voting_end_height: number;
  total_deposit: string;
  final_tally: Record<string, string> | null;
  tally?: Record<string, string>;
  failure_reason: string;
}

function attr(events: Event[], type: string, key: string): string | undefined {
  return events.find((e) => e.type === type)?.attributes?.find((a) => a.key === key)?.value ?? undefined;
}

/** Everything the chain holds: every fixture account, every validator's stake, the gov escrow. */
async function holdings(f: GovFixture): Promise<bigint> {
  let sum = (await f.chain.balance(f.alice)) + (await f.chain.balance(f.bob));
  for (const v of f.validators) sum += await f.chain.balance(v.operator);
  for (const v of await f.chain.app.getAllValidators()) sum += BigInt(v.stake);
  const escrow = await f.chain.app.query({ path: "proof/0804" });
  if (escrow.value) sum += BigInt(new TextDecoder().decode(escrow.value));
  return sum;
}

describe("governance: parameter changes", () => {
  it("a passed change takes effect at its effective height, not a block earlier", async () => {
    const f = await fixture();
    // Submitted at height 1 with the full deposit: voting 1..5, tallied at the end of 5.
    const submit = await f.run(
      f.tx(
        f.alice,
        submitMsg(
          content.params(8, [
            ["bank", "min_gas_price", "1"],
            ["staking", "max_validators", 3],
          ]),
          1000n,
        ),
      ),
    );
    expect(submit.codes).toEqual(["OK"]);
    expect(await f.query<ProposalJson>("proposal/1")).toMatchObject({
      status: "voting_period",
      voting_start_height: 1,
      voting_end_height: 5,
      total_deposit: "1000",
    });
    expect(await f.vote(1, "yes", f.validators.slice(0, 3))).toEqual(["OK", "OK", "OK"]);
    const live = await f.query<ProposalJson>("proposal/1");
    expect(live.tally).toEqual({
      yes: String(3n * STAKE),
      no: "0",
      abstain: "0",
      no_with_veto: "0",
      total_bonded: String(4n * STAKE),
    });
    await f.chain.advanceTo(5);
    const passed = await f.query<ProposalJson>("proposal/1");
    expect(passed.status).toBe("passed");
    expect(passed.final_tally?.yes).toBe(String(3n * STAKE));
    expect(passed.tally).toBeUndefined();
    // Deposit refunded when it passed.
    expect(await f.chain.balance(f.alice)).toBe(FUNDS);

    // Block 7 (effective - 1) still runs under the old params: a fee-free tx goes through and
    // the set keeps its 4 validators.
    await f.chain.advanceTo(6);
    const send = () => Msg.create({ bankSend: MsgSend.create({ to: f.bob.address, amount: "1" }) });
    const before = await f.run(f.tx(f.alice, send()));
    expect(before.codes).toEqual(["OK"]);
    expect(before.result.validatorUpdates).toEqual([]);
    // Its block end stored the new values (state at 7 has them, at 6 not), so the mempool
    // already refuses fee-free txs for block 8.
    expect((await f.chain.app.getParams(6)).bank.min_gas_price).toBe("0");
    expect((await f.chain.app.getParams(7)).bank.min_gas_price).toBe("1");
    const free = f.tx(f.alice, send());
    expect(codeName(await f.chain.app.checkTx(free, "new"))).toBe("TX_FEE_TOO_LOW");

    // Block 8 is the first under the new values: the fee-free tx fails, the set shrinks to 3.
    const at = await f.run(free);
    expect(at.codes).toEqual(["TX_FEE_TOO_LOW"]);
    expect(at.result.validatorUpdates.map((u) => u.power)).toEqual([0]);
    expect(await f.chain.app.getValidators()).toHaveLength(3);
    const params = await f.chain.app.getParams(8);
    expect(params.bank.min_gas_price).toBe("1");
    expect(params.staking.max_validators).toBe(3);
    expect((await f.chain.app.getParams(6)).staking.max_validators).toBe(100);
  });

  it("a change that misses quorum changes nothing and refunds its deposits", async () => {
    const f = await fixture();
    const start = await holdings(f);
    // 400 now, 600 from bob later: voting starts when bob's deposit reaches min_deposit.
    expect(
      (await f.run(f.tx(f.alice, submitMsg(content.params(20, [["staking", "max_validators", 2]]), 400n))))
        .codes,
    ).toEqual(["OK"]);
    expect((await f.query<ProposalJson>("proposal/1")).status).toBe("deposit_period");
    expect((await f.run(f.tx(f.bob, depositMsg(1, 600n)))).codes).toEqual(["OK"]);
    expect(await f.query<ProposalJson>("proposal/1")).toMatchObject({
      status: "voting_period",
      voting_start_height: 2,
      voting_end_height: 6,
      total_deposit: "1000",
    });
    expect(await f.chain.balance(f.alice)).toBe(FUNDS - 400n);
    expect(await f.chain.balance(f.bob)).toBe(FUNDS - 600n);
    // One validator of four (25% < 50% quorum), all yes.
    expect(await f.vote(1, "yes", f.validators.slice(0, 1))).toEqual(["OK"]);
    await f.chain.advanceTo(6);
    const done = await f.query<ProposalJson>("proposal/1");
    expect(done.status).toBe("rejected");
    expect(done.final_tally).toMatchObject({ yes: String(STAKE), total_bonded: String(4n * STAKE) });
    expect(await f.chain.balance(f.alice)).toBe(FUNDS);
    expect(await f.chain.balance(f.bob)).toBe(FUNDS);
    expect(await holdings(f)).toBe(start);
    await f.chain.advanceTo(21);
    expect((await f.chain.app.getParams()).staking.max_validators).toBe(100);
    expect(await f.chain.app.getValidators()).toHaveLength(4);
  });

  it("a vetoed proposal burns its deposits: they leave every balance", async () => {
    const f = await fixture();
    const start = await holdings(f);
    await f.run(f.tx(f.alice, submitMsg(content.text(), 700n)));
    await f.run(f.tx(f.bob, depositMsg(1, 500n)));
    const escrowed = await holdings(f);
    expect(escrowed).toBe(start);
    // 2 veto of 4 voted: 50% >= 33.4%.
    const [a, b, c, d] = f.validators;
    expect(
      (
        await f.run(
          f.tx(a!.operator, voteMsg(1, "veto")),
          f.tx(b!.operator, voteMsg(1, "veto")),
          f.tx(c!.operator, voteMsg(1, "yes")),
          f.tx(d!.operator, voteMsg(1, "yes")),
        )
      ).codes,
    ).toEqual(["OK", "OK", "OK", "OK"]);
    let burned: Event[] = [];
    while (f.chain.height < 6) burned = burned.concat((await f.chain.block()).events);
    expect((await f.query<ProposalJson>("proposal/1")).status).toBe("vetoed");
    expect(attr(burned, "burn_deposits", "amount")).toBe("1200");
    expect(await f.chain.balance(f.alice)).toBe(FUNDS - 700n);
    expect(await f.chain.balance(f.bob)).toBe(FUNDS - 500n);
    expect(await holdings(f)).toBe(start - 1200n);
  });

  it("a proposal whose deposit period ends below min_deposit expires and its deposit is burned", async () => {
    const f = await fixture();
    const start = await holdings(f);
    await f.run(f.tx(f.alice, submitMsg(content.text(), 10n)));
    expect((await f.query<ProposalJson>("proposal/1")).status).toBe("deposit_period");
    // Deposits are taken through the last height of the period (1 + 5 = 6); the period ends there.
    await f.chain.advanceTo(5);
    const last = await f.run(f.tx(f.bob, depositMsg(1, 5n)));
    expect(last.codes).toEqual(["OK"]);
    expect(attr(last.result.events, "burn_deposits", "amount")).toBe("15");
    expect(await f.query<ProposalJson>("proposal/1")).toMatchObject({
      status: "expired",
      total_deposit: "15",
    });
    expect(await holdings(f)).toBe(start - 15n);
    // A deposit on the closed proposal is refused and changes nothing.
    const late = await f.run(f.tx(f.bob, depositMsg(1, 5000n)));
    expect(late.codes).toEqual(["GOV_NOT_IN_DEPOSIT_PERIOD"]);
    expect(await f.chain.balance(f.bob)).toBe(FUNDS - 5n);
    expect(await f.query<ProposalJson>("proposal/1")).toMatchObject({
      status: "expired",
      total_deposit: "15",
    });
  });
});
