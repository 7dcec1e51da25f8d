import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encodeAddress } from "../crypto/address.js";
import { fromHex, sha256, toHex } from "../crypto/hash.js";
import { verifySignature } from "../crypto/keys.js";
import { type VerifyBatchOptions, type VerifyItem, VerifyPool } from "../crypto/verify-pool.js";
import { Account, KeyType, type TxResult } from "../proto/index.js";
import { BlockStore } from "../state/block-store.js";
import { KyochiDb, WriteBatch } from "../state/db.js";
import { openStateTree, verifyProof } from "../state/tree/index.js";
import { TxIndex } from "../state/tx-index.js";
import { MAX_AMOUNT } from "./amount.js";
import { KyochiApp } from "./app.js";
import { ExecutionError, RESULT_CODES, type ResultCodeName } from "./errors.js";
import type { GenesisAppState } from "./genesis-types.js";
import { accountKey } from "./modules/accounts/index.js";
import { putRequestedBlock } from "./stored-block.js";
import {
  newAccount,
  signBody,
  signedTransfer,
  TEST_CHAIN_ID,
  type TestAccount,
  testGenesis,
  transferBody,
} from "./test-helpers.js";
import type { BatchVerifier } from "./tx/verify.js";

interface Chain {
  app: KyochiApp;
  db: KyochiDb;
  dir: string;
  txIndex: TxIndex;
  blockStore: BlockStore;
  height: number;
  /**
   * finalize + commit + write one block; returns the tx results and the app hash. With `process`,
   * processProposal accepts the block first (finalize then reuses its decoded txs).
   */
  block(
    txs: Uint8Array[],
    proposer?: Uint8Array,
    process?: boolean,
  ): Promise<{ results: TxResult[]; appHash: Uint8Array }>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

const open: Chain[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

async function startChain(
  genesis: GenesisAppState,
  opts: { verifyPool?: BatchVerifier; init?: boolean; keepRecentVersions?: number } = {},
): Promise<Chain> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-exec-app-"));
  const make = async (db: KyochiDb) => {
    const tree = await openStateTree(db);
    const blockStore = await BlockStore.open(db);
    const txIndex = new TxIndex(db, blockStore);
    const app = await KyochiApp.create({
      db,
      tree,
      blockStore,
      txIndex,
      chainId: TEST_CHAIN_ID,
      ...(opts.verifyPool ? { verifyPool: opts.verifyPool } : {}),
      params: { keepRecentVersions: opts.keepRecentVersions ?? 0 },
    });
    return { app, blockStore, txIndex };
  };
  const db = await KyochiDb.open(dir);
  const parts = await make(db);
  const chain: Chain = {
    ...parts,
    db,
    dir,
    height: 0,
    async block(txs, proposer = new Uint8Array(20), process = false) {
      chain.height++;
      const ctx = {
        height: chain.height,
        timeMs: 1_700_000_000_000 + chain.height * 1000,
        proposerAddress: proposer,
        lastBlockHash: new Uint8Array(32),
        lastCommit: { round: 0, votes: [] },
        misbehavior: [],
        blockHash: new Uint8Array(32).fill(chain.height & 0xff),
        txs,
      };
      if (process && !(await chain.app.processProposal(ctx))) throw new Error("proposal rejected");
      const res = await chain.app.finalizeBlock(ctx);
      const batch = new WriteBatch();
      putRequestedBlock(chain.blockStore, batch, TEST_CHAIN_ID, ctx);
      await chain.app.commit(batch);
      await chain.db.write(batch, true);
      return { results: res.txResults, appHash: res.appHash };
    },
    async reopen() {
      await chain.db.close();
      chain.db = await KyochiDb.open(dir);
      Object.assign(chain, await make(chain.db));
    },
    async close() {
      await chain.db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(chain);
  if (opts.init !== false) await chain.app.initChain(genesis);
  return chain;
}

async function balance(chain: Chain, who: TestAccount | Uint8Array): Promise<bigint> {
  const address = who instanceof Uint8Array ? who : who.address;
  return BigInt((await chain.app.getAccount(address)).balance);
}

async function nonce(chain: Chain, who: TestAccount): Promise<number> {
  return (await chain.app.getAccount(who.address)).nonce;
}

function codeName(result: TxResult): string {
  const entry = Object.entries(RESULT_CODES).find(([, info]) => info.code === result.code);
  return entry ? entry[0] : `unknown ${result.code}`;
}

const GAS = 50_000;
const FEE = 50_000n; // min_gas_price 1 * gas limit

describe("KyochiApp transfers", () => {
  it("moves the amount, charges the fee and pays it to the validator, and records everything", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis, validators } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis);
    const operator = validators[0]!.operator;
    const genesisHash = (await chain.app.info()).lastAppHash;

    const tx = signedTransfer(alice, { to: bob.address, amount: 1234n, nonce: 0 });
    const check = await chain.app.checkTx(tx, "new");
    expect(check.code).toBe(0);
    expect(check.sender).toBe(toHex(alice.address));
    expect(check.priority).toBe(1n);

    const { results, appHash } = await chain.block([tx]);
    expect(results[0]!.code).toBe(0);
    expect(results[0]!.gasUsed).toBeGreaterThan(0);
    expect(results[0]!.gasUsed).toBeLessThanOrEqual(GAS);
    expect(await balance(chain, alice)).toBe(1_000_000n - 1234n - FEE);
    expect(await balance(chain, bob)).toBe(1234n);
    expect(await balance(chain, operator)).toBe(FEE);
    expect(await nonce(chain, alice)).toBe(1);
    expect(appHash).not.toEqual(genesisHash);
    expect((await chain.app.info()).lastAppHash).toEqual(appHash);

    const transfer = results[0]!.events.find((e) => e.type === "transfer");
    expect(transfer?.attributes).toEqual([
      expect.objectContaining({ key: "sender", value: alice.bech32 }),
      expect.objectContaining({ key: "recipient", value: bob.bech32 }),
      expect.objectContaining({ key: "amount", value: "1234" }),
    ]);
    const record = await chain.txIndex.get(check.hash);
    expect(record?.height).toBe(1);
    expect(record?.index).toBe(0);
    expect(record?.result?.code).toBe(0);
    expect(Buffer.from(record!.tx)).toEqual(Buffer.from(tx));
    const stored = await chain.blockStore.getBlockResults(1);
    expect(stored?.txResults).toHaveLength(1);
    expect(Buffer.from(stored!.appHash)).toEqual(Buffer.from(appHash));
    expect(stored?.finalizeEvents.map((e) => e.type)).toEqual(["fee_reward"]);
  });

  it("applies a sender's consecutive nonces in one block, and a self-send only costs the fee", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis);
    const txs = [0, 1, 2].map((n) => signedTransfer(alice, { to: bob.address, amount: 10n, nonce: n }));
    txs.push(signedTransfer(alice, { to: alice.address, amount: 500n, nonce: 3 }));
    const { results } = await chain.block(txs);
    expect(results.map(codeName)).toEqual(["OK", "OK", "OK", "OK"]);
    expect(await balance(chain, bob)).toBe(30n);
    expect(await balance(chain, alice)).toBe(1_000_000n - 30n - 4n * FEE);
    expect(await nonce(chain, alice)).toBe(4);
  });
});

