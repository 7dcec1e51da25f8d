import { describe, expect, it } from "vitest";
import type { KvReader } from "../../store.js";
import { newAccount } from "../../test-helpers.js";
import { refusal, registration, startModelsFixture } from "./models-fixture.js";
import { queryLineage, queryModel, queryModels } from "./queries.js";
import type { ModelView } from "./views.js";

const alice = newAccount();
const bob = newAccount();

async function read<T>(answer: Promise<{ value?: Uint8Array }>): Promise<T> {
  return JSON.parse(new TextDecoder().decode((await answer).value)) as T;
}

interface Page {
  models: ModelView[];
  next_cursor: number | null;
}

async function pageIds(reader: KvReader, arg: string): Promise<[number[], number | null]> {
  const page = await read<Page>(queryModels(reader, arg));
  return [page.models.map((m) => m.id), page.next_cursor];
}

describe("models queries", () => {
  it("model/<id> and model/<name>@<version> answer the same view; unknown and malformed are refused", async () => {
    const f = startModelsFixture();
    await f.run(
      alice.address,
      "modelsRegister",
      registration({ name: "whisper", version: "v3", inferenceFee: "42" }),
    );
    const byId = await read<ModelView>(queryModel(f.state, "1"));
    expect(byId).toEqual({
      id: 1,
      name: "whisper",
      version: "v3",
      owner: alice.bech32,
      weights_hash: `0x${"07".repeat(32)}`,
      size_bytes: 4096,
      format: "safetensors",
      location_uri: "ipfs://weights",
      card_hash: `0x${"09".repeat(32)}`,
      inference_fee: "42",
      parent_id: null,
      license_ids: [],
      allow_derivatives: true,
      derivative_royalty_bps: 0,
      deprecated: false,
      created_height: 10,
      depth: 0,
    });
    expect(await read<ModelView>(queryModel(f.state, "whisper@v3"))).toEqual(byId);
    await refusal(() => queryModel(f.state, "2"), "MODEL_NOT_FOUND");
    await refusal(() => queryModel(f.state, "whisper@v4"), "MODEL_NOT_FOUND");
    for (const bad of ["", "0", "01", "x", "@v3", "whisper@", "a@b@c"]) {
      await refusal(() => queryModel(f.state, bad), "QUERY_INVALID_ARGUMENT");
    }
  });

  it("models/ pages with stable cursors across appends and transfers; owner= filters", async () => {
    const f = startModelsFixture();
    for (let i = 1; i <= 5; i++) {
      await f.run(
        i % 2 ? alice.address : bob.address,
        "modelsRegister",
        registration({ version: String(i) }),
      );
    }
    expect(await pageIds(f.state, "limit=2")).toEqual([[1, 2], 2]);
    // things change between pages: a new model is appended, alice's model 3 goes to bob
    await f.run(bob.address, "modelsRegister", registration({ version: "6" }));
    await f.run(alice.address, "modelsTransfer", { modelId: 3, newOwner: bob.address });
    expect(await pageIds(f.state, "limit=2&cursor=2")).toEqual([[3, 4], 4]);
    expect(await pageIds(f.state, "limit=2&cursor=4")).toEqual([[5, 6], null]);
    expect(await pageIds(f.state, "")).toEqual([[1, 2, 3, 4, 5, 6], null]);

    // alice's list: 1, (3 moved away: a hole), 5 -- no repeat, no skip
    expect(await pageIds(f.state, `owner=${alice.bech32}&limit=1`)).toEqual([[1], 1]);
    expect(await pageIds(f.state, `owner=${alice.bech32}&limit=1&cursor=1`)).toEqual([[5], null]);
    // bob's: 2, 4, 6, then 3 appended when it arrived
    expect(await pageIds(f.state, `owner=${bob.bech32}`)).toEqual([[2, 4, 6, 3], null]);
    expect(await pageIds(f.state, `owner=${newAccount().bech32}`)).toEqual([[], null]);
    for (const bad of ["limit=0", "limit=101", "cursor=-1", "owner=kyo1nope", "color=red"]) {
      await refusal(() => queryModels(f.state, bad), "QUERY_INVALID_ARGUMENT");
    }
  });

  it("lineage/<id> lists the model then its ancestors with owners, shares and cited licenses", async () => {
    const f = startModelsFixture();
    const ds = await f.dataset(bob.address);
    const lic = await f.license(alice.address, ds, { royaltyBps: 750, expiresHeight: 500 });
    await f.run(
      alice.address,
      "modelsRegister",
      registration({ version: "base", licenseIds: [lic], derivativeRoyaltyBps: 2000 }),
    );
    await f.run(bob.address, "modelsRegister", registration({ version: "ft", parentId: 1 }));
    const answer = await read<{ model_id: number; lineage: Record<string, unknown>[] }>(
      queryLineage(f.state, "2"),
    );
    expect(answer.model_id).toBe(2);
    expect(answer.lineage).toEqual([
      expect.objectContaining({
        id: 2,
        version: "ft",
        owner: bob.bech32,
        depth: 1,
        parent_id: 1,
        licenses: [],
      }),
      expect.objectContaining({
        id: 1,
        version: "base",
        owner: alice.bech32,
        depth: 0,
        parent_id: null,
        derivative_royalty_bps: 2000,
        licenses: [
          {
            license_id: lic,
            dataset_id: ds,
            dataset_owner: bob.bech32,
            licensee: alice.bech32,
            royalty_bps: 750,
            commercial_use: true,
            training_allowed: true,
            expires_height: 500,
          },
        ],
      }),
    ]);
    await refusal(() => queryLineage(f.state, "3"), "MODEL_NOT_FOUND");
    await refusal(() => queryLineage(f.state, "two"), "QUERY_INVALID_ARGUMENT");
  });
});
