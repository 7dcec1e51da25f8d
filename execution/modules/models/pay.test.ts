import { describe, expect, it } from "vitest";
import { newAccount } from "../../test-helpers.js";
import { loadDataset, saveDataset } from "../data/records.js";
import { attrs, refusal, registration, startModelsFixture } from "./models-fixture.js";
import { MODELS_PARAM_SPACE } from "./params.js";

const dataOwner = newAccount();
const modelOwner = newAccount();
const payer = newAccount();

async function pricedModel(fee: string, royaltyBps = 1000) {
  const f = startModelsFixture();
  const ds = await f.dataset(dataOwner.address);
  const lic = await f.license(modelOwner.address, ds, { royaltyBps });
  await f.run(modelOwner.address, "modelsRegister", registration({ licenseIds: [lic], inferenceFee: fee }));
  return { f, ds, lic };
}

describe("MsgPayModel", () => {
  it("debits the fee and pays the dataset owner its share and the model owner the rest", async () => {
    const { f, ds, lic } = await pricedModel("1005");
    f.fund(payer.address, 2000n);
    const events = await f.run(payer.address, "modelsPay", { modelId: 1, maxFee: "1005" });
    expect(await f.balance(payer.address)).toBe(995n);
    // floor(1005 * 1000 / 10000) = 100; the owner gets 1005 - 100 = 905
    expect(await f.balance(dataOwner.address)).toBe(100n);
    expect(await f.balance(modelOwner.address)).toBe(905n);
    expect(events.map((e) => e.type)).toEqual(["pay_model", "royalty_payment", "royalty_payment"]);
    expect(attrs(events[1])).toEqual({
      model_id: "1",
      recipient: dataOwner.bech32,
      amount: "100",
      reason: "dataset",
      depth: "0",
      paid_model_id: "1",
      license_id: String(lic),
      dataset_id: String(ds),
    });
    expect(attrs(events[2])).toMatchObject({ recipient: modelOwner.bech32, amount: "905", reason: "owner" });
  });

  it("pays the CURRENT owners: after a dataset and a model change hands", async () => {
    const { f, ds } = await pricedModel("100");
    const newDataOwner = newAccount();
    const newModelOwner = newAccount();
    const dataset = await loadDataset(f.state, ds);
    if (!dataset) throw new Error("dataset missing");
    dataset.owner = newDataOwner.address;
    saveDataset(f.state, dataset);
    await f.run(modelOwner.address, "modelsTransfer", { modelId: 1, newOwner: newModelOwner.address });
    f.fund(payer.address, 100n);
    await f.run(payer.address, "modelsPay", { modelId: 1, maxFee: "1000" });
    expect(await f.balance(newDataOwner.address)).toBe(10n);
    expect(await f.balance(newModelOwner.address)).toBe(90n);
    expect(await f.balance(dataOwner.address)).toBe(0n);
    expect(await f.balance(modelOwner.address)).toBe(0n);
  });

  it("refusals leave balances and state unchanged", async () => {
    const { f } = await pricedModel("1000");
    f.fund(payer.address, 999n);
    const before = f.snapshot();
    await refusal(
      () => f.run(payer.address, "modelsPay", { modelId: 1, maxFee: "1000" }),
      "INSUFFICIENT_FUNDS",
    );
    await refusal(() => f.run(payer.address, "modelsPay", { modelId: 1, maxFee: "999" }), "FEE_ABOVE_MAX");
    await refusal(() => f.run(payer.address, "modelsPay", { modelId: 9, maxFee: "1000" }), "MODEL_NOT_FOUND");
    await refusal(() => f.run(payer.address, "modelsPay", { modelId: 1, maxFee: "" }), "INVALID_AMOUNT");
    expect(f.snapshot()).toEqual(before);
    expect(await f.balance(payer.address)).toBe(999n);
    expect(await f.balance(modelOwner.address)).toBe(0n);
    // a free model has nothing to pay; a deprecated one takes no payments
    await f.run(modelOwner.address, "modelsRegister", registration({ version: "free" }));
    await refusal(() => f.run(payer.address, "modelsPay", { modelId: 2, maxFee: "10" }), "MODEL_NOT_PRICED");
    await f.run(modelOwner.address, "modelsDeprecate", { modelId: 1 });
    f.fund(payer.address, 5000n);
    await refusal(
      () => f.run(payer.address, "modelsPay", { modelId: 1, maxFee: "1000" }),
      "MODEL_DEPRECATED",
    );
    expect(await f.balance(payer.address)).toBe(5000n);
  });

  it("settlement stops at models.max_lineage_depth: a lowered bound leaves the share one level down", async () => {
    const f = startModelsFixture();
    const [root, mid, leaf] = [newAccount(), newAccount(), newAccount()];
    await f.run(
      root.address,
      "modelsRegister",
      registration({ version: "root", derivativeRoyaltyBps: 5000 }),
    );
    await f.run(
      mid.address,
      "modelsRegister",
      registration({ version: "mid", parentId: 1, derivativeRoyaltyBps: 5000 }),
    );
    await f.run(
      leaf.address,
      "modelsRegister",
      registration({ version: "leaf", parentId: 2, inferenceFee: "101" }),
    );
    f.fund(payer.address, 1000n);
    await f.run(payer.address, "modelsPay", { modelId: 3, maxFee: "101" });
    // leaf: floor(101 * 5000 / 10000) = 50 to mid's lineage, 51 stays; mid: floor(50 / 2) = 25 to root, 25 stays
    expect([
      await f.balance(leaf.address),
      await f.balance(mid.address),
      await f.balance(root.address),
    ]).toEqual([51n, 25n, 25n]);

    // governance lowers the bound to 1 ancestor: mid is still paid, root no longer
    await MODELS_PARAM_SPACE.store(f.state, { max_lineage_depth: 1, max_licenses_per_model: 16 });
    const events = await f.run(payer.address, "modelsPay", { modelId: 3, maxFee: "101" });
    expect([
      await f.balance(leaf.address),
      await f.balance(mid.address),
      await f.balance(root.address),
    ]).toEqual([102n, 75n, 25n]);
    expect(events.filter((e) => e.type === "royalty_payment").map((e) => attrs(e))).toEqual([
      expect.objectContaining({
        model_id: "2",
        recipient: mid.bech32,
        amount: "50",
        reason: "parent",
        depth: "1",
      }),
      expect.objectContaining({
        model_id: "3",
        recipient: leaf.bech32,
        amount: "51",
        reason: "owner",
        depth: "0",
      }),
    ]);
  });
});