describe("bad input gets its code and changes no state", () => {
  async function setup() {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([
      { account: alice, balance: 1_000_000n },
      { account: bob, balance: 10n },
    ]);
    genesis.params.tx.max_tx_bytes = 400;
    const chain = await startChain(genesis);
    // one successful tx so a replay exists
    const first = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0 });
    await chain.block([first]);
    return { chain, alice, bob, first };
  }

  it("in checkTx and in a finalized block", async () => {
    const { chain, alice, bob, first } = await setup();
    const body = transferBody({ to: bob.address, amount: 5n, nonce: 1 });
    const good = signBody(alice.key, body);
    const badSig = Uint8Array.from(good);
    badSig[badSig.length - 1]! ^= 1;
    const cases: [string, Uint8Array, ResultCodeName, ResultCodeName?][] = [
      ["truncated protobuf", good.subarray(0, good.length - 3), "TX_MALFORMED"],
      ["garbage", Uint8Array.of(0x0a, 0xff, 0x01), "TX_MALFORMED"],
      ["duplicated field", Uint8Array.from([...good, 0x18, 0x01]), "TX_NON_CANONICAL"],
      [
        "explicit default in the signed body",
        signBody(alice.key, Uint8Array.from([...body, 0x32, 0x00])),
        "TX_NON_CANONICAL",
      ],
      ["bad signature", badSig, "TX_BAD_SIGNATURE"],
      [
        "wrong chain id",
        signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 1, chainId: "other" }),
        "TX_WRONG_CHAIN_ID",
      ],
      ["replayed tx", first, "TX_NONCE_TOO_LOW"],
      [
        "nonce gap too large",
        signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 1 + 17 }),
        "TX_NONCE_GAP_TOO_LARGE",
        "TX_NONCE_TOO_HIGH",
      ],
      [
        "fee below minimum",
        signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 1, fee: FEE - 1n }),
        "TX_FEE_TOO_LOW",
      ],
      [
        "amount above 2^128-1",
        signedTransfer(alice, { to: bob.address, amount: MAX_AMOUNT + 1n, nonce: 1 }),
        "INVALID_AMOUNT",
      ],
      ["zero amount", signedTransfer(alice, { to: bob.address, amount: 0n, nonce: 1 }), "INVALID_AMOUNT"],
      [
        "tx above max size",
        signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 1, memo: "m".repeat(250) }),
        "TX_TOO_LARGE",
      ],
      [
        "fee above balance",
        signedTransfer(bob, { to: alice.address, amount: 1n, nonce: 0 }),
        "TX_INSUFFICIENT_FEE_FUNDS",
      ],
    ];
    const before = await chain.app.info();
    const aliceBefore = await chain.app.getAccount(alice.address);
    const bobBefore = await chain.app.getAccount(bob.address);
    for (const [what, tx, code] of cases) {
      const res = await chain.app.checkTx(tx, "new");
      expect(res.codename, what).toBe(code);
      expect(res.code, what).toBe(RESULT_CODES[code].code);
    }
    // The same txs forced into a block (as if a faulty proposer included them): each gets a code
    // (the nonce gap is a mempool rule; at execution the nonce must be exact), and the state root
    // does not move, so nothing at all was written.
    const { results, appHash } = await chain.block(cases.map(([, tx]) => tx));
    for (const [i, [what, , code, blockCode]] of cases.entries()) {
      expect(codeName(results[i]!), what).toBe(blockCode ?? code);
    }
    expect(results.every((r) => r.gasUsed === 0)).toBe(true);
    expect(appHash).toEqual(before.lastAppHash);
    expect(await chain.app.getAccount(alice.address)).toEqual({ ...aliceBefore, height: 2 });
    expect(await chain.app.getAccount(bob.address)).toEqual({ ...bobBefore, height: 2 });
    // the replay did not overwrite the original tx's index record
    const { sha256 } = await import("../crypto/hash.js");
    const record = await chain.txIndex.get(sha256(first));
    expect(record?.height).toBe(1);
    expect(record?.result?.code).toBe(0);
  });

  it("checkTx refuses an amount above the balance (a block would charge the fee)", async () => {
    const { chain, alice, bob } = await setup();
    const tooMuch = signedTransfer(alice, { to: bob.address, amount: 1_000_000n, nonce: 1 });
    const r2 = await chain.app.checkTx(tooMuch, "new");
    expect(r2.codename).toBe("INSUFFICIENT_FUNDS");
    expect(r2.code).toBe(RESULT_CODES.INSUFFICIENT_FUNDS.code);
  });

  it("checkTx answers the same whether or not the caller hands it the tx's hash", async () => {
    const { chain, alice, bob } = await setup();
    const good = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 1 });
    const tooMuch = signedTransfer(alice, { to: bob.address, amount: 1_000_000n, nonce: 1 });
    for (const tx of [good, tooMuch]) {
      const plain = await chain.app.checkTx(tx, "new");
      expect(await chain.app.checkTx(tx, "new", sha256(tx))).toEqual(plain);
      expect(await chain.app.checkTx(tx, "recheck", sha256(tx))).toEqual(plain);
      expect(plain.hash).toEqual(sha256(tx));
      expect(plain.sender).toBe(toHex(alice.address));
      expect(plain.nonce).toBe(1);
    }
  });

  it("a queued nonce within the gap is admitted; recheck drops it once replayed", async () => {
    const { chain, alice, bob } = await setup();
    const ahead = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 1 + 16 });
    expect((await chain.app.checkTx(ahead, "new")).code).toBe(0);
    const next = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 1 });
    expect((await chain.app.checkTx(next, "new")).code).toBe(0);
    await chain.block([next]);
    expect((await chain.app.checkTx(next, "recheck")).codename).toBe("TX_NONCE_TOO_LOW");
    expect((await chain.app.checkTx(ahead, "recheck")).code).toBe(0);
  });
});

