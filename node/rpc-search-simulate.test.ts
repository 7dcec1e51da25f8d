// tx_search and tx_simulate over HTTP JSON-RPC, served by the node's backend over a real app,
// LevelDB indexes and block execution (blocks are finalized and committed here as consensus
// would, between the RPC calls).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KyochiApp } from "../execution/app.js";
import { putRequestedBlock } from "../execution/stored-block.js";
import {
  newAccount,
  signedTransfer,
  TEST_CHAIN_ID,
  type TestAccount,
  testGenesis,
} from "../execution/test-helpers.js";
import { type JsonRpcServer, startJsonRpcServer } from "../rpc/jsonrpc/server.js";
import { CommitFeed } from "../rpc/subscriptions/commit-feed.js";
import { TxCommitWaiter } from "../rpc/tx-commit-waiter.js";
import type { AccountJson, TxRecordJson, TxSearchJson, TxSimulateJson } from "../rpc/types.js";
import { BlockStore } from "../state/block-store.js";
import { KyochiDb, WriteBatch } from "../state/db.js";
import { openStateTree } from "../state/tree/index.js";
import { TxIndex } from "../state/tx-index.js";
import { TxSearchIndex } from "../state/tx-search-index.js";
import { Mempool } from "./mempool/mempool.js";
import { createRpcBackend, type RpcBackendParts } from "./rpc-backend.js";

let dir: string;
let db: KyochiDb;
let app: KyochiApp;
let server: JsonRpcServer;
let parts: RpcBackendParts;
let height = 0;
let blockStore: BlockStore;
const nonces = new Map<TestAccount, number>();
const alice = newAccount();
const bob = newAccount();
const carol = newAccount();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-node-search-"));
  db = await KyochiDb.open(dir);
  blockStore = await BlockStore.open(db);
  const txIndex = new TxIndex(db, blockStore);
  const searchIndex = new TxSearchIndex(db);
  app = await KyochiApp.create({
    db,
    tree: await openStateTree(db),
    blockStore,
    txIndex,
    searchIndex,
    chainId: TEST_CHAIN_ID,
  });
  await app.initChain(
    testGenesis([
      { account: alice, balance: 10_000_000n },
      { account: bob, balance: 10_000_000n },
    ]).genesis,
  );
  const mempool = new Mempool({
    checkTx: (tx, mode) => app.checkTx(tx, mode),
    nextNonce: async (sender) => (await app.getAccount(Buffer.from(sender, "hex"))).nonce,
    maxTxs: 100,
    maxBytes: 1 << 20,
    maxTxBytes: 1 << 16,
    maxPerSender: 100,
  });
  parts = {
    chainId: TEST_CHAIN_ID,
    nodeVersion: "test",
    genesisTimeMs: 0,
    validatorAddress: new Uint8Array(20),
    app,
    blockStore,
    txIndex,
    searchIndex,
    mempool,
    waiter: new TxCommitWaiter(),
    commits: new CommitFeed(),
  };
  server = await startJsonRpcServer({ backend: createRpcBackend(parts), port: 0, maxBodyBytes: 1 << 20 });
});

