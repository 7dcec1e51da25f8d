// Test fixture for the data module: a real chain on LevelDB with funded accounts, fee-free txs (so
// balances move only by license sales) and helpers that sign real txs and read the JSON queries.
import {
  Msg,
  MsgAddLicenseOffer,
  MsgBuyLicense,
  MsgRegisterDataset,
  MsgRetireLicenseOffer,
  MsgTransferDataset,
  type TxResult,
} from "../../../proto/index.js";
import { RESULT_CODES } from "../../errors.js";
import { startTestChain, type TestChain } from "../../test-chain.js";
import { newAccount, signedMsgs, type TestAccount, testGenesis } from "../../test-helpers.js";

/** The CLI's default gas limit: every data tx of these tests must fit in it. */
export const CLI_GAS = 100_000;

export interface DataFixture {
  chain: TestChain;
  accounts: TestAccount[];
  /** One block holding one tx of `messages` signed by `from` with its current nonce. */
  send(from: TestAccount, ...messages: Msg[]): Promise<TxResult>;
  /** One block holding every tx (each [signer, ...messages]); nonces counted within the block. */
  sendMany(txs: [TestAccount, ...Msg[]][]): Promise<TxResult[]>;
  /** Parsed JSON answer of a query, or throws with the query's code name. */
  query<T>(path: string): Promise<T>;
  /** The code name of a query that fails ("OK" if it succeeds). */
  queryCode(path: string): Promise<string>;
}

export function codeName(result: { code: number }): string {
  const entry = Object.entries(RESULT_CODES).find(([, info]) => info.code === result.code);
  return entry ? entry[0] : `unknown ${result.code}`;
}

export async function startDataFixture(balances: bigint[]): Promise<DataFixture> {
  const accounts = balances.map(() => newAccount());
  const { genesis } = testGenesis(
    accounts.map((account, i) => ({ account, balance: balances[i]! })),
    [1],
    { bank: { min_gas_price: "0" } },
  );
  const chain = await startTestChain(genesis);
  const sign = (from: TestAccount, nonce: number, messages: Msg[]) =>
    signedMsgs(from, messages, { nonce, fee: 0n, gasLimit: CLI_GAS });
  const fixture: DataFixture = {
    chain,
    accounts,
    async send(from, ...messages) {
      const result = await chain.block({ txs: [sign(from, await chain.nonce(from), messages)] });
      return result.txResults[0]!;
    },
    async sendMany(txs) {
      const nonces = new Map<string, number>();
      const encoded: Uint8Array[] = [];
      for (const [from, ...messages] of txs) {
        const nonce = nonces.get(from.bech32) ?? (await chain.nonce(from));
        nonces.set(from.bech32, nonce + 1);
        encoded.push(sign(from, nonce, messages));
      }
      return (await chain.block({ txs: encoded })).txResults;
    },
    async query<T>(path: string): Promise<T> {
      const r = await chain.app.query({ path });
      if (r.code !== 0) throw new Error(`query ${path} failed: ${codeName(r)} ${r.log ?? ""}`);
      return JSON.parse(new TextDecoder().decode(r.value)) as T;
    },
    async queryCode(path) {
      return codeName(await chain.app.query({ path }));
    },
  };
  return fixture;
}

/** A valid registration, with fields replaced by `overrides` (the root is any 32 bytes). */
export function registerMsg(name: string, overrides: Partial<MsgRegisterDataset> = {}): Msg {
  return Msg.create({
    dataRegister: MsgRegisterDataset.create({
      name,
      contentRoot: new Uint8Array(32).fill(7),
      sizeBytes: 1234,
      locationUri: `ipfs://bafy/${name}`,
      format: "parquet",
      descriptionHash: new Uint8Array(0),
      ...overrides,
    }),
  });
}

export interface Terms {
  price: string;
  durationBlocks: number;
  commercialUse: boolean;
  trainingAllowed: boolean;
  royaltyBps: number;
  maxLicenses: number;
}

export const DEFAULT_TERMS: Terms = {
  price: "1000",
  durationBlocks: 0,
  commercialUse: true,
  trainingAllowed: true,
  royaltyBps: 1000,
  maxLicenses: 0,
};

export function offerMsg(datasetId: number, terms: Partial<Terms> = {}): Msg {
  return Msg.create({ dataAddOffer: MsgAddLicenseOffer.create({ datasetId, ...DEFAULT_TERMS, ...terms }) });
}

export function retireMsg(datasetId: number, offerId: number): Msg {
  return Msg.create({ dataRetireOffer: MsgRetireLicenseOffer.create({ datasetId, offerId }) });
}

export function transferMsg(datasetId: number, newOwner: Uint8Array): Msg {
  return Msg.create({ dataTransfer: MsgTransferDataset.create({ datasetId, newOwner }) });
}

export function buyMsg(datasetId: number, offerId: number): Msg {
  return Msg.create({ dataBuyLicense: MsgBuyLicense.create({ datasetId, offerId }) });
}