describe("failed txs", () => {
  it("an amount above the balance at execution still pays the fee and bumps the nonce", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis, validators } = testGenesis([{ account: alice, balance: 200_000n }]);
    const chain = await startChain(genesis);
    const spend = signedTransfer(alice, { to: bob.address, amount: 100_000n, nonce: 0 });
    const tooMuch = signedTransfer(alice, { to: bob.address, amount: 100_000n, nonce: 1 });
    // both pass checkTx alone; in one block the second finds the balance already spent
    expect((await chain.app.checkTx(tooMuch, "new")).code).toBe(0);
    const { results } = await chain.block([spend, tooMuch]);
    expect(results.map(codeName)).toEqual(["OK", "INSUFFICIENT_FUNDS"]);
    expect(results[1]!.codespace).toBe("bank");
    expect(results[1]!.events.map((e) => e.type)).toEqual(["tx"]);
    expect(await balance(chain, alice)).toBe(200_000n - 100_000n - 2n * FEE);
    expect(await balance(chain, bob)).toBe(100_000n);
    expect(await nonce(chain, alice)).toBe(2);
    expect(await balance(chain, validators[0]!.operator)).toBe(2n * FEE);
  });

  it("running out of gas in a message reverts it, uses all the gas and charges the fee", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis);
    // A gas limit that covers the intrinsic gas but not the message's reads and writes.
    const probe = signedTransfer(alice, {
      to: bob.address,
      amount: 7n,
      nonce: 0,
      gasLimit: 9_999,
      fee: 9_999n,
    });
    const gasLimit = 5_000 + probe.length * 10 + 1_000 + 1_000 + 100;
    const tx = signedTransfer(alice, {
      to: bob.address,
      amount: 7n,
      nonce: 0,
      gasLimit,
      fee: BigInt(gasLimit),
    });
    const { results } = await chain.block([tx]);
    expect(codeName(results[0]!)).toBe("TX_OUT_OF_GAS");
    expect(results[0]!.gasUsed).toBe(gasLimit);
    expect(await balance(chain, bob)).toBe(0n);
    expect(await balance(chain, alice)).toBe(1_000_000n - BigInt(gasLimit));
    expect(await nonce(chain, alice)).toBe(1);
  });
});

