// THE LINEAGE SCENARIO of issue 4, entirely through signed txs on a real chain: two datasets with
// license offers, a model M1 trained under licenses of both, a fine-tune M2 with parent M1, and a fee
// paid for M2. Every owner's gain is computed by hand below; the total is conserved to the base unit.
import { afterEach, describe, expect, it } from "vitest";
import { resultCodeInfo } from "../execution/errors.js";
import type { ModelView } from "../execution/modules/models/views.js";
import { startTestChain, type TestChain } from "../execution/test-chain.js";
import { newAccount, signedMsgs, type TestAccount, testGenesis } from "../execution/test-helpers.js";
import {
  ModelFormat,
  Msg,
  MsgAddLicenseOffer,
  MsgBuyLicense,
  MsgRegisterDataset,
  type TxResult,
} from "../proto/index.js";
import { modelsPayMsg, modelsRegisterMsg } from "../rpc/client/msgs-models.js";

const GAS = 300_000;
/** min_gas_price is 1: every tx below pays exactly this fee. */
const TX_FEE = BigInt(GAS);
const FUNDS = 100_000_000n;

const chains: TestChain[] = [];
afterEach(async () => {
  for (const c of chains.splice(0)) await c.close();
});

function codeNames(results: TxResult[]): string[] {
  return results.map((r) => resultCodeInfo(r.code ?? 0)?.name ?? `code ${r.code}`);
}

interface EventLike {
  attributes?: { key?: string | null; value?: string | null }[] | null;
}

function attrs(e: EventLike): Record<string, string> {
  return Object.fromEntries((e.attributes ?? []).map((a) => [a.key ?? "", a.value ?? ""]));
}

async function query<T>(chain: TestChain, path: string): Promise<T> {
  const answer = await chain.app.query({ path });
  if (answer.code !== 0) throw new Error(`${path}: ${answer.codename} ${answer.log}`);
  return JSON.parse(new TextDecoder().decode(answer.value)) as T;
}

const dataset = (name: string) =>
  Msg.create({
    dataRegister: MsgRegisterDataset.create({
      name,
      contentRoot: new Uint8Array(32).fill(name.length),
      sizeBytes: 1 << 30,
      locationUri: `s3://datasets/${name}`,
      format: "parquet",
    }),
  });

const offer = (datasetId: number, price: string, royaltyBps: number) =>
  Msg.create({
    dataAddOffer: MsgAddLicenseOffer.create({
      datasetId,
      price,
      durationBlocks: 0,
      commercialUse: true,
      trainingAllowed: true,
      royaltyBps,
      maxLicenses: 10,
    }),
  });

const buy = (datasetId: number) =>
  Msg.create({ dataBuyLicense: MsgBuyLicense.create({ datasetId, offerId: 1 }) });

const model = (version: string, over: Partial<Parameters<typeof modelsRegisterMsg>[0]>) =>
  modelsRegisterMsg({
    name: "kyo-llm",
    version,
    weightsHash: new Uint8Array(32).fill(version.length),
    sizeBytes: 7_000_000_000,
    format: ModelFormat.MODEL_FORMAT_GGUF,
    locationUri: `ipfs://kyo-llm-${version}`,
    cardHash: new Uint8Array(32).fill(0xcc),
    inferenceFee: 0n,
    ...over,
  });

