import { describe, expect, it } from "vitest";
import { newAccount } from "../../test-helpers.js";
import { attrs, refusal, registration, startModelsFixture } from "./models-fixture.js";
import { ALL_MODELS, findModelId, loadModel, modelsOfOwner, saveModel } from "./records.js";

const owner = newAccount().address;
const other = newAccount().address;

describe("MsgRegisterModel", () => {
  it("registers versions with ids 1, 2, ... citing licenses and a parent; lists and index find them", async () => {
    const f = startModelsFixture();
    const ds = await f.dataset(other);
    const lic = await f.license(owner, ds, { royaltyBps: 1000 });
    const events = await f.run(
      owner,
      "modelsRegister",
      registration({ licenseIds: [lic], inferenceFee: "500", derivativeRoyaltyBps: 2000 }),
    );
    expect(attrs(events[0])).toMatchObject({
      model_id: "1",
      name: "llama-mini",
      version: "1.0",
      parent_id: "0",
      depth: "0",
      license_ids: String(lic),
    });
    f.height = 11;
    await f.run(other, "modelsRegister", registration({ version: "1.1-ft", parentId: 1 }));
    const child = await loadModel(f.state, 2);
    expect(child).toMatchObject({
      id: 2,
      parentId: 1,
      depth: 1,
      createdHeight: 11,
      inferenceFee: "0",
      deprecated: false,
    });
    expect(Buffer.from(child?.owner ?? []).equals(Buffer.from(other))).toBe(true);
    const first = await loadModel(f.state, 1);
    expect(first).toMatchObject({
      inferenceFee: "500",
      licenseIds: [lic],
      derivativeRoyaltyBps: 2000,
      allowDerivatives: true,
    });
    expect(await findModelId(f.state, "llama-mini", "1.1-ft")).toBe(2);
    expect((await ALL_MODELS.page(f.state, 0, 10)).ids).toEqual([1, 2]);
    expect((await modelsOfOwner(owner).page(f.state, 0, 10)).ids).toEqual([1]);
    expect((await modelsOfOwner(other).page(f.state, 0, 10)).ids).toEqual([2]);
  });

  it("refuses malformed fields statelessly with INVALID_MODEL", async () => {
    const f = startModelsFixture();
    const bad = [
      { name: "" },
      { name: "a@b" },
      { name: "x".repeat(129) },
      { version: "v@1" },
      { version: "v".repeat(65) },
      { name: "tab\there" },
      { weightsHash: new Uint8Array(31) },
      { cardHash: new Uint8Array(0) },
      { sizeBytes: 0 },
      { format: 0 },
      { locationUri: "" },
      { locationUri: "u".repeat(513) },
      { derivativeRoyaltyBps: 10_001 },
      { licenseIds: [3, 3] },
      { licenseIds: [0] },
    ];
    for (const over of bad)
      await refusal(() => f.run(owner, "modelsRegister", registration(over)), "INVALID_MODEL");
    await refusal(
      () => f.run(owner, "modelsRegister", registration({ inferenceFee: "-1" })),
      "INVALID_AMOUNT",
    );
    // the bounds themselves are accepted
    await f.run(
      owner,
      "modelsRegister",
      registration({
        name: "n".repeat(128),
        version: "v".repeat(64),
        locationUri: "u".repeat(512),
        derivativeRoyaltyBps: 10_000,
      }),
    );
  });

  it("(name, version) is unique chain-wide: MODEL_EXISTS, whoever registers it", async () => {
    const f = startModelsFixture();
    await f.run(owner, "modelsRegister", registration());
    const before = f.snapshot();
    await refusal(
      () => f.run(other, "modelsRegister", registration({ weightsHash: new Uint8Array(32) })),
      "MODEL_EXISTS",
    );
    expect(f.snapshot()).toEqual(before);
    await f.run(other, "modelsRegister", registration({ version: "2.0" }));
  });

  describe("cited licenses: refusals leave the state unchanged", () => {
    async function setup() {
      const f = startModelsFixture();
      const ds = await f.dataset(other);
      return { f, ds };
    }

    it("an expired license: CITED_LICENSE_EXPIRED (valid through its last height, not after)", async () => {
      const { f, ds } = await setup();
      const lic = await f.license(owner, ds, { grantedHeight: 1, expiresHeight: 9 });
      const before = f.snapshot();
      const msg = await refusal(
        () => f.run(owner, "modelsRegister", registration({ licenseIds: [lic] })),
        "CITED_LICENSE_EXPIRED",
      );
      expect(msg).toContain("height 10");
      expect(f.snapshot()).toEqual(before);
      f.height = 9;
      await f.run(owner, "modelsRegister", registration({ licenseIds: [lic] }));
    });

    it("someone else's license: CITED_LICENSE_NOT_HELD", async () => {
      const { f, ds } = await setup();
      const lic = await f.license(other, ds);
      const before = f.snapshot();
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ licenseIds: [lic] })),
        "CITED_LICENSE_NOT_HELD",
      );
      expect(f.snapshot()).toEqual(before);
      expect(await ALL_MODELS.count(f.state)).toBe(0);
    });

    it("a license that forbids training: CITED_LICENSE_FORBIDS_TRAINING", async () => {
      const { f, ds } = await setup();
      const ok = await f.license(owner, ds);
      const lic = await f.license(owner, ds, { trainingAllowed: false });
      const before = f.snapshot();
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ licenseIds: [ok, lic] })),
        "CITED_LICENSE_FORBIDS_TRAINING",
      );
      expect(f.snapshot()).toEqual(before);
    });

    it("a non-commercial license under a priced model: CITED_LICENSE_NOT_COMMERCIAL; free is fine", async () => {
      const { f, ds } = await setup();
      const lic = await f.license(owner, ds, { commercialUse: false });
      const before = f.snapshot();
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ licenseIds: [lic], inferenceFee: "1" })),
        "CITED_LICENSE_NOT_COMMERCIAL",
      );
      expect(f.snapshot()).toEqual(before);
      await f.run(owner, "modelsRegister", registration({ licenseIds: [lic], inferenceFee: "0" }));
    });

    it("an unknown license: LICENSE_NOT_FOUND; more than max_licenses_per_model: TOO_MANY_LICENSES", async () => {
      const f = startModelsFixture({ max_lineage_depth: 8, max_licenses_per_model: 2 });
      const ds = await f.dataset(other);
      const ids = [await f.license(owner, ds), await f.license(owner, ds), await f.license(owner, ds)];
      const before = f.snapshot();
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ licenseIds: [ids[0] as number, 99] })),
        "LICENSE_NOT_FOUND",
      );
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ licenseIds: ids })),
        "TOO_MANY_LICENSES",
      );
      expect(f.snapshot()).toEqual(before);
      await f.run(owner, "modelsRegister", registration({ licenseIds: ids.slice(0, 2) }));
    });
  });

  describe("parent and lineage: refusals leave the state unchanged", () => {
    it("an unknown parent: MODEL_NOT_FOUND", async () => {
      const f = startModelsFixture();
      await f.run(owner, "modelsRegister", registration());
      const before = f.snapshot();
      const msg = await refusal(
        () => f.run(owner, "modelsRegister", registration({ version: "2", parentId: 7 })),
        "MODEL_NOT_FOUND",
      );
      expect(msg).toContain("parent model 7");
      expect(f.snapshot()).toEqual(before);
    });

    it("a deprecated parent: PARENT_DEPRECATED", async () => {
      const f = startModelsFixture();
      await f.run(owner, "modelsRegister", registration());
      await f.run(owner, "modelsDeprecate", { modelId: 1 });
      const before = f.snapshot();
      await refusal(
        () => f.run(other, "modelsRegister", registration({ version: "ft", parentId: 1 })),
        "PARENT_DEPRECATED",
      );
      expect(f.snapshot()).toEqual(before);
    });

    it("a parent that forbids derivatives: PARENT_FORBIDS_DERIVATIVES", async () => {
      const f = startModelsFixture();
      await f.run(owner, "modelsRegister", registration({ allowDerivatives: false }));
      const before = f.snapshot();
      await refusal(
        () => f.run(other, "modelsRegister", registration({ version: "ft", parentId: 1 })),
        "PARENT_FORBIDS_DERIVATIVES",
      );
      expect(f.snapshot()).toEqual(before);
    });

    it("deeper than max_lineage_depth: LINEAGE_TOO_DEEP", async () => {
      const f = startModelsFixture({ max_lineage_depth: 2, max_licenses_per_model: 4 });
      await f.run(owner, "modelsRegister", registration({ version: "0" }));
      await f.run(owner, "modelsRegister", registration({ version: "1", parentId: 1 }));
      await f.run(owner, "modelsRegister", registration({ version: "2", parentId: 2 }));
      expect((await loadModel(f.state, 3))?.depth).toBe(2);
      const before = f.snapshot();
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ version: "3", parentId: 3 })),
        "LINEAGE_TOO_DEEP",
      );
      expect(f.snapshot()).toEqual(before);
      // a sibling at an allowed depth is still fine
      await f.run(owner, "modelsRegister", registration({ version: "2b", parentId: 2 }));
    });

    it("a model naming itself as parent (the id it is about to get): LINEAGE_CYCLE, not 'unknown parent'", async () => {
      const f = startModelsFixture();
      await f.run(owner, "modelsRegister", registration({ version: "base" }));
      // the next id is 2: a registrant who predicts it and cites it as its own parent
      const before = f.snapshot();
      const msg = await refusal(
        () => f.run(owner, "modelsRegister", registration({ version: "self", parentId: 2 })),
        "LINEAGE_CYCLE",
      );
      expect(msg).toContain("its own parent");
      expect(f.snapshot()).toEqual(before);
      // and id 3 (not the next one) is merely unknown
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ version: "self", parentId: 3 })),
        "MODEL_NOT_FOUND",
      );
    });

    it("a parent chain that loops (corrupted state): LINEAGE_CYCLE instead of walking forever", async () => {
      const f = startModelsFixture();
      await f.run(owner, "modelsRegister", registration({ version: "a" }));
      await f.run(owner, "modelsRegister", registration({ version: "b", parentId: 1 }));
      // Corrupt the state by hand: model 1 now names model 2 as its parent (1 -> 2 -> 1 -> ...).
      const m1 = await loadModel(f.state, 1);
      if (!m1) throw new Error("model 1 missing");
      m1.parentId = 2;
      m1.depth = 0;
      saveModel(f.state, m1);
      const before = f.snapshot();
      const msg = await refusal(
        () => f.run(other, "modelsRegister", registration({ version: "c", parentId: 2 })),
        "LINEAGE_CYCLE",
      );
      expect(msg).toContain("comes back to model");
      expect(f.snapshot()).toEqual(before);
    });

    it("an ancestor with the name@version being registered (index lost): LINEAGE_CYCLE", async () => {
      const f = startModelsFixture();
      await f.run(owner, "modelsRegister", registration({ version: "a" }));
      // An ancestor stored without its name index entry: only the walk can see the repeat.
      const m1 = await loadModel(f.state, 1);
      if (!m1) throw new Error("model 1 missing");
      m1.version = "ghost";
      saveModel(f.state, m1);
      await f.run(owner, "modelsRegister", registration({ version: "b", parentId: 1 }));
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ version: "ghost", parentId: 2 })),
        "LINEAGE_CYCLE",
      );
    });

    it("royalty shares above 100% along the path to the parent: ROYALTY_SHARES_EXCEED_100; exactly 100% is fine", async () => {
      const f = startModelsFixture();
      const dsA = await f.dataset(other);
      const dsB = await f.dataset(other);
      await f.run(owner, "modelsRegister", registration({ version: "base", derivativeRoyaltyBps: 3000 }));
      const a = await f.license(owner, dsA, { royaltyBps: 4000 });
      const b = await f.license(owner, dsB, { royaltyBps: 3001 });
      const before = f.snapshot();
      const msg = await refusal(
        () =>
          f.run(owner, "modelsRegister", registration({ version: "ft", parentId: 1, licenseIds: [a, b] })),
        "ROYALTY_SHARES_EXCEED_100",
      );
      expect(msg).toContain("7001");
      expect(msg).toContain("3000");
      expect(f.snapshot()).toEqual(before);
      const b2 = await f.license(owner, dsB, { royaltyBps: 3000 });
      await f.run(owner, "modelsRegister", registration({ version: "ft", parentId: 1, licenseIds: [a, b2] }));
      // licenses alone above 100% (no parent)
      const c = await f.license(owner, dsA, { royaltyBps: 6001 });
      await refusal(
        () => f.run(owner, "modelsRegister", registration({ version: "x", licenseIds: [a, c] })),
        "ROYALTY_SHARES_EXCEED_100",
      );
    });
  });
});