describe("fee distribution", () => {
  it("pays validators pro rata to power, the remainder to the proposer's operator", async () => {
    const alice = newAccount();
    const { genesis, validators } = testGenesis([{ account: alice, balance: 10_000_000n }], [1, 2, 4]);
    const chain = await startChain(genesis);
    const fee = 50_002n; // 7 parts of power: 50002 / 7 leaves a remainder
    const tx = signedTransfer(alice, { to: alice.address, amount: 1n, nonce: 0, fee });
    const proposer = validators[0]!;
    await chain.block([tx], proposer.consensusAddress);
    const shares = [1n, 2n, 4n].map((p) => (fee * p) / 7n);
    const remainder = fee - shares.reduce((a, b) => a + b, 0n);
    expect(remainder).toBeGreaterThan(0n);
    expect(await balance(chain, validators[0]!.operator)).toBe(shares[0]! + remainder);
    expect(await balance(chain, validators[1]!.operator)).toBe(shares[1]!);
    expect(await balance(chain, validators[2]!.operator)).toBe(shares[2]!);
    const results = await chain.blockStore.getBlockResults(1);
    const rewards = results!.finalizeEvents.filter((e) => e.type === "fee_reward");
    expect(rewards).toHaveLength(4);
    const total = rewards.reduce(
      (sum, e) => sum + BigInt(e.attributes!.find((a) => a.key === "amount")!.value!),
      0n,
    );
    expect(total).toBe(fee);
  });
});

