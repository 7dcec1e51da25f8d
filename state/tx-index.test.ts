import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../crypto/hash.js";
import { encode } from "../proto/canonical.js";
import { Block, BlockResults, Commit, TxRecord } from "../proto/index.js";
import { BlockStore } from "./block-store.js";
import { KyochiDb, Prefix, prefixed, WriteBatch } from "./db.js";
import { StateError } from "./errors.js";
import { TxIndex } from "./tx-index.js";

let dir: string;
let db: KyochiDb;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-txindex-"));
  db = await KyochiDb.open(dir);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const txs = [Uint8Array.of(10, 20, 30), new Uint8Array(300).fill(7), Uint8Array.of(1)];
const results = [
  { code: 0, gasUsed: 21_000, events: [{ type: "transfer", attributes: [{ key: "amount", value: "5" }] }] },
  { code: 5, log: "insufficient funds", gasUsed: 40 },
  { code: 0, gasUsed: 1 },
];

/** Block `height` holding `txs` with their results, into `batch` (as consensus and the app write them). */
function putBlock(store: BlockStore, batch: WriteBatch, height: number): void {
  const block = Block.create({ header: { chainId: "kyochi-test", height, timeMs: 1000 * height }, txs });
  const hash = sha256(encode(Block, block));
  store.putBlock(batch, block, hash, Commit.create({ height, round: 0, blockHash: hash }));
  store.putBlockResults(
    batch,
    BlockResults.create({ height, txResults: results, appHash: sha256(Uint8Array.of(height)) }),
  );
}

describe("TxIndex", () => {
  it("finds committed txs by hash with their block's bytes and result, before and after the write and a reopen", async () => {
    const blocks = await BlockStore.open(db);
    const index = new TxIndex(db, blocks);
    const batch = new WriteBatch();
    putBlock(blocks, batch, 12);
    for (const [i, tx] of txs.entries()) index.put(batch, sha256(tx), 12, i);

    const before = await index.get(sha256(txs[1]!));
    expect(before?.height).toBe(12);
    expect(before?.index).toBe(1);
    expect(await new TxIndex(db, await BlockStore.open(db)).get(sha256(txs[1]!))).toBeUndefined(); // unwritten
    await db.write(batch);

    await db.close();
    db = await KyochiDb.open(dir);
    const reopened = new TxIndex(db, await BlockStore.open(db));
    for (const [i, tx] of txs.entries()) {
      const got = await reopened.get(sha256(tx));
      expect(Buffer.from(got!.hash)).toEqual(Buffer.from(sha256(tx)));
      expect(got?.height).toBe(12);
      expect(got?.index).toBe(i);
      expect(Buffer.from(got!.tx)).toEqual(Buffer.from(tx));
      expect(got?.result?.code).toBe(results[i]!.code);
      expect(got?.result?.gasUsed).toBe(results[i]!.gasUsed);
    }
    const failed = await reopened.get(sha256(txs[1]!));
    expect(failed?.result?.log).toBe("insufficient funds");
    const transfer = await reopened.get(sha256(txs[0]!));
    expect(transfer?.result?.events?.[0]?.attributes?.[0]?.value).toBe("5");
    expect(await reopened.has(sha256(txs[2]!))).toBe(true);
    expect(await reopened.get(sha256(Uint8Array.of(99)))).toBeUndefined();
    expect(await reopened.has(sha256(Uint8Array.of(99)))).toBe(false);
  });

  it("answers from memory for the last heights put, whose batches may not be written yet", async () => {
    const blocks = await BlockStore.open(db);
    const index = new TxIndex(db, blocks);
    const unwritten: WriteBatch[] = [];
    for (let height = 1; height <= 6; height++) {
      const batch = new WriteBatch();
      putBlock(blocks, batch, height);
      index.put(batch, sha256(Uint8Array.of(height)), height, 2);
      unwritten.push(batch);
    }
    // The block store keeps its last 4 heights readable too; older ones would need their batch.
    for (const height of [3, 4, 5, 6]) {
      const got = await index.get(sha256(Uint8Array.of(height)));
      expect([got?.height, got?.index]).toEqual([height, 2]);
    }
    expect(await index.has(sha256(Uint8Array.of(2)))).toBe(false);
    for (const batch of unwritten) await db.write(batch);
    expect((await index.get(sha256(Uint8Array.of(1))))?.height).toBe(1);
  });

  it("stores a 12-byte location per tx, not a copy of the tx and its result", async () => {
    const blocks = await BlockStore.open(db);
    const batch = new WriteBatch();
    putBlock(blocks, batch, 3);
    new TxIndex(db, blocks).put(batch, sha256(txs[1]!), 3, 1);
    await db.write(batch);
    const stored = await db.get(prefixed(Prefix.TxByHash, sha256(txs[1]!)));
    expect(Buffer.from(stored!).toString("hex")).toBe("0000000000000003" + "00000001");
  });

  it("reads the whole TxRecords that homes written by earlier versions hold", async () => {
    const tx = Uint8Array.of(4, 5, 6);
    const record = TxRecord.create({
      hash: sha256(tx),
      height: 7,
      index: 2,
      tx,
      result: { code: 9, log: "old" },
    });
    const batch = new WriteBatch();
    batch.put(prefixed(Prefix.TxByHash, sha256(tx)), encode(TxRecord, record));
    await db.write(batch);
    const got = await new TxIndex(db, await BlockStore.open(db)).get(sha256(tx));
    expect(got?.height).toBe(7);
    expect(got?.index).toBe(2);
    expect(Buffer.from(got!.tx)).toEqual(Buffer.from(tx));
    expect(got?.result?.log).toBe("old");
  });

  it("reports a location whose block is not stored as corrupt data", async () => {
    const blocks = await BlockStore.open(db);
    const batch = new WriteBatch();
    putBlock(blocks, batch, 1);
    const index = new TxIndex(db, blocks);
    index.put(batch, sha256(Uint8Array.of(1, 1)), 1, 3); // block 1 has 3 txs: no tx 3
    index.put(batch, sha256(Uint8Array.of(2, 2)), 2, 0); // no block 2
    await db.write(batch);
    for (const hash of [sha256(Uint8Array.of(1, 1)), sha256(Uint8Array.of(2, 2))]) {
      const err = await index.get(hash).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StateError);
      expect((err as StateError).code).toBe("CORRUPT_DATA");
    }
  });

  it("refuses a location outside its range", () => {
    const index = new TxIndex(db, {
      getTxAt: async () => undefined,
      getTxResultBytesAt: async () => undefined,
    });
    const batch = new WriteBatch();
    for (const [height, i] of [
      [0, 0],
      [1, -1],
      [1, 2 ** 32],
      [2 ** 53, 0],
    ] as const) {
      expect(() => index.put(batch, sha256(Uint8Array.of(1)), height, i)).toThrow(/bad tx location/);
    }
  });
});
