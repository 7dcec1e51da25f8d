import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../crypto/hash.js";
import { kyochi } from "../../../proto/index.js";
import {
  codes,
  doubleSign,
  type Fixture,
  type FixtureOptions,
  type FixtureValidator,
  fixtureGenesis,
  newValidatorKeys,
  OPERATOR_FUNDS,
  stakingAddStake,
  stakingCreateValidator,
  stakingUnbond,
  stakingUnjail,
  startFixture,
  updatesOf,
} from "../../staking-fixture.js";
import { maxMissedBlocks } from "./index.js";

const open: Fixture[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.chain.close();
});

async function fixture(opts: FixtureOptions = {}, built = fixtureGenesis(opts)): Promise<Fixture> {
  const f = await startFixture(opts, built);
  open.push(f);
  return f;
}

function attributes(event: kyochi.types.v1.Event | undefined): Record<string, string> {
  return Object.fromEntries((event?.attributes ?? []).map((a) => [a.key, a.value]));
}

async function missedCount(f: Fixture, v: FixtureValidator): Promise<number> {
  const q = await f.chain.app.query({ path: `signing_info/0x${toHex(v.consensusAddress)}` });
  expect(q.code).toBe(0);
  return q.value === undefined ? 0 : kyochi.staking.v1.SigningInfo.decode(q.value).missedCount;
}

describe("double-sign evidence", () => {
  it("slashes bonded stake and the unbonding begun at or after the offence, tombstones, removes", async () => {
    const f = await fixture({
      staking: { unbonding_blocks: 10 },
      slashing: { slash_fraction_double_sign_bps: 500, max_evidence_age_blocks: 10 },
    });
    const [v, w] = f.validators as [FixtureValidator, FixtureValidator];
    const outsider = newValidatorKeys();

    // e1: begun at 1, paid at the end of 11: gone before the evidence, never slashed
    await f.chain.block({ txs: [f.tx(v.operator, stakingUnbond(1_000_000n))] });
    await f.chain.advanceTo(11);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 1_000_000n);
    // e2: begun at 12, before the offence at 13: not slashed
    await f.chain.block({ txs: [f.tx(v.operator, stakingUnbond(2_000_000n))] });
    // e3: begun at 13, the offence's height (its votes came before this block's txs): slashed
    await f.chain.block({ txs: [f.tx(v.operator, stakingUnbond(3_000_000n))] });
    // e4: begun at 14, after the offence: the stake was bonded when it happened, so it pays too
    await f.chain.block({ txs: [f.tx(v.operator, stakingUnbond(1_000_000n))] });

    const slashed = await f.chain.block({ misbehavior: [doubleSign(v, 13)] }); // height 15
    // bonded 3_000_000 * 5% = 150_000; e3 3_000_000 * 5% = 150_000; e4 1_000_000 * 5% = 50_000
    const slash = slashed.events.filter((e) => e.type === "slash");
    expect(slash).toHaveLength(1);
    expect(attributes(slash[0])).toMatchObject({
      operator: v.operator.bech32,
      reason: "double_sign",
      infraction_height: "13",
      amount: "350000",
      bonded_amount: "150000",
      unbonding_amount: "200000",
      tombstoned: "true",
      jailed_until: "never",
    });
    expect(updatesOf(slashed.validatorUpdates)).toEqual([{ key: toHex(v.consensus.publicKey), power: 0 }]);
    const view = await f.chain.app.getValidator(v.operator.bech32);
    expect(view).toMatchObject({ status: "tombstoned", stake: "2850000", power: 0, tombstoned: true });
    expect(view.unbonding).toEqual([
      { amount: "2000000", creation_height: 12, completion_height: 22 },
      { amount: "2850000", creation_height: 13, completion_height: 23 },
      { amount: "950000", creation_height: 14, completion_height: 24 },
    ]);

    // ignored: the same validator again, an unknown key, evidence older than 10 blocks, the future
    const ignored = await f.chain.block({
      misbehavior: [doubleSign(v, 14), doubleSign(outsider, 15), doubleSign(w, 5), doubleSign(w, 17)],
    });
    expect(ignored.events.filter((e) => e.type === "slash")).toEqual([]);
    expect(ignored.validatorUpdates).toEqual([]);
    expect((await f.chain.app.getValidator(w.operator.bech32)).stake).toBe("10000000");

    // a tombstoned validator never comes back, and its consensus key stays taken
    const refused = await f.chain.block({
      txs: [
        f.tx(v.operator, stakingUnjail()),
        f.tx(v.operator, stakingAddStake(1_000_000n)),
        f.tx(outsider.operator, stakingCreateValidator(v.consensus.publicKey, 1_000_000n, "reuse")),
      ],
    });
    expect(codes(refused.txResults)).toEqual([
      "VALIDATOR_TOMBSTONED",
      "VALIDATOR_TOMBSTONED",
      // the outsider has no funds either, but the key check comes first
      "DUPLICATE_CONSENSUS_KEY",
    ]);

    // the slashed entries still pay out what is left of them, at their own heights
    await f.chain.advanceTo(21);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 1_000_000n);
    await f.chain.advanceTo(22);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 3_000_000n);
    await f.chain.advanceTo(23);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 5_850_000n);
    await f.chain.advanceTo(24);
    expect(await f.chain.balance(v.operator)).toBe(OPERATOR_FUNDS + 6_800_000n);
    expect((await f.chain.app.getValidators()).map((x) => x.operator)).not.toContain(v.operator.bech32);
  });
});