describe("determinism", () => {
  it("the same blocks applied to two fresh stores give the same app hash at every height", async () => {
    const users = Array.from({ length: 6 }, () => newAccount());
    users.push(newAccount(KeyType.KEY_TYPE_SECP256K1));
    const { genesis, validators } = testGenesis(
      users.map((u, i) => ({ account: u, balance: 1_000_000n * BigInt(i + 1) })),
      [3, 5],
    );
    const a = await startChain(genesis);
    const b = await startChain(genesis);
    expect((await a.app.info()).lastAppHash).toEqual((await b.app.info()).lastAppHash);

    // Deterministic pseudo-random traffic: successes, failures at execution, invalid txs.
    const nonces = users.map(() => 0);
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const heights: Uint8Array[] = [];
    for (let h = 1; h <= 6; h++) {
      const txs: Uint8Array[] = [];
      for (let i = 0; i < 12; i++) {
        const from = rand(users.length);
        const to = rand(users.length);
        const amount = rand(5) === 0 ? 10_000_000n : BigInt(1 + rand(1000));
        txs.push(signedTransfer(users[from]!, { to: users[to]!.address, amount, nonce: nonces[from]! }));
        nonces[from]!++;
      }
      // Odd heights carry an invalid tx (executed with a code); even heights go through
      // processProposal first on chain a only, so its finalizeBlock takes the cached path.
      if (h % 2 === 1) txs.push(Uint8Array.of(1, 2, 3));
      const proposer = validators[h % 2]!.consensusAddress;
      const ra = await a.block(txs, proposer, h % 2 === 0);
      const rb = await b.block(txs, proposer);
      expect(toHex(ra.appHash), `height ${h}`).toBe(toHex(rb.appHash));
      expect(ra.results.map((r) => [r.code, r.gasUsed])).toEqual(rb.results.map((r) => [r.code, r.gasUsed]));
      heights.push(ra.appHash);
    }
    // every height changed the state, and the roots are what the tree kept for each version
    expect(new Set(heights.map(toHex)).size).toBe(heights.length);
    for (let h = 1; h <= 6; h++) expect(toHex(await a.app.appHashAt(h))).toBe(toHex(heights[h - 1]!));
    // and a restart reproduces the same state
    await a.reopen();
    expect((await a.app.info()).lastHeight).toBe(6);
    expect(toHex((await a.app.info()).lastAppHash)).toBe(toHex(heights[5]!));
  });
});

describe("bounds", () => {
  it("a total supply of exactly 2^128-1 works and a transfer of it all succeeds", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([
      { account: alice, balance: MAX_AMOUNT - 1n },
      { account: bob, balance: 1n },
    ]);
    const chain = await startChain(genesis);
    const amount = MAX_AMOUNT - 1n - FEE;
    const { results } = await chain.block([signedTransfer(alice, { to: bob.address, amount, nonce: 0 })]);
    expect(codeName(results[0]!)).toBe("OK");
    expect(await balance(chain, bob)).toBe(amount + 1n);
    expect(await balance(chain, alice)).toBe(0n);
  });

  it("refuses a genesis whose total supply exceeds 2^128-1, or that is initialized twice", async () => {
    const { genesis } = testGenesis([
      { account: newAccount(), balance: MAX_AMOUNT },
      { account: newAccount(), balance: 1n },
    ]);
    const chain = await startChain(genesis, { init: false });
    await expect(chain.app.initChain(genesis)).rejects.toMatchObject({ code: "GENESIS_INVALID" });
    const ok = testGenesis([{ account: newAccount(), balance: 1n }]).genesis;
    const c2 = await startChain(ok);
    await expect(c2.app.initChain(ok)).rejects.toMatchObject({ code: "ALREADY_INITIALIZED" });
  });

  it("refuses genesis validators whose power does not match the stake", async () => {
    const { genesis } = testGenesis([{ account: newAccount(), balance: 1n }]);
    genesis.validators[0]!.power = 2;
    const chain = await startChain(genesis, { init: false });
    await expect(chain.app.initChain(genesis)).rejects.toMatchObject({ code: "GENESIS_INVALID" });
  });

  it("a fee that min_gas_price * gas_limit overflows is below the minimum, not an overflow", async () => {
    const alice = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1n }], [1], {
      bank: { min_gas_price: (MAX_AMOUNT / 2n).toString() },
    });
    const chain = await startChain(genesis);
    const tx = signedTransfer(alice, { to: alice.address, amount: 1n, nonce: 0, fee: MAX_AMOUNT });
    expect((await chain.app.checkTx(tx, "new")).codename).toBe("TX_FEE_TOO_LOW");
  });
});