describe("the lineage scenario (issue 4)", () => {
  it("a fee paid for fine-tune M2 reaches M2's owner, M1's owner and both dataset owners, exactly", async () => {
    const [ownerA, ownerB, ownerM1, ownerM2, payer, poor] = Array.from({ length: 6 }, () => newAccount());
    const people = { ownerA, ownerB, ownerM1, ownerM2, payer } as Record<string, TestAccount>;
    const { genesis, validators } = testGenesis([
      ...Object.values(people).map((account) => ({ account, balance: FUNDS })),
      { account: poor as TestAccount, balance: 2n * TX_FEE + 5n },
    ]);
    const operator = (validators[0] as (typeof validators)[number]).operator;
    const chain = await startTestChain(genesis);
    chains.push(chain);
    const nonces = new Map<string, number>();
    const tx = (from: TestAccount, ...messages: Msg[]) => {
      const nonce = nonces.get(from.bech32) ?? 0;
      nonces.set(from.bech32, nonce + 1);
      return signedMsgs(from, messages, { nonce, gasLimit: GAS, fee: TX_FEE });
    };
    const block = async (...txs: Uint8Array[]) => (await chain.block({ txs })).txResults;

    // Datasets A (id 1) and B (id 2), each with one offer: A takes 10% (1000 bps), B 5% (500 bps).
    expect(
      codeNames(await block(tx(ownerA!, dataset("corpus-a")), tx(ownerB!, dataset("corpus-b")))),
    ).toEqual(["OK", "OK"]);
    expect(
      codeNames(await block(tx(ownerA!, offer(1, "2000", 1000)), tx(ownerB!, offer(2, "700", 500)))),
    ).toEqual(["OK", "OK"]);
    // M1's owner buys licenses 1 (of A) and 2 (of B); M2's owner buys license 3 (of A) for its fine-tune.
    expect(codeNames(await block(tx(ownerM1!, buy(1), buy(2)), tx(ownerM2!, buy(1))))).toEqual(["OK", "OK"]);
    // M1 (id 1): trained under licenses 1 and 2; 20% of derived models' fees go to its lineage.
    const m1 = model("1.0", {
      licenseIds: [1, 2],
      inferenceFee: 50n,
      allowDerivatives: true,
      derivativeRoyaltyBps: 2000,
    });
    expect(codeNames(await block(tx(ownerM1!, m1)))).toEqual(["OK"]);
    // M2 (id 2): fine-tune of M1, also trained under license 3 (of A).
    const fee = 1_000_099n;
    const m2 = model("1.0-chat", { parentId: 1, licenseIds: [3], inferenceFee: fee });
    expect(codeNames(await block(tx(ownerM2!, m2)))).toEqual(["OK"]);

    const lineage = await query<{ lineage: { id: number; owner: string }[] }>(chain, "lineage/2");
    expect(lineage.lineage.map((m) => [m.id, m.owner])).toEqual([
      [2, ownerM2!.bech32],
      [1, ownerM1!.bech32],
    ]);

    // Refusals on the way, through the chain: each pays its tx fee and changes nothing else.
    const poorBefore = await chain.balance(poor!);
    const m1OwnerBefore = await chain.balance(ownerM1!);
    const refused = await block(
      tx(poor!, modelsPayMsg(2, fee)), // 5 base units left after the fee
      tx(payer!, modelsPayMsg(2, fee - 1n)), // the fee is above what the payer accepts
      tx(ownerM2!, model("stolen", { licenseIds: [1] })), // license 1 is ownerM1's
    );
    expect(codeNames(refused)).toEqual(["INSUFFICIENT_FUNDS", "FEE_ABOVE_MAX", "CITED_LICENSE_NOT_HELD"]);
    expect(await chain.balance(poor!)).toBe(poorBefore - TX_FEE);
    expect(await chain.balance(ownerM1!)).toBe(m1OwnerBefore);
    expect((await query<{ models: ModelView[] }>(chain, "models/")).models.map((m) => m.id)).toEqual([1, 2]);

    // The payment.
    const before = new Map<string, bigint>();
    const everyone = [...Object.values(people), operator];
    for (const p of everyone) before.set(p.bech32, await chain.balance(p));
    const paid = await block(tx(payer!, modelsPayMsg(2, fee)));
    expect(codeNames(paid)).toEqual(["OK"]);
    const gain = async (p: TestAccount) => (await chain.balance(p)) - (before.get(p.bech32) as bigint);

    // By hand, fee F = 1,000,099:
    //   M2 level (amount 1,000,099):
    //     license 3 (A, 10%): floor(1,000,099 * 1000 / 10000) = floor(100,009.9) = 100,009 -> ownerA
    //     parent M1 (20%):    floor(1,000,099 * 2000 / 10000) = floor(200,019.8) = 200,019 -> M1's lineage
    //     M2's owner: 1,000,099 - 100,009 - 200,019 = 700,071
    //   M1 level (amount 200,019):
    //     license 1 (A, 10%): floor(200,019 * 1000 / 10000) = floor(20,001.9) = 20,001 -> ownerA
    //     license 2 (B, 5%):  floor(200,019 *  500 / 10000) = floor(10,000.95) = 10,000 -> ownerB
    //     M1's owner: 200,019 - 20,001 - 10,000 = 170,018
    //   ownerA: 100,009 + 20,001 = 120,010; total 120,010 + 10,000 + 170,018 + 700,071 = 1,000,099
    expect(await gain(ownerA!)).toBe(120_010n);
    expect(await gain(ownerB!)).toBe(10_000n);
    expect(await gain(ownerM1!)).toBe(170_018n);
    expect(await gain(ownerM2!)).toBe(700_071n);
    expect(await gain(payer!)).toBe(-(1_000_099n + TX_FEE));
    // the tx fee went to the only validator's operator: nothing created, nothing lost
    expect(await gain(operator)).toBe(TX_FEE);
    let total = 0n;
    for (const p of everyone) total += await gain(p);
    expect(total).toBe(0n);

    const payments = (paid[0]?.events ?? []).filter((e) => e.type === "royalty_payment").map(attrs);
    expect(payments.map((p) => [p.model_id, p.reason, p.recipient, p.amount])).toEqual([
      ["2", "dataset", ownerA!.bech32, "100009"],
      ["1", "dataset", ownerA!.bech32, "20001"],
      ["1", "dataset", ownerB!.bech32, "10000"],
      ["1", "parent", ownerM1!.bech32, "170018"],
      ["2", "owner", ownerM2!.bech32, "700071"],
    ]);
  });
});
