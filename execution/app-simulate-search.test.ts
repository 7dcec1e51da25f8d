// KyochiApp.simulateTx against the real execution of the same tx, and the explorer indexes the
// app writes into the block's batch (state/tx-search-index.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { encode } from "../proto/canonical.js";
import { Tx, type TxResult } from "../proto/index.js";
import { BlockStore } from "../state/block-store.js";
import { KyochiDb, WriteBatch } from "../state/db.js";
import { openStateTree } from "../state/tree/index.js";
import { TxIndex } from "../state/tx-index.js";
import { TxSearchIndex, type TxSelector } from "../state/tx-search-index.js";
import { KyochiApp } from "./app.js";
import type { GenesisAppState } from "./genesis-types.js";
import { putRequestedBlock } from "./stored-block.js";
import { newAccount, signedTransfer, TEST_CHAIN_ID, testGenesis, transferBody } from "./test-helpers.js";

interface Chain {
  app: KyochiApp;
  db: KyochiDb;
  search: TxSearchIndex;
  blockStore: BlockStore;
  txIndex: TxIndex;
  height: number;
  /** finalize + commit; writes the batch unless `write` is false (a crash before the write). */
  block(txs: Uint8Array[], write?: boolean): Promise<TxResult[]>;
  reopen(): Promise<void>;
}

const dirs: string[] = [];
const dbs: KyochiDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close().catch(() => undefined);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function startChain(genesis: GenesisAppState): Promise<Chain> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-exec-simsearch-"));
  dirs.push(dir);
  const make = async () => {
    const db = await KyochiDb.open(dir);
    dbs.push(db);
    const blockStore = await BlockStore.open(db);
    const txIndex = new TxIndex(db, blockStore);
    const search = new TxSearchIndex(db);
    const app = await KyochiApp.create({
      db,
      tree: await openStateTree(db),
      blockStore,
      txIndex,
      searchIndex: search,
      chainId: TEST_CHAIN_ID,
    });
    return { db, blockStore, txIndex, search, app };
  };
  const chain: Chain = {
    ...(await make()),
    height: 0,
    async block(txs, write = true) {
      const height = chain.height + 1;
      const req = {
        height,
        timeMs: 1_700_000_000_000 + height * 1000,
        proposerAddress: new Uint8Array(20),
        lastBlockHash: new Uint8Array(32),
        lastCommit: { round: 0, votes: [] },
        misbehavior: [],
        blockHash: new Uint8Array(32).fill(height),
        txs,
      };
      const res = await chain.app.finalizeBlock(req);
      const batch = new WriteBatch();
      putRequestedBlock(chain.blockStore, batch, TEST_CHAIN_ID, req);
      await chain.app.commit(batch);
      if (write) {
        await chain.db.write(batch, true);
        chain.height = height;
      }
      return res.txResults;
    },
    async reopen() {
      await chain.db.close();
      Object.assign(chain, await make());
    },
  };
  await chain.app.initChain(genesis);
  return chain;
}

async function positions(chain: Chain, selectors: TxSelector[]): Promise<string[]> {
  const found = await chain.search.search({
    selectors,
    fromHeight: 0,
    toHeight: Number.MAX_SAFE_INTEGER,
    limit: 100,
    order: "asc",
  });
  return found.hits.map((h) => `${h.position.height}:${h.position.index}`);
}

