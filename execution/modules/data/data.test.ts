import { afterEach, describe, expect, it } from "vitest";
import { License, type Msg, type TxResult } from "../../../proto/index.js";
import { newAccount, type TestAccount } from "../../test-helpers.js";
import {
  buyMsg,
  codeName,
  type DataFixture,
  offerMsg,
  registerMsg,
  retireMsg,
  startDataFixture,
  transferMsg,
} from "./data-fixture.js";
import { licenseValidAt } from "./records.js";
import type { DatasetWithOffersView, LicenseView } from "./views.js";

const open: DataFixture[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.chain.close();
});

async function fixture(balances: bigint[]): Promise<DataFixture> {
  const f = await startDataFixture(balances);
  open.push(f);
  return f;
}

function attrs(result: TxResult, type: string): Record<string, string> {
  const event = result.events.find((e) => e.type === type);
  return Object.fromEntries((event?.attributes ?? []).map((a) => [a.key, a.value]));
}

describe("data module: the lifecycle of a dataset", () => {
  it("register, offers, buy, transfer, retire: balances, licenses, counts and events", async () => {
    const f = await fixture([1_000_000n, 50_000n, 0n]);
    const [alice, bob, carol] = f.accounts as [TestAccount, TestAccount, TestAccount];

    const reg = await f.send(
      alice,
      registerMsg("imagenet-mini", { descriptionHash: new Uint8Array(32).fill(0xab), sizeBytes: 4096 }),
    );
    expect(codeName(reg)).toBe("OK");
    expect(attrs(reg, "register_dataset")).toMatchObject({ dataset_id: "1", owner: alice.bech32 });
    const registered = await f.query<DatasetWithOffersView>("dataset/1");
    expect(registered).toEqual({
      id: 1,
      owner: alice.bech32,
      name: "imagenet-mini",
      content_root: `0x${"07".repeat(32)}`,
      size_bytes: 4096,
      location_uri: "ipfs://bafy/imagenet-mini",
      format: "parquet",
      description_hash: `0x${"ab".repeat(32)}`,
      created_height: 1,
      offer_count: 0,
      license_count: 0,
      offers: [],
    });

    // offer 1: 1000 per license, 10 blocks, at most 2; offer 2: free, perpetual, no training
    const offers = await f.send(
      alice,
      offerMsg(1, { price: "1000", durationBlocks: 10, maxLicenses: 2, royaltyBps: 1000 }),
      offerMsg(1, { price: "0", trainingAllowed: false, commercialUse: false, royaltyBps: 0 }),
    );
    expect(codeName(offers)).toBe("OK");
    expect(offers.events.filter((e) => e.type === "add_license_offer")).toHaveLength(2);

    const buy = await f.send(bob, buyMsg(1, 1));
    expect(codeName(buy)).toBe("OK");
    const boughtAt = f.chain.height;
    expect(await f.chain.balance(bob)).toBe(49_000n);
    expect(await f.chain.balance(alice)).toBe(1_001_000n);
    expect(attrs(buy, "buy_license")).toEqual({
      license_id: "1",
      dataset_id: "1",
      offer_id: "1",
      licensee: bob.bech32,
      owner: alice.bech32,
      price: "1000",
      expires_height: String(boughtAt + 9),
    });
    const license = await f.query<LicenseView>("license/1");
    expect(license).toEqual({
      id: 1,
      licensee: bob.bech32,
      dataset_id: 1,
      offer_id: 1,
      price: "1000",
      duration_blocks: 10,
      commercial_use: true,
      training_allowed: true,
      royalty_bps: 1000,
      granted_height: boughtAt,
      expires_height: boughtAt + 9,
    });
    // valid for exactly 10 blocks: boughtAt .. boughtAt+9
    const stored = License.create({ grantedHeight: boughtAt, expiresHeight: license.expires_height });
    expect(licenseValidAt(stored, boughtAt + 9)).toBe(true);
    expect(licenseValidAt(stored, boughtAt + 10)).toBe(false);

    // the free perpetual offer: no payment, expires_height 0
    expect(codeName(await f.send(bob, buyMsg(1, 2)))).toBe("OK");
    expect(await f.chain.balance(bob)).toBe(49_000n);
    expect(await f.query<LicenseView>("license/2")).toMatchObject({
      expires_height: 0,
      training_allowed: false,
    });

    // transfer to carol: later sales pay carol; the licenses bob holds stay his
    const transfer = await f.send(alice, transferMsg(1, carol.address));
    expect(codeName(transfer)).toBe("OK");
    expect(attrs(transfer, "transfer_dataset")).toEqual({
      dataset_id: "1",
      from: alice.bech32,
      to: carol.bech32,
    });
    expect(codeName(await f.send(bob, buyMsg(1, 1)))).toBe("OK");
    expect(await f.chain.balance(carol)).toBe(1000n);
    expect(await f.chain.balance(alice)).toBe(1_001_000n);
    // alice no longer owns it: she cannot add offers; carol can
    expect(codeName(await f.send(alice, offerMsg(1)))).toBe("NOT_DATASET_OWNER");
    expect(codeName(await f.send(carol, retireMsg(1, 2)))).toBe("OK");

    const after = await f.query<DatasetWithOffersView>("dataset/1");
    expect(after.owner).toBe(carol.bech32);
    expect(after.license_count).toBe(3);
    expect(after.offer_count).toBe(2);
    expect(after.offers.map((o) => [o.offer_id, o.sold, o.retired])).toEqual([
      [1, 2, false],
      [2, 1, true],
    ]);
    const held = await f.query<{ licenses: LicenseView[]; next_cursor: number | null }>(
      `licenses/licensee=${bob.bech32}`,
    );
    expect(held.licenses.map((l) => l.id)).toEqual([1, 2, 3]);
    expect(held.next_cursor).toBeNull();
    const sold = await f.query<{ licenses: LicenseView[] }>("licenses/dataset=1");
    expect(sold.licenses.map((l) => [l.id, l.licensee])).toEqual([
      [1, bob.bech32],
      [2, bob.bech32],
      [3, bob.bech32],
    ]);
    expect((await f.query<{ datasets: unknown[] }>(`datasets/owner=${carol.bech32}`)).datasets).toHaveLength(
      1,
    );
    expect((await f.query<{ datasets: unknown[] }>(`datasets/owner=${alice.bech32}`)).datasets).toHaveLength(
      0,
    );
  });

  it("an owner may buy its own offer: it pays itself, nothing moves, it holds a license", async () => {
    const f = await fixture([5_000n]);
    const alice = f.accounts[0]!;
    await f.send(alice, registerMsg("own"), offerMsg(1, { price: "3000" }));
    expect(codeName(await f.send(alice, buyMsg(1, 1)))).toBe("OK");
    expect(await f.chain.balance(alice)).toBe(5_000n);
    expect(await f.query<LicenseView>("license/1")).toMatchObject({ licensee: alice.bech32, price: "3000" });
    // like a bank send to oneself, it still needs the balance
    await f.send(alice, offerMsg(1, { price: "9000" }));
    expect(codeName(await f.send(alice, buyMsg(1, 2)))).toBe("INSUFFICIENT_FUNDS");
  });

  it("queries refuse malformed arguments and name unknown ids", async () => {
    const f = await fixture([1n]);
    expect(await f.queryCode("dataset/1")).toBe("DATASET_NOT_FOUND");
    expect(await f.queryCode("dataset/0")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("dataset/01")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("license/7")).toBe("LICENSE_NOT_FOUND");
    expect(await f.queryCode("licenses/")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode(`licenses/dataset=1&licensee=${f.accounts[0]!.bech32}`)).toBe(
      "QUERY_INVALID_ARGUMENT",
    );
    expect(await f.queryCode("licenses/licensee=kyo1nope")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("datasets/limit=0")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("datasets/color=red")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.query("datasets/")).toEqual({ datasets: [], next_cursor: null });
  });
});