describe("proposals", () => {
  it("processProposal rejects invalid txs but accepts txs that merely fail at execution", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 100_000n }]);
    const chain = await startChain(genesis);
    const ctx = {
      height: 1,
      timeMs: 1,
      proposerAddress: new Uint8Array(20),
      lastBlockHash: new Uint8Array(32),
      lastCommit: { round: 0, votes: [] },
      misbehavior: [],
      blockHash: new Uint8Array(32),
    };
    const failsLater = signedTransfer(alice, { to: bob.address, amount: 99_999n, nonce: 0 });
    expect(await chain.app.processProposal({ ...ctx, txs: [failsLater] })).toBe(true);
    const badSig = Uint8Array.from(failsLater);
    badSig[badSig.length - 1]! ^= 1;
    expect(await chain.app.processProposal({ ...ctx, txs: [failsLater, badSig] })).toBe(false);
    expect(await chain.app.processProposal({ ...ctx, txs: [Uint8Array.of(9, 9)] })).toBe(false);
    const wrongChain = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0, chainId: "x" });
    expect(await chain.app.processProposal({ ...ctx, txs: [wrongChain] })).toBe(false);
    expect(await chain.app.processProposal({ ...ctx, txs: [failsLater, failsLater] })).toBe(false);
  });

  it("prepareProposal drops txs that would fail and respects the byte and gas limits", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis);
    const ok = [0, 1, 2, 3].map((n) => signedTransfer(alice, { to: bob.address, amount: 1n, nonce: n }));
    const tooMuch = signedTransfer(bob, { to: alice.address, amount: 1n, nonce: 0 });
    const gap = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 9 });
    const ctx = {
      height: 1,
      timeMs: 1,
      proposerAddress: new Uint8Array(20),
      lastBlockHash: new Uint8Array(32),
      lastCommit: { round: 0, votes: [] },
      misbehavior: [],
    };
    const all = await chain.app.prepareProposal({
      ...ctx,
      txs: [ok[0]!, tooMuch, ok[1]!, gap, ok[2]!, ok[3]!],
      maxTxBytes: 1 << 20,
      maxGas: 1 << 30,
    });
    expect(all).toEqual(ok);
    const byGas = await chain.app.prepareProposal({ ...ctx, txs: ok, maxTxBytes: 1 << 20, maxGas: 2 * GAS });
    expect(byGas).toEqual(ok.slice(0, 2));
    const byBytes = await chain.app.prepareProposal({
      ...ctx,
      txs: ok,
      maxTxBytes: ok[0]!.length + ok[1]!.length + ok[2]!.length,
      maxGas: 1 << 30,
    });
    expect(byBytes).toEqual(ok.slice(0, 3));
    // nothing was applied
    expect(await nonce(chain, alice)).toBe(0);
  });

  it("finalizeBlock does not verify again what checkTx or processProposal verified", async () => {
    const pool = VerifyPool.create(2);
    let verified = 0;
    const counting: BatchVerifier = {
      threads: pool.threads,
      verifyBatch: (items) => {
        verified += items.length;
        return pool.verifyBatch(items);
      },
    };
    try {
      const alice = newAccount();
      const bob = newAccount();
      const { genesis } = testGenesis([{ account: alice, balance: 10_000_000n }]);
      const chain = await startChain(genesis, { verifyPool: counting });
      const txs = Array.from({ length: 100 }, (_, n) =>
        signedTransfer(alice, { to: bob.address, amount: 1n, nonce: n }),
      );
      expect((await chain.app.checkTx(txs[0]!, "new")).code).toBe(0);
      expect(verified).toBe(1);
      const ctx = {
        height: 1,
        timeMs: 1,
        proposerAddress: new Uint8Array(20),
        lastBlockHash: new Uint8Array(32),
        lastCommit: { round: 0, votes: [] },
        misbehavior: [],
        blockHash: new Uint8Array(32),
      };
      expect(await chain.app.processProposal({ ...ctx, txs })).toBe(true);
      expect(verified).toBe(100);
      const { results } = await chain.block(txs);
      expect(verified).toBe(100);
      expect(results.every((r) => r.code === 0)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});

describe("signature verification", () => {
  it("falls back to verifying inline when the pool fails, with the same answers", async () => {
    const broken: BatchVerifier = {
      threads: 1,
      verifyBatch: () => Promise.reject(new Error("verify worker died")),
    };
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis, { verifyPool: broken });
    const good = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0 });
    const bad = Uint8Array.from(signedTransfer(alice, { to: bob.address, amount: 2n, nonce: 0 }));
    bad[bad.length - 1]! ^= 1;
    expect((await chain.app.checkTx(good, "new")).code).toBe(0);
    expect((await chain.app.checkTx(bad, "new")).codename).toBe("TX_BAD_SIGNATURE");
    const { results } = await chain.block([bad, good]);
    expect(results.map(codeName)).toEqual(["TX_BAD_SIGNATURE", "OK"]);
  });
});

