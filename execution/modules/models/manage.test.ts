import { describe, expect, it } from "vitest";
import { newAccount } from "../../test-helpers.js";
import { attrs, refusal, registration, startModelsFixture } from "./models-fixture.js";
import { loadModel, modelsOfOwner } from "./records.js";

const owner = newAccount();
const buyer = newAccount();

describe("deprecate, transfer and set-fee", () => {
  it("deprecate: only the owner, only once; the model stays listed and queryable", async () => {
    const f = startModelsFixture();
    await f.run(owner.address, "modelsRegister", registration());
    const before = f.snapshot();
    await refusal(() => f.run(buyer.address, "modelsDeprecate", { modelId: 1 }), "NOT_MODEL_OWNER");
    await refusal(() => f.run(owner.address, "modelsDeprecate", { modelId: 2 }), "MODEL_NOT_FOUND");
    expect(f.snapshot()).toEqual(before);
    const events = await f.run(owner.address, "modelsDeprecate", { modelId: 1 });
    expect(events.map((e) => e.type)).toEqual(["deprecate_model"]);
    expect((await loadModel(f.state, 1))?.deprecated).toBe(true);
    const after = f.snapshot();
    await refusal(() => f.run(owner.address, "modelsDeprecate", { modelId: 1 }), "MODEL_DEPRECATED");
    expect(f.snapshot()).toEqual(after);
    expect((await modelsOfOwner(owner.address).page(f.state, 0, 10)).ids).toEqual([1]);
  });

  it("transfer moves the model between the owners' lists and the rights with it", async () => {
    const f = startModelsFixture();
    await f.run(owner.address, "modelsRegister", registration({ version: "a" }));
    await f.run(owner.address, "modelsRegister", registration({ version: "b" }));
    const before = f.snapshot();
    await refusal(
      () => f.run(buyer.address, "modelsTransfer", { modelId: 1, newOwner: buyer.address }),
      "NOT_MODEL_OWNER",
    );
    await refusal(
      () => f.run(owner.address, "modelsTransfer", { modelId: 1, newOwner: owner.address }),
      "MODEL_TRANSFER_TO_SELF",
    );
    await refusal(
      () => f.run(owner.address, "modelsTransfer", { modelId: 1, newOwner: new Uint8Array(19) }),
      "INVALID_ADDRESS",
    );
    expect(f.snapshot()).toEqual(before);
    const events = await f.run(owner.address, "modelsTransfer", { modelId: 1, newOwner: buyer.address });
    expect(attrs(events[0])).toEqual({ model_id: "1", from: owner.bech32, to: buyer.bech32 });
    expect((await modelsOfOwner(owner.address).page(f.state, 0, 10)).ids).toEqual([2]);
    expect((await modelsOfOwner(buyer.address).page(f.state, 0, 10)).ids).toEqual([1]);
    // the old owner lost the rights, the new one has them
    await refusal(
      () => f.run(owner.address, "modelsSetFee", { modelId: 1, inferenceFee: "5" }),
      "NOT_MODEL_OWNER",
    );
    await f.run(buyer.address, "modelsSetFee", { modelId: 1, inferenceFee: "5" });
    expect((await loadModel(f.state, 1))?.inferenceFee).toBe("5");
  });

  it("set-fee: from 0 to a price needs commercial licenses; a deprecated model's fee is frozen", async () => {
    const f = startModelsFixture();
    const ds = await f.dataset(buyer.address);
    const research = await f.license(owner.address, ds, { commercialUse: false });
    const commercial = await f.license(owner.address, ds, { commercialUse: true });
    await f.run(
      owner.address,
      "modelsRegister",
      registration({ version: "research", licenseIds: [research] }),
    );
    await f.run(
      owner.address,
      "modelsRegister",
      registration({ version: "commercial", licenseIds: [commercial] }),
    );
    const before = f.snapshot();
    await refusal(
      () => f.run(owner.address, "modelsSetFee", { modelId: 1, inferenceFee: "10" }),
      "CITED_LICENSE_NOT_COMMERCIAL",
    );
    expect(f.snapshot()).toEqual(before);
    const events = await f.run(owner.address, "modelsSetFee", { modelId: 2, inferenceFee: "10" });
    expect(attrs(events[0])).toMatchObject({ model_id: "2", previous_fee: "0", inference_fee: "10" });
    await f.run(owner.address, "modelsSetFee", { modelId: 2, inferenceFee: "0" });
    expect((await loadModel(f.state, 2))?.inferenceFee).toBe("0");
    await f.run(owner.address, "modelsDeprecate", { modelId: 2 });
    const frozen = f.snapshot();
    await refusal(
      () => f.run(owner.address, "modelsSetFee", { modelId: 2, inferenceFee: "3" }),
      "MODEL_DEPRECATED",
    );
    await refusal(
      () => f.run(owner.address, "modelsSetFee", { modelId: 2, inferenceFee: "01" }),
      "INVALID_AMOUNT",
    );
    expect(f.snapshot()).toEqual(frozen);
  });
});
