import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Dataset, type Event, License, ModelFormat, ModelVersion } from "../../../proto/index.js";
import { MAX_AMOUNT } from "../../amount.js";
import { newAccount, type TestAccount } from "../../test-helpers.js";
import { saveDataset, saveLicense } from "../data/records.js";
import { attrs, startModelsFixture } from "./models-fixture.js";
import { saveModel } from "./records.js";
import { settleModelFee } from "./royalties.js";

const PEOPLE: TestAccount[] = Array.from({ length: 4 }, () => newAccount());

interface Level {
  owner: number;
  /** This model's derivative_royalty_bps (what its child owes it). */
  derivativeBps: number;
  licenses: { bps: number; datasetOwner: number }[];
}

/** Levels root first; level i+1's parent is level i. Shares at every level fit in 10000 bps. */
const lineageArb = fc
  .array(
    fc.record({
      owner: fc.nat(3),
      derivativeBps: fc.nat(10_000),
      licenses: fc.array(fc.record({ bps: fc.nat(10_000), datasetOwner: fc.nat(3) }), { maxLength: 3 }),
      fill: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((raw) => {
    const levels: Level[] = raw.map((r) => ({
      owner: r.owner,
      derivativeBps: r.derivativeBps,
      licenses: r.licenses,
    }));
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i] as Level;
      const parentBps = i > 0 ? (levels[i - 1] as Level).derivativeBps : 0;
      const room = 10_000 - parentBps;
      const sum = level.licenses.reduce((s, l) => s + l.bps, 0);
      // scale the licenses down into the room the parent's share leaves
      if (sum > room) for (const l of level.licenses) l.bps = Math.floor((l.bps * room) / sum);
      // sometimes take exactly all of it (the owner's remainder is then 0)
      const last = level.licenses[level.licenses.length - 1];
      if (raw[i]?.fill && last) last.bps += room - level.licenses.reduce((s, l) => s + l.bps, 0);
    }
    return levels;
  });

/** The rule written out independently: recipient index -> total owed. */
function expectedTotals(levels: Level[], amount: bigint, maxDepth: number): Map<number, bigint> {
  const totals = new Map<number, bigint>();
  const add = (who: number, a: bigint) => totals.set(who, (totals.get(who) ?? 0n) + a);
  let index = levels.length - 1;
  let a = amount;
  for (let depth = 0; ; depth++) {
    const level = levels[index] as Level;
    let rest = a;
    for (const l of level.licenses) {
      const share = (a * BigInt(l.bps)) / 10_000n;
      add(l.datasetOwner, share);
      rest -= share;
    }
    if (index > 0 && depth < maxDepth) {
      const share = (a * BigInt((levels[index - 1] as Level).derivativeBps)) / 10_000n;
      add(level.owner, rest - share);
      a = share;
      index--;
    } else {
      add(level.owner, rest);
      return totals;
    }
  }
}

async function buildLineage(levels: Level[]) {
  const f = startModelsFixture();
  let licenseId = 0;
  for (const [i, level] of levels.entries()) {
    const licenseIds: number[] = [];
    for (const l of level.licenses) {
      licenseId++;
      saveDataset(
        f.state,
        Dataset.create({
          id: licenseId,
          owner: PEOPLE[l.datasetOwner]?.address,
          name: `d${licenseId}`,
          contentRoot: new Uint8Array(32),
          sizeBytes: 1,
          locationUri: "x",
          format: "csv",
        }),
      );
      saveLicense(
        f.state,
        License.create({
          id: licenseId,
          licensee: PEOPLE[level.owner]?.address,
          datasetId: licenseId,
          offerId: 1,
          price: "0",
          trainingAllowed: true,
          commercialUse: true,
          royaltyBps: l.bps,
          grantedHeight: 1,
        }),
      );
      licenseIds.push(licenseId);
    }
    saveModel(
      f.state,
      ModelVersion.create({
        id: i + 1,
        name: "m",
        version: String(i),
        owner: PEOPLE[level.owner]?.address,
        weightsHash: new Uint8Array(32),
        sizeBytes: 1,
        format: ModelFormat.MODEL_FORMAT_GGUF,
        locationUri: "x",
        cardHash: new Uint8Array(32),
        inferenceFee: "1",
        parentId: i,
        licenseIds,
        allowDerivatives: true,
        derivativeRoyaltyBps: level.derivativeBps,
        depth: i,
      }),
    );
  }
  return f;
}

describe("settleModelFee", () => {
  it("conserves every amount up to 2^128-1 over random lineages, and follows the floor rule exactly", async () => {
    await fc.assert(
      fc.asyncProperty(
        lineageArb,
        fc.oneof(
          fc.bigInt({ min: 0n, max: MAX_AMOUNT }),
          fc.bigInt({ min: 0n, max: 100_000n }),
          fc.constant(MAX_AMOUNT),
        ),
        fc.nat(8),
        async (levels, amount, maxDepth) => {
          const f = await buildLineage(levels);
          const events: Event[] = [];
          const payouts = await settleModelFee(f.state, levels.length, amount, maxDepth, events);
          expect(payouts.reduce((s, p) => s + p.amount, 0n)).toBe(amount);
          for (const p of payouts) {
            expect(p.amount > 0n).toBe(true);
            expect(p.depth).toBeLessThanOrEqual(Math.min(maxDepth, levels.length - 1));
          }
          expect(events).toHaveLength(payouts.length);
          expect(events.every((e) => e.type === "royalty_payment")).toBe(true);
          // balances: exactly what the independent rule owes each person (zero shares aside)
          const owed = expectedTotals(levels, amount, maxDepth);
          for (const [i, person] of PEOPLE.entries())
            expect(await f.balance(person.address)).toBe(owed.get(i) ?? 0n);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps payments to one account through different legs separate (one event each)", async () => {
    const [d, parentOwner, childOwner] = [0, 1, 2];
    const f = await buildLineage([
      { owner: parentOwner, derivativeBps: 3000, licenses: [{ bps: 1000, datasetOwner: d }] },
      { owner: childOwner, derivativeBps: 0, licenses: [{ bps: 500, datasetOwner: d }] },
    ]);
    const events: Event[] = [];
    const payouts = await settleModelFee(f.state, 2, 10_000n, 8, events);
    // child: 500 to d, 3000 to the parent's lineage, 6500 stays; parent (3000): 300 to d, 2700 to its owner
    expect(payouts.map((p) => [p.modelId, p.reason, p.amount])).toEqual([
      [2, "dataset", 500n],
      [1, "dataset", 300n],
      [1, "parent", 2700n],
      [2, "owner", 6500n],
    ]);
    expect(events.map((e) => attrs(e).recipient)).toEqual(
      [PEOPLE[d], PEOPLE[d], PEOPLE[parentOwner], PEOPLE[childOwner]].map((p) => p?.bech32),
    );
    expect(await f.balance(PEOPLE[d]?.address as Uint8Array)).toBe(800n);
  });

  it("refuses an unknown model, an amount above 2^128-1 and a state whose shares exceed the amount", async () => {
    const f = await buildLineage([
      { owner: 0, derivativeBps: 0, licenses: [{ bps: 6000, datasetOwner: 1 }] },
    ]);
    await expect(settleModelFee(f.state, 9, 1n, 8, [])).rejects.toMatchObject({ code: "MODEL_NOT_FOUND" });
    await expect(settleModelFee(f.state, 1, MAX_AMOUNT + 1n, 8, [])).rejects.toMatchObject({
      code: "AMOUNT_OVERFLOW",
    });
    // a second 6000 bps license written past registration's check: refused, never minted
    saveLicense(
      f.state,
      License.create({
        id: 2,
        licensee: PEOPLE[0]?.address,
        datasetId: 1,
        offerId: 1,
        price: "0",
        royaltyBps: 6000,
        grantedHeight: 1,
      }),
    );
    saveModel(
      f.state,
      ModelVersion.create({
        id: 1,
        name: "m",
        version: "0",
        owner: PEOPLE[0]?.address,
        inferenceFee: "1",
        licenseIds: [1, 2],
        format: ModelFormat.MODEL_FORMAT_GGUF,
      }),
    );
    await expect(settleModelFee(f.state, 1, 100n, 8, [])).rejects.toMatchObject({ code: "INTERNAL" });
  });
});