afterAll(async () => {
  await server?.close();
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function send(from: TestAccount, to: TestAccount, amount: bigint): Uint8Array {
  const nonce = nonces.get(from) ?? 0;
  nonces.set(from, nonce + 1);
  return signedTransfer(from, { to: to.address, amount, nonce });
}

async function block(txs: Uint8Array[]): Promise<void> {
  height++;
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
  await app.finalizeBlock(req);
  const batch = new WriteBatch();
  putRequestedBlock(blockStore, batch, TEST_CHAIN_ID, req);
  await app.commit(batch);
  await db.write(batch, true);
}

async function call(
  method: string,
  params: unknown,
): Promise<{ result?: unknown; error?: { data: Record<string, unknown> } }> {
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as { result?: unknown; error?: { data: Record<string, unknown> } };
}

async function result<T>(method: string, params: unknown): Promise<T> {
  const reply = await call(method, params);
  expect(reply.error).toBeUndefined();
  return reply.result as T;
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
const at = (t: TxRecordJson) => `${t.height}:${t.index}`;

describe("tx_search", () => {
  it("walks a sender's txs page by page while blocks keep coming, ascending and descending", async () => {
    // Each block: alice -> bob, bob -> carol, alice -> carol.
    const addBlock = () => block([send(alice, bob, 1n), send(bob, carol, 2n), send(alice, carol, 3n)]);
    for (let i = 0; i < 3; i++) await addBlock();
    const mine = () => Array.from({ length: height }, (_, h) => [`${h + 1}:0`, `${h + 1}:2`]).flat();

    const before = mine();
    const desc: string[] = [];
    let cursor: string | null = null;
    do {
      const page: TxSearchJson = await result<TxSearchJson>("tx_search", {
        sender: alice.bech32,
        limit: 4,
        order: "desc",
        ...(cursor ? { cursor } : {}),
      });
      for (const t of page.txs) expect(t.tx.signer).toBe(alice.bech32);
      desc.push(...page.txs.map(at));
      cursor = page.nextCursor;
      await addBlock();
    } while (cursor !== null);
    expect(desc).toEqual([...before].reverse());

    const asc: string[] = [];
    cursor = null;
    do {
      const page: TxSearchJson = await result<TxSearchJson>("tx_search", {
        sender: alice.bech32,
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      asc.push(...page.txs.map(at));
      cursor = page.nextCursor;
      if (cursor !== null) await addBlock();
    } while (cursor !== null);
    // Ascending walks into the blocks added on the way and ends at the top: every tx, once.
    expect(asc).toEqual(mine());
  });

  it("finds by recipient, by event attribute, and by both within a height range", async () => {
    const toCarol = await result<TxSearchJson>("tx_search", { recipient: carol.bech32, limit: 100 });
    expect(toCarol.txs.length).toBe(2 * height);
    expect(toCarol.nextCursor).toBeNull();
    const byEvent = await result<TxSearchJson>("tx_search", {
      event: { type: "transfer", key: "recipient", value: carol.bech32 },
      fromHeight: 2,
      toHeight: 3,
      limit: 100,
    });
    expect(byEvent.txs.map(at)).toEqual(["2:1", "2:2", "3:1", "3:2"]);
    for (const t of byEvent.txs) expect(t.result.events.some((e) => e.type === "transfer")).toBe(true);
    const both = await result<TxSearchJson>("tx_search", {
      sender: bob.bech32,
      recipient: carol.bech32,
      toHeight: 2,
      order: "desc",
    });
    expect(both.txs.map(at)).toEqual(["2:1", "1:1"]);
  });

  it("refuses bad params with INVALID_PARAMS naming the param", async () => {
    const cases: [unknown, string][] = [
      [{}, "sender|recipient|event"],
      [{ limit: 5 }, "sender|recipient|event"],
      [{ sender: "kyo1nope" }, "sender"],
      [{ recipient: 12 }, "recipient"],
      [{ sender: alice.bech32, limit: 101 }, "limit"],
      [{ sender: alice.bech32, limit: 0 }, "limit"],
      [{ sender: alice.bech32, order: "up" }, "order"],
      [{ sender: alice.bech32, cursor: "x" }, "cursor"],
      [{ sender: alice.bech32, cursor: "-1:0" }, "cursor"],
      [{ sender: alice.bech32, cursor: 5 }, "cursor"],
      [{ sender: alice.bech32, fromHeight: -1 }, "fromHeight"],
      [{ sender: alice.bech32, toHeight: "99999999999999999999" }, "toHeight"],
      [{ sender: alice.bech32, fromHeight: 5, toHeight: 4 }, "toHeight"],
      [{ event: "transfer.recipient=x" }, "event"],
      [{ event: { type: "transfer", value: "x" } }, "event.key"],
      [{ event: { type: "", key: "k", value: "x" } }, "event.type"],
      [{ event: { type: "t", key: "k", value: 1 } }, "event.value"],
      [{ event: { type: "t", key: "k", value: "v", extra: 1 } }, "event.extra"],
      [{ sender: alice.bech32, page: 2 }, "page"],
    ];
    for (const [params, param] of cases) {
      const reply = await call("tx_search", params);
      expect(reply.error?.data, JSON.stringify(params)).toMatchObject({ code: "INVALID_PARAMS", param });
    }
  });
});

describe("tx_simulate", () => {
  it("gives the gas and events the block then records, without changing the account", async () => {
    const tx = send(alice, bob, 12_345n);
    const before = await result<AccountJson>("account_get", { address: alice.bech32 });
    const simulated = await result<TxSimulateJson>("tx_simulate", { tx: hex(tx) });
    expect(simulated).toMatchObject({ code: 0, codename: "OK" });
    expect(await result<AccountJson>("account_get", { address: alice.bech32 })).toEqual(before);

    await block([tx]);
    const [record] = (
      await result<TxSearchJson>("tx_search", { sender: alice.bech32, order: "desc", limit: 1 })
    ).txs;
    expect(record?.height).toBe(height);
    expect(record?.result.gasUsed).toBe(simulated.gasUsed);
    expect(record?.result.gasWanted).toBe(simulated.gasWanted);
    expect(record?.result.events).toEqual(simulated.events);
    expect(simulated.events.find((e) => e.type === "transfer")?.attributes).toContainEqual({
      key: "amount",
      value: "12345",
    });

    // Simulating it again: the nonce is used now, as the block would find.
    const again = await result<TxSimulateJson>("tx_simulate", { tx: hex(tx) });
    expect(again.codename).toBe("TX_NONCE_TOO_LOW");
    const bad = await call("tx_simulate", { tx: "0xzz" });
    expect(bad.error?.data).toMatchObject({ code: "INVALID_PARAMS", param: "tx" });
    const missing = await call("tx_simulate", {});
    expect(missing.error?.data).toMatchObject({ code: "INVALID_PARAMS", param: "tx" });
  });
});

describe("tx_search on a node without the explorer indexes", () => {
  it("answers TX_SEARCH_DISABLED (-32005), not an empty page", async () => {
    // The same node's parts, without the explorer indexes (state.search_index = false).
    const { searchIndex: _off, ...withoutIndex } = parts;
    const backend = createRpcBackend(withoutIndex);
    const bare = await startJsonRpcServer({ backend, port: 0, maxBodyBytes: 1 << 20 });
    try {
      const res = await fetch(bare.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tx_search",
          params: { sender: alice.bech32 },
        }),
      });
      const reply = (await res.json()) as { error?: { code: number; data: { code: string } } };
      expect(reply.error?.code).toBe(-32005);
      expect(reply.error?.data.code).toBe("TX_SEARCH_DISABLED");
    } finally {
      await bare.close();
    }
  });
});