describe("downtime", () => {
  const slashing = {
    signed_blocks_window: 10,
    min_signed_per_window_bps: 5_000,
    slash_fraction_downtime_bps: 100,
    downtime_jail_blocks: 5,
  };

  it("jails and slashes after too many misses; unjail only after the jail period; it rejoins", async () => {
    expect(maxMissedBlocks(10, 5_000)).toBe(5);
    const f = await fixture({ slashing });
    const [a, b, c, d] = f.validators as [
      FixtureValidator,
      FixtureValidator,
      FixtureValidator,
      FixtureValidator,
    ];
    const keyD = toHex(d.consensus.publicKey);
    await f.chain.block(); // 1: no previous commit
    // 2..6: d misses 5 blocks, the most the window allows
    for (let h = 2; h <= 6; h++) {
      const r = await f.chain.block({ votes: f.votes([d]) });
      expect(r.events.filter((e) => e.type === "slash")).toEqual([]);
    }
    expect(await missedCount(f, d)).toBe(5);
    expect(await missedCount(f, a)).toBe(0);
    expect((await f.chain.app.getValidator(d.operator.bech32)).status).toBe("bonded");

    // 7: the sixth miss: 1% of 10_000_000 slashed, jailed until 7 + 5 = 12, out of the set
    const jailed = await f.chain.block({ votes: f.votes([d]) });
    expect(attributes(jailed.events.find((e) => e.type === "slash"))).toMatchObject({
      operator: d.operator.bech32,
      reason: "downtime",
      infraction_height: "6",
      amount: "100000",
      jailed_until: "12",
      tombstoned: "false",
    });
    expect(updatesOf(jailed.validatorUpdates)).toEqual([{ key: keyD, power: 0 }]);
    expect(await f.chain.app.getValidator(d.operator.bech32)).toMatchObject({
      status: "jailed",
      stake: "9900000",
      jailed_until: 12,
    });
    expect(await missedCount(f, d)).toBe(0);

    // consensus still lists d for two more blocks: its misses are not counted while jailed
    const early = await f.chain.block({ votes: f.votes([d]), txs: [f.tx(d.operator, stakingUnjail())] });
    expect(codes(early.txResults)).toEqual(["JAIL_PERIOD_NOT_OVER"]);
    expect(early.events.filter((e) => e.type === "slash")).toEqual([]);
    await f.chain.block({ votes: f.votes([d]) }); // 9
    const without = [a, b, c];
    await f.chain.advanceTo(10, { votes: f.votes([], without) });
    const stillEarly = await f.chain.block({
      votes: f.votes([], without),
      txs: [f.tx(d.operator, stakingUnjail())],
    });
    expect(f.chain.height).toBe(11);
    expect(codes(stillEarly.txResults)).toEqual(["JAIL_PERIOD_NOT_OVER"]);

    // 12: the jail is over; d comes back with power 9_900_000 / 1_000_000 = 9
    const back = await f.chain.block({
      votes: f.votes([], without),
      txs: [f.tx(d.operator, stakingUnjail())],
    });
    expect(codes(back.txResults)).toEqual(["OK"]);
    expect(updatesOf(back.validatorUpdates)).toEqual([{ key: keyD, power: 9 }]);
    expect(await f.chain.app.getValidator(d.operator.bech32)).toMatchObject({
      status: "bonded",
      power: 9,
      jailed: false,
      jailed_until: 0,
    });
    // and its window starts empty: one miss is just one
    await f.chain.block({ votes: f.votes([d]) });
    expect(await missedCount(f, d)).toBe(1);
  });

  it("misses older than the window are forgotten", async () => {
    const f = await fixture({ slashing });
    const c = f.validators[2]!;
    await f.chain.block();
    // 5 misses at 2..6, signed at 7..11, 5 misses again at 12..16: never more than 5 in any 10
    for (let h = 2; h <= 16; h++) {
      const r = await f.chain.block({ votes: f.votes(h <= 6 || h >= 12 ? [c] : []) });
      expect(r.events.filter((e) => e.type === "slash")).toEqual([]);
    }
    expect(await missedCount(f, c)).toBe(5);
    // the misses at 12..16 stay in the window of the last 10 blocks until 26
    for (let h = 17; h <= 25; h++) await f.chain.block({ votes: f.votes() });
    expect(await missedCount(f, c)).toBe(1);
    await f.chain.block({ votes: f.votes() });
    expect(await missedCount(f, c)).toBe(0);
    // a signer that never missed has no leaf at all
    const q = await f.chain.app.query({ path: `signing_info/0x${toHex(f.validators[0]!.consensusAddress)}` });
    expect(q.value).toBeUndefined();
    expect((await f.chain.app.query({ path: "signing_info/zz" })).codename).toBe("QUERY_INVALID_ARGUMENT");
  });
});

