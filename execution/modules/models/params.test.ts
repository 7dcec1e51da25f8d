import { describe, expect, it } from "vitest";
import { ModelsParams } from "../../../proto/index.js";
import { DEFAULT_GENESIS_PARAMS } from "../../genesis-types.js";
import { startTestChain } from "../../test-chain.js";
import { newAccount, testGenesis } from "../../test-helpers.js";
import { modelsModule } from "./index.js";
import { refusal, startModelsFixture } from "./models-fixture.js";
import { loadModelsParams, MODELS_PARAM_SPACE } from "./params.js";

describe("models params", () => {
  it("genesis stores params.models; the ParamSpace reads them back as genesis spells them", async () => {
    const { genesis } = testGenesis([{ account: newAccount(), balance: 1n }], [1], {
      models: { max_lineage_depth: 3, max_licenses_per_model: 5 },
    });
    const chain = await startTestChain(genesis);
    try {
      await chain.block();
      // the leaf at [0x07, 0x01], read through the app's proof query
      const answer = await chain.app.query({ path: "proof/0701" });
      expect(answer.code).toBe(0);
      const stored = ModelsParams.decode(answer.value as Uint8Array);
      expect([stored.maxLineageDepth, stored.maxLicensesPerModel]).toEqual([3, 5]);
      expect(modelsModule.paramSpaces?.map((s) => s.name)).toEqual(["models"]);
    } finally {
      await chain.close();
    }
    const f = startModelsFixture({ max_lineage_depth: 3, max_licenses_per_model: 5 });
    expect(await MODELS_PARAM_SPACE.load(f.state)).toEqual({
      max_lineage_depth: 3,
      max_licenses_per_model: 5,
    });
  });

  it("genesis refuses out-of-range models params with GENESIS_INVALID naming the field", async () => {
    for (const [models, field] of [
      [{ max_lineage_depth: 0, max_licenses_per_model: 4 }, "max_lineage_depth"],
      [{ max_lineage_depth: 65, max_licenses_per_model: 4 }, "max_lineage_depth"],
      [{ max_lineage_depth: 2, max_licenses_per_model: 257 }, "max_licenses_per_model"],
      [{ max_lineage_depth: 2, max_licenses_per_model: 1.5 }, "max_licenses_per_model"],
    ] as const) {
      const { genesis } = testGenesis([], [1], { models: { ...DEFAULT_GENESIS_PARAMS.models, ...models } });
      await expect(startTestChain(genesis)).rejects.toMatchObject({
        code: "GENESIS_INVALID",
        message: expect.stringContaining(`params.models.${field}`),
      });
    }
  });

  it("a governance change is checked like genesis (MODELS_PARAM_INVALID) and takes effect when stored", async () => {
    const f = startModelsFixture();
    const before = f.snapshot();
    await refusal(
      () => MODELS_PARAM_SPACE.store(f.state, { max_lineage_depth: 0, max_licenses_per_model: 4 }),
      "MODELS_PARAM_INVALID",
    );
    await refusal(() => MODELS_PARAM_SPACE.store(f.state, { max_lineage_depth: 4 }), "MODELS_PARAM_INVALID");
    await refusal(
      () => MODELS_PARAM_SPACE.store(f.state, { max_lineage_depth: "4", max_licenses_per_model: 4 }),
      "MODELS_PARAM_INVALID",
    );
    await refusal(
      () => MODELS_PARAM_SPACE.store(f.state, { max_lineage_depth: 4, max_licenses_per_model: 4, extra: 1 }),
      "MODELS_PARAM_INVALID",
    );
    expect(f.snapshot()).toEqual(before);
    await MODELS_PARAM_SPACE.store(f.state, { max_lineage_depth: 64, max_licenses_per_model: 0 });
    expect(await loadModelsParams(f.state)).toEqual({ maxLineageDepth: 64, maxLicensesPerModel: 0 });
  });
});