/** A pool that verifies inline and counts the items of background (checkTx) and block batches. */
function countingPool(gate?: Promise<void>): BatchVerifier & { background: number; block: number } {
  const pool = {
    threads: 1,
    background: 0,
    block: 0,
    async verifyBatch(items: VerifyItem[], opts?: VerifyBatchOptions) {
      if (opts?.background === true) {
        pool.background += items.length;
        if (gate) await gate;
      } else {
        pool.block += items.length;
      }
      return items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));
    },
  };
  return pool;
}

describe("admission checks of txs whose nonce is used", () => {
  it("refuses a tx whose nonce a committed block used without checking its signature", async () => {
    const pool = countingPool();
    const alice = newAccount();
    const bob = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis, { verifyPool: pool });
    await chain.block([signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0 })]);
    const checksBefore = pool.background + pool.block;
    const late = signedTransfer(alice, { to: bob.address, amount: 2n, nonce: 0 });
    const forged = Uint8Array.from(late);
    forged[forged.length - 1]! ^= 1;
    expect((await chain.app.checkTx(late, "new")).codename).toBe("TX_NONCE_TOO_LOW");
    expect((await chain.app.checkTx(forged, "new")).codename).toBe("TX_NONCE_TOO_LOW");
    expect(pool.background + pool.block).toBe(checksBefore);
    // The next nonce is checked as always.
    expect(
      (await chain.app.checkTx(signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 1 }), "new")).code,
    ).toBe(0);
    expect(pool.background).toBe(1);
  });

  it("drops a check that waits for a worker when a block uses its nonce meanwhile", async () => {
    let release!: () => void;
    const pool = countingPool(
      new Promise<void>((r) => {
        release = r;
      }),
    );
    const alice = newAccount();
    const bob = newAccount();
    const carol = newAccount();
    const { genesis } = testGenesis([
      { account: alice, balance: 1_000_000n },
      { account: carol, balance: 1_000_000n },
    ]);
    const chain = await startChain(genesis, { verifyPool: pool });
    // Carol's check holds the only worker; Alice's waits behind it.
    const first = chain.app.checkTx(signedTransfer(carol, { to: bob.address, amount: 1n, nonce: 0 }), "new");
    await new Promise((r) => setImmediate(r));
    const waiting = chain.app.checkTx(
      signedTransfer(alice, { to: bob.address, amount: 2n, nonce: 0 }),
      "new",
    );
    await new Promise((r) => setImmediate(r));
    // Another tx of Alice's with the same nonce commits meanwhile.
    const { results } = await chain.block([signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0 })]);
    expect(results.map(codeName)).toEqual(["OK"]);
    release();
    expect((await first).code).toBe(0);
    expect((await waiting).codename).toBe("TX_NONCE_TOO_LOW");
    // Carol's tx went to the worker; Alice's waiting one never did.
    expect(pool.background).toBe(1);
  });
});

