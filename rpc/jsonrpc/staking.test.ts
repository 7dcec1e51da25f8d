// staking_* (and the SDK's methods for them) against a real application on LevelDB: three genesis
// validators of powers 10, 20 and 30 with room for three in the active set, two created later
// with powers 5 and 4; the first unbonds part of its stake and is then slashed for double signing
// (tombstoned), which lets the 5 in. What each method
// answers, how the list filters by status and pages by operator, and the refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAddress, encodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import {
  doubleSign,
  type Fixture,
  type FixtureValidator,
  fixtureGenesis,
  newValidatorKeys,
  stakingCreateValidator,
  stakingUnbond,
  startFixture,
} from "../../execution/staking-fixture.js";
import { newAccount } from "../../execution/test-helpers.js";
import type { KyochiRpcClient } from "../client/client.js";
import { RpcClientError } from "../client/errors.js";
import { serveAppJsonRpc } from "../testing/app-backend.js";
import type { StakingValidatorJson } from "../types.js";
import type { JsonRpcServer } from "./server.js";

let f: Fixture;
/** The genesis validators, then the two created by txs. */
let validators: FixtureValidator[];
let server: JsonRpcServer;
let client: KyochiRpcClient;
/** The height before the double sign (the first validator still bonded). */
let beforeSlash = 0;

async function failure(promise: Promise<unknown>): Promise<{ code: string; rpcCode: number }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RpcClientError) return { code: err.kyochiCode, rpcCode: err.code };
    throw err;
  }
  throw new Error("expected the call to fail");
}

const byOperator = (a: { operator: string }, b: { operator: string }) =>
  Buffer.compare(decodeAddress(a.operator), decodeAddress(b.operator));

beforeAll(async () => {
  const created = [newValidatorKeys(), newValidatorKeys()];
  const opts = {
    powers: [10, 20, 30],
    staking: { max_validators: 3 },
    accounts: created.map((v) => ({ account: v.operator, balance: 100_000_000n })),
  };
  f = await startFixture(opts, fixtureGenesis(opts));
  validators = [...f.validators, ...created];
  const v0 = f.validators[0]!;
  await f.chain.block({
    txs: [
      f.tx(v0.operator, stakingUnbond(1_000_000n)),
      ...created.map((v, i) =>
        f.tx(
          v.operator,
          stakingCreateValidator(v.consensus.publicKey, BigInt(5 - i) * 1_000_000n, `new-${i}`),
        ),
      ),
    ],
  });
  await f.chain.advanceTo(3);
  beforeSlash = f.chain.height;
  await f.chain.block({ misbehavior: [doubleSign(v0, 2)] });
  await f.chain.block({});

  ({ server, client } = await serveAppJsonRpc(f.chain));
});

afterAll(async () => {
  await server?.close();
  await f?.chain.close();
});

describe("staking_getValidator", () => {
  it("answers a validator by operator and by consensus address, the same", async () => {
    const v = validators[1]!;
    const view = await client.getStakingValidator(v.operator.bech32);
    expect(view).toMatchObject({
      height: f.chain.height,
      operator: v.operator.bech32,
      consensusAddress: `0x${toHex(v.consensusAddress)}`,
      consensusPubkey: `0x${toHex(v.consensus.publicKey)}`,
      status: "bonded",
      stake: "20000000",
      power: 20,
      potentialPower: 20,
      jailed: false,
      tombstoned: false,
      unbonding: [],
    });
    expect(await client.getStakingValidator(`0x${toHex(v.consensusAddress)}`)).toEqual(view);
  });

  it("shows a tombstoned validator with its unbonding entry, and how it was at a past height", async () => {
    const v0 = f.validators[0]!;
    const now = await client.getStakingValidator(v0.operator.bech32);
    expect(now).toMatchObject({ status: "tombstoned", jailed: true, tombstoned: true, power: 0 });
    expect(now.unbonding).toHaveLength(1);
    expect(BigInt(now.unbonding[0]!.amount)).toBeLessThanOrEqual(1_000_000n);
    const then = await client.getStakingValidator(v0.operator.bech32, beforeSlash);
    expect(then).toMatchObject({ height: beforeSlash, status: "bonded", stake: "9000000", power: 9 });
  });

  it("refuses an unknown validator, a bad address and a future height", async () => {
    expect(await failure(client.getStakingValidator(newAccount().bech32))).toMatchObject({
      code: "UNKNOWN_VALIDATOR",
    });
    expect(await failure(client.getStakingValidator(`0x${"ab".repeat(20)}`))).toMatchObject({
      code: "UNKNOWN_VALIDATOR",
    });
    for (const bad of ["kyo1nothing", "0x1234", "0xzz"]) {
      expect(await failure(client.getStakingValidator(bad)), bad).toMatchObject({ code: "INVALID_PARAMS" });
    }
    const future = await failure(client.getStakingValidator(f.validators[1]!.operator.bech32, 10_000));
    expect(future.code).toBe("HEIGHT_NOT_AVAILABLE");
  });
});

