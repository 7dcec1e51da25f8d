import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../crypto/hash.js";
import { Account } from "../../../proto/index.js";
import { MAX_AMOUNT } from "../../amount.js";
import {
  codeName,
  codes,
  type Fixture,
  type FixtureOptions,
  type FixtureValidator,
  newValidatorKeys,
  OPERATOR_FUNDS,
  REDUCTION,
  stakingAddStake,
  stakingCreateValidator,
  stakingUnbond,
  stakingUnjail,
  startFixture,
  updatesOf,
} from "../../staking-fixture.js";
import { newAccount, signedMsgs } from "../../test-helpers.js";
import type { ValidatorStatusView } from "./index.js";

const open: Fixture[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.chain.close();
});

async function fixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const f = await startFixture(opts);
  open.push(f);
  return f;
}

describe("staking txs and the active set", () => {
  it("genesis validators are active from the start: no updates at block 1", async () => {
    const f = await fixture();
    const result = await f.chain.block();
    expect(result.validatorUpdates).toEqual([]);
    const active = await f.chain.app.getValidators();
    expect(active.map((v) => v.power)).toEqual([10, 10, 10, 10]);
    const all = await f.chain.app.getAllValidators();
    expect(all.map((v) => v.status)).toEqual(["bonded", "bonded", "bonded", "bonded"]);
  });

  it("create validator: its stake leaves the balance, it joins the set with stake / power_reduction", async () => {
    const candidate = newValidatorKeys();
    const f = await fixture({ accounts: [{ account: candidate.operator, balance: 50_000_000n }] });
    const create = f.tx(
      candidate.operator,
      stakingCreateValidator(candidate.consensus.publicKey, 7_500_000n, "newcomer"),
    );
    expect((await f.chain.app.checkTx(create, "new")).code).toBe(0);
    const result = await f.chain.block({ txs: [create] });
    expect(codes(result.txResults)).toEqual(["OK"]);
    expect(updatesOf(result.validatorUpdates)).toEqual([
      { key: toHex(candidate.consensus.publicKey), power: 7 },
    ]);
    expect(await f.chain.balance(candidate.operator)).toBe(50_000_000n - 7_500_000n);
    const view = await f.chain.app.getValidator(candidate.operator.bech32);
    expect(view).toMatchObject({
      status: "bonded",
      stake: "7500000",
      power: 7,
      moniker: "newcomer",
      created_height: 1,
      consensus_address: `0x${toHex(candidate.consensusAddress)}`,
    });
    // the same validator found by its consensus address
    expect(await f.chain.app.getValidator(`0x${toHex(candidate.consensusAddress)}`)).toEqual(view);
    expect((await f.chain.app.getValidators()).map((v) => v.operator)).toContain(candidate.operator.bech32);
    const event = result.txResults[0]!.events.find((e) => e.type === "create_validator");
    expect(event?.attributes?.find((a) => a.key === "self_stake")?.value).toBe("7500000");
    // the next block changes nothing
    expect((await f.chain.block()).validatorUpdates).toEqual([]);
  });

  it("add stake raises the power; unbond lowers it at once and pays back only at maturity", async () => {
    const f = await fixture({ staking: { unbonding_blocks: 5 } });
    const v = f.validators[0]!;
    const key = toHex(v.consensus.publicKey);

    const added = await f.chain.block({ txs: [f.tx(v.operator, stakingAddStake(5_000_000n))] });
    expect(codes(added.txResults)).toEqual(["OK"]);
    expect(updatesOf(added.validatorUpdates)).toEqual([{ key, power: 15 }]);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS - 5_000_000n);

    // unbond at height 2: power 15 -> 11 now, tokens back at the end of block 2 + 5 = 7
    const unbond = await f.chain.block({ txs: [f.tx(v.operator, stakingUnbond(4_000_000n))] });
    expect(codes(unbond.txResults)).toEqual(["OK"]);
    expect(updatesOf(unbond.validatorUpdates)).toEqual([{ key, power: 11 }]);
    const view = await f.chain.app.getValidator(v.operator.bech32);
    expect(view.stake).toBe("11000000");
    expect(view.unbonding).toEqual([{ amount: "4000000", creation_height: 2, completion_height: 7 }]);

    await f.chain.advanceTo(6);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS - 5_000_000n);
    const mature = await f.chain.block();
    expect(f.chain.height).toBe(7);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS - 1_000_000n);
    expect(mature.validatorUpdates).toEqual([]);
    expect(mature.events.find((e) => e.type === "unbonding_complete")?.attributes).toEqual([
      expect.objectContaining({ key: "operator", value: v.operator.bech32 }),
      expect.objectContaining({ key: "amount", value: "4000000" }),
    ]);
    expect((await f.chain.app.getValidator(v.operator.bech32)).unbonding).toEqual([]);
  });

  it("unbonding everything removes the validator from the set (power 0 update)", async () => {
    const f = await fixture({ staking: { unbonding_blocks: 3 } });
    const v = f.validators[1]!;
    const result = await f.chain.block({ txs: [f.tx(v.operator, stakingUnbond(10_000_000n))] });
    expect(codes(result.txResults)).toEqual(["OK"]);
    expect(updatesOf(result.validatorUpdates)).toEqual([{ key: toHex(v.consensus.publicKey), power: 0 }]);
    expect((await f.chain.app.getValidator(v.operator.bech32)).status).toBe("unbonded");
    expect(await f.chain.app.getValidators()).toHaveLength(3);
    await f.chain.advanceTo(4);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 10_000_000n);
  });

  it("keeps only the top max_validators by power, ties to the lower operator address", async () => {
    const a = newValidatorKeys();
    const b = newValidatorKeys();
    const f = await fixture({
      powers: [10, 5],
      staking: { max_validators: 2 },
      accounts: [
        { account: a.operator, balance: 100_000_000n },
        { account: b.operator, balance: 100_000_000n },
      ],
    });
    const weakest = f.validators[1]!;
    // a (power 7) pushes out the validator with power 5
    const first = await f.chain.block({
      txs: [f.tx(a.operator, stakingCreateValidator(a.consensus.publicKey, 7_000_000n, "a"))],
    });
    expect(updatesOf(first.validatorUpdates).sort((x, y) => x.key.localeCompare(y.key))).toEqual(
      [
        { key: toHex(a.consensus.publicKey), power: 7 },
        { key: toHex(weakest.consensus.publicKey), power: 0 },
      ].sort((x, y) => x.key.localeCompare(y.key)),
    );
    expect((await f.chain.app.getValidator(weakest.operator.bech32)).status).toBe("unbonded");
    // b ties with a at 7: the lower operator address keeps the seat
    const second = await f.chain.block({
      txs: [f.tx(b.operator, stakingCreateValidator(b.consensus.publicKey, 7_000_000n, "b"))],
    });
    const aFirst = Buffer.compare(a.operator.address, b.operator.address) < 0;
    const [winner, loser] = aFirst ? [a, b] : [b, a];
    if (aFirst) expect(second.validatorUpdates).toEqual([]);
    else {
      const want = [
        { address: a.consensusAddress, key: toHex(a.consensus.publicKey), power: 0 },
        { address: b.consensusAddress, key: toHex(b.consensus.publicKey), power: 7 },
      ].sort((x, y) => Buffer.compare(x.address, y.address));
      expect(updatesOf(second.validatorUpdates)).toEqual(want.map(({ key, power }) => ({ key, power })));
    }
    const active = (await f.chain.app.getValidators()).map((v) => v.operator);
    expect(active).toContain(winner.operator.bech32);
    expect(active).not.toContain(loser.operator.bech32);
    expect(active).toHaveLength(2);
  });

  it("fees go to the active set only", async () => {
    const payer = newAccount();
    const f = await fixture({ accounts: [{ account: payer, balance: 10_000_000n }] });
    const [v0, v1, v2, v3] = f.validators as [
      FixtureValidator,
      FixtureValidator,
      FixtureValidator,
      FixtureValidator,
    ];
    await f.chain.block({ txs: [f.tx(v3.operator, stakingUnbond(10_000_000n))] });
    // a 30_000 fee paid in the next block is shared by the three validators still active
    const paying = signedMsgs(payer, [stakingUnjail()], { nonce: 0, fee: 30_000n, gasLimit: 200_000 });
    const result = await f.chain.block({ txs: [paying], proposer: v0.consensusAddress });
    expect(codeName(result.txResults[0]!)).toBe("UNKNOWN_VALIDATOR");
    for (const v of [v0, v1, v2]) expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 10_000n);
    expect(await f.chain.balance(v3.operator)).toBe(OPERATOR_FUNDS);
  });
});

