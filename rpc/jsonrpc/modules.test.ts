// data_* and model_* against a real application on LevelDB (the chain is built with signed txs):
// what they answer (the modules' JSON in camelCase, with the height), how lists page, and how a
// missing object, a bad param and a future height are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestChain, type TestChain } from "../../execution/test-chain.js";
import { newAccount, signedMsgs, type TestAccount, testGenesis } from "../../execution/test-helpers.js";
import { ModelFormat, type Msg } from "../../proto/index.js";
import type { KyochiRpcClient } from "../client/client.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../client/msgs-data.js";
import { govSubmitProposalMsg, govVoteMsg, proposalContent, VOTE_OPTIONS } from "../client/msgs-gov.js";
import { modelsRegisterMsg } from "../client/msgs-models.js";
import { serveAppJsonRpc } from "../testing/app-backend.js";
import type { JsonRpcServer } from "./server.js";

const GAS = 300_000;
let chain: TestChain;
let server: JsonRpcServer;
let client: KyochiRpcClient;
let alice: TestAccount;
let bob: TestAccount;

interface Reply {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data: { code: string; [k: string]: unknown } };
}

async function call(method: string, params?: unknown): Promise<Reply> {
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params !== undefined ? { params } : {}) }),
  });
  return (await res.json()) as Reply;
}

beforeAll(async () => {
  alice = newAccount();
  bob = newAccount();
  const { genesis, validators } = testGenesis([
    { account: alice, balance: 100_000_000n },
    { account: bob, balance: 100_000_000n },
  ]);
  // The validator's operator votes on governance proposals: give it funds for fees.
  const validatorOperator = (validators[0] as (typeof validators)[number]).operator;
  genesis.accounts.push({ address: validatorOperator.bech32, balance: "100000000" });
  chain = await startTestChain(genesis);
  const nonces = new Map<string, number>();
  const tx = (from: TestAccount, ...messages: Msg[]) => {
    const nonce = nonces.get(from.bech32) ?? 0;
    nonces.set(from.bech32, nonce + 1);
    return signedMsgs(from, messages, { nonce, gasLimit: GAS, fee: BigInt(GAS) });
  };
  const ok = async (...txs: Uint8Array[]) => {
    const { txResults } = await chain.block({ txs });
    expect(txResults.map((r) => r.log)).toEqual(txs.map(() => ""));
  };
  const datasetMsg = (name: string) =>
    dataRegisterMsg({
      name,
      contentRoot: new Uint8Array(32).fill(7),
      sizeBytes: 4096,
      locationUri: `s3://bucket/${name}`,
      format: "parquet",
    });
  await ok(tx(alice, datasetMsg("corpus-1"), datasetMsg("corpus-2"), datasetMsg("corpus-3")));
  await ok(
    tx(
      alice,
      dataAddOfferMsg(1, {
        price: 500n,
        durationBlocks: 0,
        commercialUse: true,
        trainingAllowed: true,
        royaltyBps: 1000,
        maxLicenses: 0,
      }),
    ),
  );
  await ok(tx(bob, dataBuyLicenseMsg(1, 1)));
  await ok(
    tx(
      bob,
      modelsRegisterMsg({
        name: "bob-llm",
        version: "1.0",
        weightsHash: new Uint8Array(32).fill(1),
        sizeBytes: 1_000_000,
        format: ModelFormat.MODEL_FORMAT_ONNX,
        locationUri: "ipfs://bob-llm",
        cardHash: new Uint8Array(32).fill(2),
        inferenceFee: 100n,
        licenseIds: [1],
      }),
    ),
  );

  await ok(
    tx(
      alice,
      govSubmitProposalMsg({
        title: "raise the lineage depth",
        summary: "deeper fine-tune chains",
        content: proposalContent.paramChange(
          [{ module: "models", key: "max_lineage_depth", value: 12 }],
          10_000,
        ),
        initialDeposit: BigInt(genesis.params.gov.min_deposit),
      }),
    ),
  );
  await ok(tx(validatorOperator, govVoteMsg(1, VOTE_OPTIONS.yes as number)));

  ({ server, client } = await serveAppJsonRpc(chain));
});

afterAll(async () => {
  await server?.close();
  await chain?.close();
});