describe("staking_listValidators", () => {
  it("lists every validator by operator address, with the status of each", async () => {
    const all = await client.listStakingValidators();
    expect(all).toMatchObject({ height: f.chain.height, total: 5, nextCursor: null });
    expect(all.validators).toEqual([...all.validators].sort(byOperator));
    const status = (v: { operator: { bech32: string } }) =>
      all.validators.find((x) => x.operator === v.operator.bech32)?.status;
    // 10 is tombstoned; of 20, 30, 5, 4 only the top three fit.
    expect(validators.map(status)).toEqual(["tombstoned", "bonded", "bonded", "bonded", "unbonded"]);
  });

  it("filters by status, with the total of the filtered list", async () => {
    const counts: Record<StakingValidatorJson["status"], number> = {
      bonded: 3,
      unbonded: 1,
      jailed: 0,
      tombstoned: 1,
    };
    for (const [status, n] of Object.entries(counts)) {
      const page = await client.listStakingValidators({ status: status as StakingValidatorJson["status"] });
      expect(page.total, status).toBe(n);
      expect(page.validators.map((v) => v.status)).toEqual(Array(n).fill(status));
    }
  });

  it("pages with a cursor that covers each validator once, in order", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await client.listStakingValidators({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.validators.length).toBeLessThanOrEqual(2);
      seen.push(...page.validators.map((v) => v.operator));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    const expected = validators
      .map((v) => ({ operator: v.operator.bech32 }))
      .sort(byOperator)
      .map((v) => v.operator);
    expect(seen).toEqual(expected);
    // A cursor needs not name a validator: the page starts after it in address order.
    const after = encodeAddress(new Uint8Array(20).fill(0xff));
    expect((await client.listStakingValidators({ cursor: after })).validators).toEqual([]);
  });

  it("refuses a bad status, cursor or limit", async () => {
    const bad: Record<string, unknown>[] = [
      { status: "happy" },
      { cursor: "kyo1nothing" },
      { cursor: 5 },
      { limit: 0 },
      { limit: 101 },
      { extra: 1 },
    ];
    for (const params of bad) {
      const e = await failure(client.call("staking_listValidators", params as never));
      expect(e.code, JSON.stringify(params)).toBe("INVALID_PARAMS");
    }
  });
});

describe("staking_getValidatorSet", () => {
  it("answers the active set staking decided: the top three, by operator, with their powers", async () => {
    const set = await client.getStakingValidatorSet();
    expect(set.height).toBe(f.chain.height);
    expect(set.validators).toEqual([...set.validators].sort(byOperator));
    const byPower = Object.fromEntries(set.validators.map((v) => [v.power, v]));
    expect(Object.keys(byPower).map(Number).sort()).toEqual([20, 30, 5]);
    const v = f.validators[2]!;
    expect(byPower[30]).toEqual({
      operator: v.operator.bech32,
      consensusPubkey: `0x${toHex(v.consensus.publicKey)}`,
      consensusKeyType: "ed25519",
      stake: "30000000",
      power: 30,
      moniker: expect.any(String),
    });
    // Before the slash the first validator (9 after its unbonding) was in it, instead of 5.
    const before = await client.getStakingValidatorSet(beforeSlash);
    expect(before.validators.map((x) => x.power).sort((a, b) => a - b)).toEqual([9, 20, 30]);
    expect((await failure(client.getStakingValidatorSet(10_000))).code).toBe("HEIGHT_NOT_AVAILABLE");
  });
});