describe("data module: refusals change nothing", () => {
  /** Everything a refusal could touch: the data queries and every balance. */
  async function snapshot(f: DataFixture): Promise<string> {
    const parts: unknown[] = [];
    for (const a of f.accounts) {
      parts.push(await f.chain.balance(a));
      parts.push(await f.query(`licenses/licensee=${a.bech32}`));
      parts.push(await f.query(`datasets/owner=${a.bech32}`));
    }
    parts.push(await f.query("datasets/"));
    for (const id of [1, 2]) {
      parts.push(await f.queryCode(`dataset/${id}`));
      if ((await f.queryCode(`dataset/${id}`)) === "OK") {
        parts.push(await f.query(`dataset/${id}`));
        parts.push(await f.query(`licenses/dataset=${id}`));
      }
    }
    return JSON.stringify(parts, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
  }

  it("bad registration fields are refused before execution", async () => {
    const f = await fixture([1000n]);
    const alice = f.accounts[0]!;
    const bad: [string, Parameters<typeof registerMsg>[1]][] = [
      ["", {}],
      ["x".repeat(129), {}],
      ["é".repeat(65), {}], // 130 UTF-8 bytes
      ["tab\tname", {}],
      ["ok", { contentRoot: new Uint8Array(31) }],
      ["ok", { sizeBytes: 0 }],
      ["ok", { locationUri: "" }],
      ["ok", { locationUri: `s3://${"a".repeat(508)}` }],
      ["ok", { format: "" }],
      ["ok", { format: "f".repeat(65) }],
      ["ok", { descriptionHash: new Uint8Array(5) }],
    ];
    const before = await snapshot(f);
    for (const [name, overrides] of bad) {
      const result = await f.send(alice, registerMsg(name, overrides));
      expect(codeName(result), `${name.slice(0, 10)} ${JSON.stringify(Object.keys(overrides ?? {}))}`).toBe(
        "INVALID_DATASET",
      );
    }
    expect(await snapshot(f)).toBe(before);
    // the bounds themselves are accepted
    const edge = await f.send(
      alice,
      registerMsg("x".repeat(128), { locationUri: "u".repeat(512), format: "f".repeat(64) }),
    );
    expect(codeName(edge)).toBe("OK");
  });

  it("each refusal of offers, transfers and purchases", async () => {
    const f = await fixture([1_000_000n, 1_500n, 999n]);
    const [alice, bob, poor] = f.accounts as [TestAccount, TestAccount, TestAccount];
    expect(
      codeName(
        await f.send(
          alice,
          registerMsg("d1"),
          offerMsg(1, { price: "1000", maxLicenses: 1 }),
          offerMsg(1, { price: "1000" }),
          offerMsg(1, { price: "5" }),
          offerMsg(1, { price: "5" }),
        ),
      ),
    ).toBe("OK");
    expect(codeName(await f.send(alice, retireMsg(1, 3)))).toBe("OK");
    expect(codeName(await f.send(bob, buyMsg(1, 1)))).toBe("OK"); // offer 1 is now sold out

    const before = await snapshot(f);
    const refusals: [string, TxResult][] = [
      ["OFFER_SOLD_OUT", await f.send(alice, buyMsg(1, 1))],
      ["INSUFFICIENT_FUNDS", await f.send(poor, buyMsg(1, 2))],
      ["OFFER_RETIRED", await f.send(bob, buyMsg(1, 3))],
      ["OFFER_RETIRED", await f.send(alice, retireMsg(1, 3))],
      ["OFFER_NOT_FOUND", await f.send(bob, buyMsg(1, 5))],
      ["OFFER_NOT_FOUND", await f.send(alice, retireMsg(1, 9))],
      ["DATASET_NOT_FOUND", await f.send(bob, buyMsg(2, 1))],
      ["DATASET_NOT_FOUND", await f.send(alice, offerMsg(2))],
      ["NOT_DATASET_OWNER", await f.send(bob, offerMsg(1))],
      ["NOT_DATASET_OWNER", await f.send(bob, retireMsg(1, 2))],
      ["NOT_DATASET_OWNER", await f.send(bob, transferMsg(1, bob.address))],
      ["DATASET_TRANSFER_TO_SELF", await f.send(alice, transferMsg(1, alice.address))],
      ["INVALID_ADDRESS", await f.send(alice, transferMsg(1, new Uint8Array(19)))],
      ["INVALID_OFFER", await f.send(alice, offerMsg(1, { royaltyBps: 10_001 }))],
      ["INVALID_OFFER", await f.send(alice, offerMsg(1, { durationBlocks: 2 ** 40 + 1 }))],
      ["INVALID_AMOUNT", await f.send(alice, offerMsg(1, { price: "" }))],
      ["INVALID_AMOUNT", await f.send(alice, offerMsg(1, { price: "01" }))],
      ["INVALID_AMOUNT", await f.send(alice, offerMsg(1, { price: (1n << 128n).toString() }))],
      // a tx whose later message fails keeps nothing of its earlier ones
      ["OFFER_SOLD_OUT", await f.send(alice, registerMsg("d2"), offerMsg(2), buyMsg(1, 1))],
      ["INSUFFICIENT_FUNDS", await f.send(poor, buyMsg(1, 4), buyMsg(1, 2))],
    ];
    expect(refusals.map(([, r]) => codeName(r))).toEqual(refusals.map(([code]) => code));
    for (const [, r] of refusals) expect(r.log).not.toBe("");
    expect(await snapshot(f)).toBe(before);
    // poor's 999 could not buy a 1000 license, and its 5-unit purchase in the failed tx was undone
    expect(codeName(await f.send(poor, buyMsg(1, 4)))).toBe("OK");
    expect(await f.chain.balance(poor)).toBe(994n);
  });

  it("at most 64 offers per dataset, retired ones included", async () => {
    const f = await fixture([10n]);
    const alice = f.accounts[0]!;
    await f.send(alice, registerMsg("many"));
    const batch = (n: number) => Array.from({ length: n }, () => offerMsg(1, { price: "0" }));
    const results = await f.sendMany([
      [alice, ...batch(4)],
      ...Array.from({ length: 15 }, (): [TestAccount, ...Msg[]] => [alice, ...batch(4)]),
    ]);
    expect(results.map(codeName).every((c) => c === "OK")).toBe(true);
    expect((await f.query<DatasetWithOffersView>("dataset/1")).offers).toHaveLength(64);
    expect(codeName(await f.send(alice, retireMsg(1, 64)))).toBe("OK");
    expect(codeName(await f.send(alice, offerMsg(1)))).toBe("TOO_MANY_OFFERS");
    expect((await f.query<DatasetWithOffersView>("dataset/1")).offer_count).toBe(64);
  });

  it("an unlimited offer keeps selling; a transfer to a fresh address works", async () => {
    const f = await fixture([10_000n, 10_000n]);
    const [alice, bob] = f.accounts as [TestAccount, TestAccount];
    await f.send(alice, registerMsg("open"), offerMsg(1, { price: "10", maxLicenses: 0 }));
    const results = await f.sendMany(
      Array.from({ length: 5 }, (): [TestAccount, Msg] => [bob, buyMsg(1, 1)]),
    );
    expect(results.map(codeName)).toEqual(["OK", "OK", "OK", "OK", "OK"]);
    expect(await f.chain.balance(bob)).toBe(9_950n);
    const stranger = newAccount();
    expect(codeName(await f.send(alice, transferMsg(1, stranger.address)))).toBe("OK");
    expect((await f.query<DatasetWithOffersView>("dataset/1")).owner).toBe(stranger.bech32);
  });
});