describe("bad staking txs get their code and change nothing", () => {
  async function snapshot(f: Fixture): Promise<{ validators: ValidatorStatusView[]; set: string }> {
    const set = await f.chain.app.query({ path: "validator_set" });
    return { validators: await f.chain.app.getAllValidators(), set: toHex(set.value!) };
  }

  it("each refusal", async () => {
    const candidate = newValidatorKeys();
    const poor = newValidatorKeys();
    const whale = newValidatorKeys();
    const f = await fixture({
      accounts: [
        { account: candidate.operator, balance: 20_000_000n },
        { account: poor.operator, balance: 2_000_000n },
        { account: whale.operator, balance: MAX_AMOUNT / 2n },
      ],
    });
    const v = f.validators[0]!;
    const taken = f.validators[1]!.consensus.publicKey;
    await f.chain.block();

    const stateful: [string, Uint8Array, typeof candidate.operator][] = [
      [
        "DUPLICATE_CONSENSUS_KEY",
        f.tx(candidate.operator, stakingCreateValidator(taken, 5_000_000n, "dup")),
        candidate.operator,
      ],
      [
        "VALIDATOR_EXISTS",
        f.tx(v.operator, stakingCreateValidator(candidate.consensus.publicKey, 5_000_000n, "again")),
        v.operator,
      ],
      [
        "SELF_STAKE_TOO_LOW",
        f.tx(candidate.operator, stakingCreateValidator(candidate.consensus.publicKey, 999_999n, "low")),
        candidate.operator,
      ],
      [
        "INSUFFICIENT_FUNDS",
        f.tx(poor.operator, stakingCreateValidator(poor.consensus.publicKey, 3_000_000n, "poor")),
        poor.operator,
      ],
      [
        "VALIDATOR_POWER_TOO_HIGH",
        f.tx(whale.operator, stakingCreateValidator(whale.consensus.publicKey, MAX_AMOUNT / 4n, "whale")),
        whale.operator,
      ],
      ["UNKNOWN_VALIDATOR", f.tx(candidate.operator, stakingAddStake(1n)), candidate.operator],
      ["UNKNOWN_VALIDATOR", f.tx(candidate.operator, stakingUnbond(1n)), candidate.operator],
      ["UNKNOWN_VALIDATOR", f.tx(candidate.operator, stakingUnjail()), candidate.operator],
      ["INSUFFICIENT_FUNDS", f.tx(v.operator, stakingAddStake(OPERATOR_FUNDS + 1n)), v.operator],
      ["UNBOND_EXCEEDS_STAKE", f.tx(v.operator, stakingUnbond(10_000_001n)), v.operator],
      // 9_500_000 would leave 500_000 bonded, below min_self_stake 1_000_000
      ["SELF_STAKE_TOO_LOW", f.tx(v.operator, stakingUnbond(9_500_000n)), v.operator],
      ["VALIDATOR_NOT_JAILED", f.tx(v.operator, stakingUnjail()), v.operator],
    ];
    for (const [want, tx, signer] of stateful) {
      const before = await snapshot(f);
      const balance = await f.chain.balance(signer);
      const nonce = await f.chain.nonce(signer);
      expect(codeName(await f.chain.app.checkTx(tx, "new")), want).toBe(want);
      const result = await f.chain.block({ txs: [tx] });
      expect(codeName(result.txResults[0]!), want).toBe(want);
      expect(result.validatorUpdates).toEqual([]);
      expect(await snapshot(f)).toEqual(before);
      expect(await f.chain.balance(signer)).toBe(balance);
      // the failed tx used its nonce (fee 0 here), nothing else
      expect(await f.chain.nonce(signer)).toBe(nonce + 1);
    }

    // refused before execution: no nonce used, not even a fee
    const stateless: [string, Uint8Array][] = [
      ["INVALID_AMOUNT", f.tx(v.operator, stakingAddStake(0n))],
      ["INVALID_AMOUNT", f.tx(v.operator, stakingUnbond(0n))],
      ["INVALID_AMOUNT", f.tx(v.operator, stakingAddStake(MAX_AMOUNT + 1n))],
      ["INVALID_AMOUNT", f.tx(v.operator, stakingCreateValidator(candidate.consensus.publicKey, 0n, "zero"))],
      [
        "INVALID_CONSENSUS_KEY",
        f.tx(v.operator, stakingCreateValidator(new Uint8Array(31), 5_000_000n, "short")),
      ],
      [
        "INVALID_MONIKER",
        f.tx(v.operator, stakingCreateValidator(candidate.consensus.publicKey, 5_000_000n, "x".repeat(65))),
      ],
    ];
    for (const [want, tx] of stateless) {
      f.rewindNonce(v.operator);
      const before = await snapshot(f);
      const nonce = await f.chain.nonce(v.operator);
      expect(codeName(await f.chain.app.checkTx(tx, "new")), want).toBe(want);
      const result = await f.chain.block({ txs: [tx] });
      expect(codeName(result.txResults[0]!), want).toBe(want);
      expect(await snapshot(f)).toEqual(before);
      expect(await f.chain.nonce(v.operator)).toBe(nonce);
      expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS);
    }
  });

  it("queries: all validators, one by either address, the set leaf, and unknown ones", async () => {
    const f = await fixture({ powers: [3, 4] });
    await f.chain.block();
    const all = JSON.parse(
      new TextDecoder().decode((await f.chain.app.query({ path: "validators" })).value),
    ) as ValidatorStatusView[];
    expect(all.map((v) => v.power).sort()).toEqual([3, 4]);
    const one = await f.chain.app.query({ path: `validator/${f.validators[0]!.operator.bech32}` });
    expect(JSON.parse(new TextDecoder().decode(one.value)).power).toBe(3);
    const set = await f.chain.app.query({ path: "validator_set", prove: true });
    expect(set.proof?.root).toBe(toHex((await f.chain.app.info()).lastAppHash));
    const unknown = await f.chain.app.query({ path: `validator/${newAccount().bech32}` });
    expect(unknown.codename).toBe("UNKNOWN_VALIDATOR");
    expect((await f.chain.app.query({ path: "validator/kyo1nope" })).codename).toBe("QUERY_INVALID_ARGUMENT");
    // the account still reads as an Account (staking did not touch its layout)
    const account = await f.chain.app.query({ path: `account/${f.validators[0]!.operator.bech32}` });
    expect(Account.decode(account.value!).balance).toBe(OPERATOR_FUNDS.toString());
    expect(REDUCTION).toBe(1_000_000n);
  });
});