describe("KyochiApp.simulateTx", () => {
  it("reports the gas, result and events the block then records, and changes nothing", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const chain = await startChain(testGenesis([{ account: alice, balance: 1_000_000n }]).genesis);
    await chain.block([signedTransfer(alice, { to: bob.address, amount: 10n, nonce: 0 })]);

    const ok = signedTransfer(alice, { to: bob.address, amount: 700n, nonce: 1, memo: "rent" });
    const tooMuch = signedTransfer(alice, { to: bob.address, amount: 5_000_000n, nonce: 2 });
    const simulated = await chain.app.simulateTx(ok);
    expect(simulated.code).toBe(0);
    expect(simulated.codename).toBe("OK");
    expect(simulated.gasUsed).toBeGreaterThan(0);
    expect(simulated.events.map((e) => e.type)).toEqual(["tx", "transfer"]);
    // Nothing moved: balance and nonce are as before, and simulating again gives the same.
    const before = await chain.app.getAccount(alice.address);
    expect(before.nonce).toBe(1);
    expect(await chain.app.getAccount(bob.address)).toMatchObject({ balance: "10" });
    expect(await chain.app.simulateTx(ok)).toEqual(simulated);

    const [real] = await chain.block([ok]);
    expect(real?.code).toBe(0);
    expect(simulated.gasUsed).toBe(real?.gasUsed);
    expect(simulated.gasWanted).toBe(real?.gasWanted);
    expect(simulated.log).toBe(real?.log);
    expect(JSON.parse(JSON.stringify(simulated.events))).toEqual(JSON.parse(JSON.stringify(real?.events)));

    // A tx that fails in its messages: same code, gas and events as the block records.
    const failing = await chain.app.simulateTx(tooMuch);
    expect(failing.codename).toBe("INSUFFICIENT_FUNDS");
    const [failedReal] = await chain.block([tooMuch]);
    expect(failing.code).toBe(failedReal?.code);
    expect(failing.gasUsed).toBe(failedReal?.gasUsed);
    expect(failing.log).toBe(failedReal?.log);
    expect(JSON.parse(JSON.stringify(failing.events))).toEqual(
      JSON.parse(JSON.stringify(failedReal?.events)),
    );
  });

  it("waives min_gas_price but keeps the signature, nonce and fee-funds rules", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const chain = await startChain(testGenesis([{ account: alice, balance: 100_000n }]).genesis);
    const noFee = signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0, fee: 0n });
    expect(await chain.app.checkTx(noFee, "new")).toMatchObject({ codename: "TX_FEE_TOO_LOW" });
    const free = await chain.app.simulateTx(noFee);
    expect(free).toMatchObject({ code: 0, codename: "OK" });
    expect(free.gasUsed).toBeGreaterThan(0);

    const ahead = await chain.app.simulateTx(
      signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 1 }),
    );
    expect(ahead.codename).toBe("TX_NONCE_TOO_HIGH");
    const broke = await chain.app.simulateTx(
      signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0, fee: 200_000n, gasLimit: 50_000 }),
    );
    expect(broke.codename).toBe("TX_INSUFFICIENT_FEE_FUNDS");
    const body = transferBody({ to: bob.address, amount: 1n, nonce: 0 });
    // Alice's key in the envelope, someone else's signature over the body.
    const tampered = encode(
      Tx,
      Tx.create({
        body,
        publicKey: alice.key.publicKey,
        keyType: alice.key.type,
        signature: newAccount().key.sign(body),
      }),
    );
    expect((await chain.app.simulateTx(tampered)).codename).toBe("TX_BAD_SIGNATURE");
    expect((await chain.app.simulateTx(Uint8Array.of(1, 2, 3))).codename).toBe("TX_MALFORMED");
    expect(await chain.app.getAccount(alice.address)).toMatchObject({ nonce: 0, balance: "100000" });
  });
});

describe("explorer indexes written by commit", () => {
  it("are in the block's batch: none after a crash before the write, all after it", async () => {
    const alice = newAccount();
    const bob = newAccount();
    const carol = newAccount();
    const chain = await startChain(
      testGenesis([
        { account: alice, balance: 1_000_000n },
        { account: bob, balance: 1_000_000n },
      ]).genesis,
    );
    const txs = [
      signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 0, memo: "a" }),
      signedTransfer(bob, { to: carol.address, amount: 7n, nonce: 0 }),
      // Fails (too much), but is still a tx from alice to carol.
      signedTransfer(alice, { to: carol.address, amount: 9_000_000n, nonce: 1 }),
    ];
    await chain.block(txs, false); // finalized and committed into a batch never written
    await chain.reopen();
    expect(await positions(chain, [{ kind: "sender", address: alice.address }])).toEqual([]);
    expect(await chain.txIndex.get(txs[0] as Uint8Array)).toBeUndefined();

    const results = await chain.block(txs); // the handshake replays it the same way
    expect(results.map((r) => r.code === 0)).toEqual([true, true, false]);
    await chain.reopen();
    expect(await positions(chain, [{ kind: "sender", address: alice.address }])).toEqual(["1:0", "1:2"]);
    expect(await positions(chain, [{ kind: "recipient", address: carol.address }])).toEqual(["1:1", "1:2"]);
    // bob signed 1:1 (sender) and received 1:0 (bank send `to` and the transfer event).
    expect(await positions(chain, [{ kind: "recipient", address: bob.address }])).toEqual(["1:0"]);
    expect(await positions(chain, [{ kind: "sender", address: bob.address }])).toEqual(["1:1"]);
    expect(
      await positions(chain, [{ kind: "event", type: "transfer", key: "recipient", value: carol.bech32 }]),
    ).toEqual(["1:1"]);
    expect(await positions(chain, [{ kind: "event", type: "transfer", key: "amount", value: "5" }])).toEqual([
      "1:0",
    ]);
    expect(
      await positions(chain, [
        { kind: "sender", address: alice.address },
        { kind: "recipient", address: carol.address },
      ]),
    ).toEqual(["1:2"]);
  });
});