describe("gov_*, chain_getParams and attestation_*", () => {
  it("serves a proposal in voting with its live tally, the votes and the list", async () => {
    const p = await client.getProposal(1);
    expect(p).toMatchObject({ id: 1, status: "voting_period", proposer: alice.bech32 });
    expect(JSON.stringify(p)).toContain("max_lineage_depth");
    const votes = await client.getVotes(1);
    expect((votes.votes as { option: string }[]).map((v) => v.option)).toEqual(["yes"]);
    const voting = await client.listProposals({ status: "voting_period" });
    expect((voting.proposals as { id: number }[]).map((x) => x.id)).toEqual([1]);
    expect((await client.listProposals({ status: "passed" })).proposals).toEqual([]);
    expect((await call("gov_getProposal", { id: 2 })).error?.data.code).toBe("GOV_PROPOSAL_NOT_FOUND");
  });

  it("serves every module's params, no upgrade plan, and empty attestation lists", async () => {
    const params = await client.getParams();
    expect(params).toMatchObject({ models: { maxLineageDepth: 8 }, gov: { votingBlocks: 300 } });
    expect(params).toHaveProperty("bank.minGasPrice", "1");
    expect(await client.getUpgradePlan()).toEqual({ height: chain.height, plan: null });
    expect((await client.getTrustedRoots()).trustedRoots).toEqual([]);
    expect((await client.getAllowedMeasurements("nvidia-cc")).allowedMeasurements).toEqual([]);
    expect(
      (await call("attestation_getAllowedMeasurements", { evidenceClass: "sgx" })).error?.data.code,
    ).toBe("INVALID_PARAMS");
  });
});

describe("data_* and model_*", () => {
  it("serves a dataset with its offers in camelCase, at the latest height", async () => {
    const d = await client.getDataset(1);
    expect(d.height).toBe(chain.height);
    expect(d).toMatchObject({ id: 1, owner: alice.bech32, name: "corpus-1", licenseCount: 1, offerCount: 1 });
    expect(d.offers).toEqual([
      expect.objectContaining({ offerId: 1, price: "500", royaltyBps: 1000, sold: 1 }),
    ]);
    // At height 1 the offer did not exist yet.
    expect((await client.getDataset(1, 1)).offers).toEqual([]);
  });

  it("pages datasets with a cursor that covers each once", async () => {
    const seen: unknown[] = [];
    let cursor: number | undefined;
    for (;;) {
      const page = await client.listDatasets({ limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      seen.push(...(page.datasets as { name: string }[]).map((d) => d.name));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor as number;
    }
    expect(seen).toEqual(["corpus-1", "corpus-2", "corpus-3"]);
    const bobs = await client.listDatasets({ owner: bob.bech32 });
    expect(bobs.datasets).toEqual([]);
  });

  it("serves licenses by id, by licensee and by dataset", async () => {
    expect(await client.getLicense(1)).toMatchObject({
      id: 1,
      licensee: bob.bech32,
      datasetId: 1,
      expiresHeight: 0,
    });
    const byLicensee = await client.listLicenses({ licensee: bob.bech32 });
    const byDataset = await client.listLicenses({ datasetId: 1 });
    expect((byLicensee.licenses as { id: number }[]).map((l) => l.id)).toEqual([1]);
    expect((byDataset.licenses as { id: number }[]).map((l) => l.id)).toEqual([1]);
  });

  it("finds a model by id and by name and version, with its lineage", async () => {
    const byId = await client.getModel(1);
    const byName = await client.getModel({ name: "bob-llm", version: "1.0" });
    expect(byName).toEqual(byId);
    expect(byId).toMatchObject({ owner: bob.bech32, format: "onnx", inferenceFee: "100", licenseIds: [1] });
    expect((await client.listModels({ owner: bob.bech32 })).models).toHaveLength(1);
    const lineage = await client.getModelLineage(1);
    expect((lineage.lineage as { id: number }[]).map((m) => m.id)).toEqual([1]);
  });

  it("answers a missing object with NOT_FOUND and the module's code", async () => {
    const reply = await call("data_getDataset", { id: 99 });
    expect(reply.error?.code).toBe(-32000);
    expect(reply.error?.data.code).toBe("DATASET_NOT_FOUND");
    expect((await call("model_get", { name: "nobody", version: "0" })).error?.data.code).toBe(
      "MODEL_NOT_FOUND",
    );
  });

  it("refuses bad params and heights that are not committed", async () => {
    const cases: [string, unknown, string][] = [
      ["data_getDataset", { id: "abc" }, "INVALID_PARAMS"],
      ["data_getDataset", { id: 0 }, "INVALID_PARAMS"],
      ["data_getDataset", {}, "INVALID_PARAMS"],
      ["data_listDatasets", { limit: 101 }, "INVALID_PARAMS"],
      ["data_listDatasets", { owner: "kyo1nope" }, "INVALID_PARAMS"],
      ["data_listLicenses", {}, "INVALID_PARAMS"],
      ["data_listLicenses", { licensee: bob.bech32, datasetId: 1 }, "INVALID_PARAMS"],
      ["model_get", { id: 1, name: "bob-llm" }, "INVALID_PARAMS"],
      ["model_list", { colour: "red" }, "INVALID_PARAMS"],
      ["data_getDataset", { id: 1, height: chain.height + 5 }, "HEIGHT_NOT_AVAILABLE"],
      ["data_getDataset", { id: 1, height: -1 }, "INVALID_PARAMS"],
    ];
    for (const [method, params, code] of cases) {
      const reply = await call(method, params);
      expect(reply.error?.data.code, `${method} ${JSON.stringify(params)}`).toBe(code);
    }
  });
});
