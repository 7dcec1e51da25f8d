import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../crypto/hash.js";
import { encode } from "../proto/canonical.js";
import { Block, BlockIdFlag, BlockResults, Commit } from "../proto/index.js";
import { BlockStore } from "./block-store.js";
import { KyochiDb, Prefix, WriteBatch } from "./db.js";
import { StateError } from "./errors.js";

let dir: string;
let db: KyochiDb;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-blocks-"));
  db = await KyochiDb.open(dir);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function makeBlock(height: number): { block: Block; hash: Uint8Array; commit: Commit } {
  const block = Block.create({
    header: {
      chainId: "kyochi-test",
      height,
      timeMs: 1_700_000_000_000 + height * 1000,
      appHash: sha256(Uint8Array.of(height)),
    },
    txs: [Uint8Array.of(1, 2, height & 0xff)],
  });
  const hash = sha256(encode(Block, block));
  const commit = Commit.create({
    height,
    round: 0,
    blockHash: hash,
    signatures: [
      {
        flag: BlockIdFlag.BLOCK_ID_FLAG_COMMIT,
        validatorAddress: new Uint8Array(20).fill(7),
        timestampMs: 5,
        signature: new Uint8Array(64).fill(9),
      },
    ],
  });
  return { block, hash, commit };
}

function put(store: BlockStore, height: number): Promise<void> {
  const { block, hash, commit } = makeBlock(height);
  const batch = new WriteBatch();
  store.putBlock(batch, block, hash, commit);
  store.putBlockResults(
    batch,
    BlockResults.create({
      height,
      appHash: sha256(Uint8Array.of(height, 1)),
      txResults: [{ code: 0, gasUsed: 21 }],
    }),
  );
  return db.write(batch);
}

describe("BlockStore", () => {
  it("after a crash between the block-record store's write and the main store's, the block is not there and can be stored again", async () => {
    let store = await BlockStore.open(db);
    await put(store, 1);
    const { block, hash, commit } = makeBlock(2);
    const batch = new WriteBatch();
    store.putBlock(batch, block, hash, commit);
    store.putBlockResults(batch, BlockResults.create({ height: 2, appHash: sha256(Uint8Array.of(2)) }));
    // What a crash lets through: the block-record store's puts (written first), not the main batch.
    const landed = new WriteBatch();
    const recordPrefixes: number[] = [Prefix.Block, Prefix.Commit, Prefix.BlockResults];
    const isRecord = (k: Uint8Array) => recordPrefixes.includes(k[0] as number);
    batch.replay(
      (key, value) => {
        if (isRecord(key)) landed.put(key, value);
      },
      () => undefined,
    );
    await db.write(landed);
    expect(await db.get(Uint8Array.of(Prefix.Block, 0, 0, 0, 0, 0, 0, 0, 2))).toBeDefined();

    await db.close();
    db = await KyochiDb.open(dir);
    store = await BlockStore.open(db);
    expect(store.height).toBe(1);
    expect(await store.getBlock(2)).toBeUndefined();
    expect(await store.getCommit(2)).toBeUndefined();
    expect(await store.getBlockResults(2)).toBeUndefined();
    expect((await store.getBlock(1))?.header?.height).toBe(1);
    await put(store, 2);
    expect((await store.getBlock(2))?.header?.height).toBe(2);
  });

  it("stores blocks, hashes, commits and results by height and by hash, and survives a reopen", async () => {
    let store = await BlockStore.open(db);
    expect(store.height).toBe(0);
    expect(store.base).toBe(0);
    expect(await store.getBlock(1)).toBeUndefined();
    for (let h = 1; h <= 3; h++) await put(store, h);
    expect(store.height).toBe(3);
    expect(store.base).toBe(1);

    await db.close();
    db = await KyochiDb.open(dir);
    store = await BlockStore.open(db);
    expect(store.height).toBe(3);
    expect(store.base).toBe(1);
    const { block, hash } = makeBlock(2);
    const got = await store.getBlock(2);
    expect(got?.header?.height).toBe(2);
    expect(Buffer.from(encode(Block, got!))).toEqual(Buffer.from(encode(Block, block)));
    expect(Buffer.from((await store.getBlockBytes(2))!)).toEqual(Buffer.from(encode(Block, block)));
    expect(Buffer.from((await store.getBlockHash(2))!)).toEqual(Buffer.from(hash));
    const byHash = await store.getBlockByHash(hash);
    expect(byHash?.height).toBe(2);
    expect(byHash?.block.header?.chainId).toBe("kyochi-test");
    expect(await store.getBlockByHash(new Uint8Array(32))).toBeUndefined();
    const commit = await store.getCommit(2);
    expect(Buffer.from(commit!.blockHash)).toEqual(Buffer.from(hash));
    expect(commit!.signatures).toHaveLength(1);
    const results = await store.getBlockResults(3);
    expect(results?.txResults[0]?.gasUsed).toBe(21);
    expect(await store.getBlockResults(4)).toBeUndefined();
    expect(await store.getBlock(0)).toBeUndefined();
  });

  it("serves a block as soon as it is put, before the batch is written; nothing is written without the batch", async () => {
    const store = await BlockStore.open(db);
    const { block, hash, commit } = makeBlock(1);
    const batch = new WriteBatch();
    store.putBlock(batch, block, hash, commit);
    expect(store.height).toBe(1);
    expect((await store.getBlock(1))?.header?.height).toBe(1);
    expect((await store.getBlockByHash(hash))?.height).toBe(1);
    expect((await BlockStore.open(db)).height).toBe(0); // not on disk yet
    await db.write(batch);
    expect((await BlockStore.open(db)).height).toBe(1);
  });

  it("starts at the first block's height and then only accepts the next height", async () => {
    const store = await BlockStore.open(db);
    await put(store, 5);
    expect(store.base).toBe(5);
    const { block, hash, commit } = makeBlock(7);
    const err = (() => {
      try {
        store.putBlock(new WriteBatch(), block, hash, commit);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe("BLOCK_HEIGHT_MISMATCH");
    // A commit for another block is refused too.
    const six = makeBlock(6);
    const wrongCommit = Commit.create({ height: 6, round: 0, blockHash: new Uint8Array(32), signatures: [] });
    expect(() => store.putBlock(new WriteBatch(), six.block, six.hash, wrongCommit)).toThrow(StateError);
    expect(store.height).toBe(5);
  });
});