describe("genesis", () => {
  it("initChain refuses slashing and staking params out of range", async () => {
    for (const opts of [
      { slashing: { slash_fraction_double_sign_bps: 10_001 } },
      { slashing: { signed_blocks_window: 0 } },
      { slashing: { min_signed_per_window_bps: -1 } },
      { staking: { unbonding_blocks: -1 } },
      { staking: { min_self_stake: "20000000" } }, // above the genesis validators' stake
    ] as FixtureOptions[]) {
      await expect(startFixture(opts), JSON.stringify(opts)).rejects.toMatchObject({
        code: "GENESIS_INVALID",
      });
    }
  });
});

describe("determinism", () => {
  it("the same blocks on two stores give the same app hash and updates at every height", async () => {
    const opts: FixtureOptions = {
      staking: { unbonding_blocks: 4 },
      slashing: { signed_blocks_window: 4, min_signed_per_window_bps: 5_000, downtime_jail_blocks: 2 },
    };
    const newcomer = newValidatorKeys();
    opts.accounts = [{ account: newcomer.operator, balance: 100_000_000n }];
    const built = fixtureGenesis(opts);
    const chains = [await fixture(opts, built), await fixture(opts, built)];
    const [v0, v1, , v3] = built.validators as FixtureValidator[] as [
      FixtureValidator,
      FixtureValidator,
      FixtureValidator,
      FixtureValidator,
    ];
    const script = (f: Fixture) => [
      {
        txs: [f.tx(newcomer.operator, stakingCreateValidator(newcomer.consensus.publicKey, 5_000_000n, "n"))],
      },
      { txs: [f.tx(v0.operator, stakingAddStake(3_000_000n))], votes: f.votes() },
      { txs: [f.tx(v1.operator, stakingUnbond(2_000_000n))], votes: f.votes([v3]) },
      { votes: f.votes([v3]) },
      { votes: f.votes([v3]), misbehavior: [doubleSign(v1, 3)] },
      { votes: f.votes([v3]) },
      { votes: f.votes([]) },
      { txs: [f.tx(v3.operator, stakingUnjail())], votes: f.votes([]) },
      { votes: f.votes([]) },
    ];
    const [s0, s1] = chains.map(script) as [ReturnType<typeof script>, ReturnType<typeof script>];
    const seenEvents = new Set<string>();
    for (let i = 0; i < s0.length; i++) {
      const r0 = await chains[0]!.chain.block(s0[i]);
      const r1 = await chains[1]!.chain.block(s1[i]);
      expect(toHex(r1.appHash)).toBe(toHex(r0.appHash));
      expect(updatesOf(r1.validatorUpdates)).toEqual(updatesOf(r0.validatorUpdates));
      expect(r1.txResults.map((r) => r.code)).toEqual(r0.txResults.map((r) => r.code));
      for (const e of r0.events) seenEvents.add(e.type);
      for (const t of r0.txResults) expect(t.code).toBe(0);
    }
    // the script really exercised slashing, jailing and unbonding
    expect([...seenEvents].sort()).toEqual(["slash", "unbonding_complete"]);
    expect((await chains[0]!.chain.app.getValidator(v1.operator.bech32)).status).toBe("tombstoned");
    expect((await chains[0]!.chain.app.getValidator(v3.operator.bech32)).status).toBe("bonded");
  });
});
