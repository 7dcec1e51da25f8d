// tx_get's read path: the tx index stores where a tx is (height, index), and a lookup reads the
// tx and its result out of the stored block and BlockResults (state/tx-index.ts). This measures
// what that costs an RPC node, by block size: the first lookup in a block (reads both records and
// walks them), lookups of every tx of one block in order (an explorer's walk: the records are read
// once), and lookups spread at random over many blocks (each one a first lookup).
//
// Blocks of pseudo-random txs (165 bytes, a transfer's size) with transfer-shaped results are
// written to a fresh LevelDB; the database is reopened before measuring, so nothing is in the
// node's memory (the OS page cache still is, as on a node that serves reads). Lookups that move
// between the last 3 blocks stand for wallets and explorers following the chain's tip.
//
//   node dist/scripts/bench/tx-lookup.js
// Env: KYOCHI_BENCH_QUICK=1 (smaller), KYOCHI_BENCH_LOOKUP_BLOCK_TXS=100,1000,10000.
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { sha256 } from "../../crypto/hash.js";
import { encodeBlockResults } from "../../execution/result-encoding.js";
import { Block, BlockIdFlag, Commit, Event, TxResult } from "../../proto/index.js";
import { BlockStore } from "../../state/block-store.js";
import { KyochiDb, WriteBatch } from "../../state/db.js";
import { TxIndex } from "../../state/tx-index.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const BLOCK_SIZES = (process.env.KYOCHI_BENCH_LOOKUP_BLOCK_TXS ?? (QUICK ? "100,1000" : "100,1000,10000"))
  .split(",")
  .map((s) => Number(s.trim()));
const BLOCKS = QUICK ? 5 : 20;
const RANDOM_LOOKUPS = QUICK ? 50 : 400;
const TX_BYTES = 165;

function transferResult(i: number): TxResult {
  const address = `kyo1${"q".repeat(34)}${String(i % 1e4).padStart(4, "0")}`;
  return TxResult.create({
    code: 0,
    gasWanted: 100_000,
    gasUsed: 21_345,
    events: [
      Event.create({
        type: "tx",
        attributes: [
          { key: "fee", value: "100000" },
          { key: "fee_payer", value: address },
          { key: "nonce", value: String(i) },
        ],
      }),
      Event.create({
        type: "transfer",
        attributes: [
          { key: "sender", value: address },
          { key: "recipient", value: address },
          { key: "amount", value: "1000" },
        ],
      }),
    ],
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export async function run(): Promise<void> {
  const rows: Record<string, string>[] = [];
  for (const size of BLOCK_SIZES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-bench-lookup-"));
    try {
      let db = await KyochiDb.open(dir);
      let blocks = await BlockStore.open(db);
      let index = new TxIndex(db, blocks);
      const hashes: Uint8Array[][] = [];
      for (let height = 1; height <= BLOCKS; height++) {
        const txs = Array.from({ length: size }, () => randomBytes(TX_BYTES));
        const block = Block.create({
          header: { chainId: "kyochi-bench", height, timeMs: height * 1000 },
          txs,
        });
        const blockHash = sha256(Uint8Array.of(height & 0xff, height >> 8));
        const commit = Commit.create({
          height,
          blockHash,
          signatures: [{ flag: BlockIdFlag.BLOCK_ID_FLAG_COMMIT, signature: new Uint8Array(64) }],
        });
        const batch = new WriteBatch();
        blocks.putBlock(batch, block, blockHash, commit);
        const results = txs.map((_, i) => transferResult(i));
        blocks.putBlockResultsEncoded(
          batch,
          height,
          await encodeBlockResults(height, results, [], blockHash),
        );
        const txHashes = txs.map((tx) => sha256(tx));
        txHashes.forEach((hash, i) => {
          index.put(batch, hash, height, i);
        });
        hashes.push(txHashes);
        await db.write(batch, false);
      }
      await db.close();
      db = await KyochiDb.open(dir);
      blocks = await BlockStore.open(db);
      index = new TxIndex(db, blocks);

      const timed = async (hash: Uint8Array): Promise<number> => {
        const start = performance.now();
        const record = await index.get(hash);
        const elapsed = performance.now() - start;
        if (record === undefined) throw new Error("bench: an indexed tx was not found");
        return elapsed;
      };
      // First lookups: one tx of each block in turn, each block new to the index's memory.
      const first: number[] = [];
      for (const txHashes of hashes) first.push(await timed(txHashes[size >> 1] as Uint8Array));
      // An explorer's walk: every tx of one block, in order.
      const walk = hashes[BLOCKS >> 1] as Uint8Array[];
      const walkStart = performance.now();
      for (const hash of walk) await timed(hash);
      const walkMs = performance.now() - walkStart;
      // A wallet or explorer asking for txs of the last 3 blocks in turn.
      const recentStart = performance.now();
      const recentLookups = Math.min(3 * size, 3_000);
      for (let i = 0; i < recentLookups; i++) {
        const txHashes = hashes[BLOCKS - 1 - (i % 3)] as Uint8Array[];
        await timed(txHashes[(i * 7919) % size] as Uint8Array);
      }
      const recentMs = performance.now() - recentStart;
      // Random lookups over all the blocks (a block differs from the last one read almost always).
      const random: number[] = [];
      for (let i = 0; i < RANDOM_LOOKUPS; i++) {
        const txHashes = hashes[randomInt(BLOCKS)] as Uint8Array[];
        random.push(await timed(txHashes[randomInt(size)] as Uint8Array));
      }
      rows.push({
        "txs per block": size.toLocaleString("en-US"),
        "first lookup in a block, ms (median)": median(first).toFixed(3),
        "walk of one block, µs per tx": ((walkMs * 1000) / size).toFixed(1),
        "last 3 blocks in turn, µs per tx": ((recentMs * 1000) / recentLookups).toFixed(1),
        "random lookups, ms (median)": median(random).toFixed(3),
        "random lookups/s": Math.round(
          (1000 * random.length) / random.reduce((a, b) => a + b, 0),
        ).toLocaleString("en-US"),
      });
      await db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(
    `tx-lookup: ${BLOCKS} blocks per size, ${RANDOM_LOOKUPS} random lookups, txs of ${TX_BYTES} bytes, node ${process.version}`,
  );
  console.table(rows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