describe("queries", () => {
  it("serves accounts, proofs that verify against the app hash, validators and params", async () => {
    const alice = newAccount();
    const nobody = newAccount();
    const { genesis, validators } = testGenesis([{ account: alice, balance: 777n }]);
    const chain = await startChain(genesis);
    await chain.block([]);
    const q = await chain.app.query({ path: `account/${alice.bech32}` });
    expect(q.code).toBe(0);
    expect(q.height).toBe(1);
    expect(Account.decode(q.value!).balance).toBe("777");
    expect(await chain.app.getAccount(nobody.bech32)).toEqual({
      address: nobody.bech32,
      nonce: 0,
      balance: "0",
      exists: false,
      height: 1,
    });

    const appHash = (await chain.app.info()).lastAppHash;
    const present = await chain.app.query({ path: `proof/${toHex(accountKey(alice.address))}` });
    expect(present.code).toBe(0);
    expect(present.proof!.root).toBe(toHex(appHash));
    expect(
      verifyProof(
        fromHex(present.proof!.root),
        accountKey(alice.address),
        present.value,
        present.proof!.proof,
      ),
    ).toBe(true);
    const absent = await chain.app.getProof(accountKey(nobody.address));
    expect(absent.value).toBeUndefined();
    expect(absent.proof.kind).toBe("exclusion");
    expect(verifyProof(appHash, accountKey(nobody.address), undefined, absent.proof)).toBe(true);

    const vals = await chain.app.getValidators();
    expect(vals).toEqual([
      expect.objectContaining({
        operator: validators[0]!.operator.bech32,
        power: 1,
        consensus_address: `0x${toHex(validators[0]!.consensusAddress)}`,
      }),
    ]);
    expect((await chain.app.query({ path: "validators" })).code).toBe(0);
    const params = JSON.parse(new TextDecoder().decode((await chain.app.query({ path: "params" })).value));
    expect(params.bank.min_gas_price).toBe("1");
    expect((await chain.app.getParams()).tx.max_nonce_gap).toBe(16);

    expect((await chain.app.query({ path: "nope" })).codename).toBe("QUERY_UNKNOWN_PATH");
    expect((await chain.app.query({ path: "account/kyo1bad" })).codename).toBe("QUERY_INVALID_ARGUMENT");
    expect((await chain.app.query({ path: "proof/zz" })).codename).toBe("QUERY_INVALID_ARGUMENT");
    expect((await chain.app.query({ path: `account/${alice.bech32}`, height: 5 })).codename).toBe(
      "QUERY_HEIGHT_UNAVAILABLE",
    );
    const atGenesis = await chain.app.query({ path: `account/${alice.bech32}`, height: 0 });
    expect(atGenesis.height).toBe(1);
    expect(encodeAddress(alice.address)).toBe(alice.bech32);
  });

  it("with keepRecentVersions, older heights are pruned and refused; recent ones still prove", async () => {
    const alice = newAccount();
    const { genesis } = testGenesis([{ account: alice, balance: 1_000_000n }]);
    const chain = await startChain(genesis, { keepRecentVersions: 2 });
    for (let n = 0; n < 4; n++)
      await chain.block([signedTransfer(alice, { to: alice.address, amount: 1n, nonce: n })]);
    const path = `account/${alice.bech32}`;
    expect((await chain.app.query({ path, height: 2 })).codename).toBe("QUERY_HEIGHT_UNAVAILABLE");
    const at3 = await chain.app.query({ path, height: 3, prove: true });
    expect(at3.code).toBe(0);
    expect(Account.decode(at3.value!).nonce).toBe(3);
    expect(
      verifyProof(await chain.app.appHashAt(3), accountKey(alice.address), at3.value, at3.proof!.proof),
    ).toBe(true);
  });

  it("refuses to open a state that belongs to another chain", async () => {
    const { genesis } = testGenesis([{ account: newAccount(), balance: 1n }]);
    const chain = await startChain(genesis);
    const tree = await openStateTree(chain.db);
    await expect(
      KyochiApp.create({
        db: chain.db,
        tree,
        blockStore: chain.blockStore,
        txIndex: chain.txIndex,
        chainId: "other-1",
      }),
    ).rejects.toBeInstanceOf(ExecutionError);
  });
});
