// State growth: how block commit time, reads and proofs change as the state grows.
//
// One LevelDB and one state tree are filled to each size in turn (large unsynced batches), then
// blocks of transfers are committed: each transfer rewrites two ~40-byte account records, and a
// block's time is tree.commit() plus the fsynced LevelDB write of its batch.
//
//   node dist/scripts/bench/state-growth.js
// Env: KYOCHI_BENCH_QUICK=1 (small sizes), KYOCHI_BENCH_STATE_SIZES=10000,100000,1000000,
//      KYOCHI_BENCH_STATE_BLOCK_TXS=1000,10000, KYOCHI_BENCH_STATE_BLOCKS=5 (blocks per case),
//      KYOCHI_BENCH_STATE_CACHE_MB=256 (node cache).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { KyochiDb, WriteBatch } from "../../state/db.js";
import { JellyfishTree } from "../../state/tree/jmt.js";
import type { TreeUpdate } from "../../state/tree/types.js";

const ADDRESS_BYTES = 20;
const VALUE_BYTES = 40;
const FILL_BATCH = 100_000;

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  return raw.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name}: not a positive integer: ${s}`);
    return n;
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function max(xs: number[]): number {
  return Math.max(...xs);
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const f of fs.readdirSync(dir)) total += fs.statSync(path.join(dir, f)).size;
  return total;
}

const ms = (x: number) => Number(x.toFixed(1));

/** Account keys: a module byte then a 20-byte address, all in one buffer. */
class Accounts {
  private buf = Buffer.alloc(0);
  count = 0;
  grow(to: number): void {
    const next = Buffer.alloc(to * ADDRESS_BYTES);
    this.buf.copy(next);
    randomBytes((to - this.count) * ADDRESS_BYTES).copy(next, this.count * ADDRESS_BYTES);
    this.buf = next;
    this.count = to;
  }
  key(i: number): Uint8Array {
    const k = new Uint8Array(1 + ADDRESS_BYTES);
    k[0] = 0x01;
    k.set(this.buf.subarray(i * ADDRESS_BYTES, (i + 1) * ADDRESS_BYTES), 1);
    return k;
  }
  random(): number {
    return Math.floor(Math.random() * this.count);
  }
}

export async function run(): Promise<void> {
  const quick = process.env.KYOCHI_BENCH_QUICK === "1";
  const sizes = envList("KYOCHI_BENCH_STATE_SIZES", quick ? [10_000, 50_000] : [10_000, 100_000, 1_000_000]);
  const blockTxs = envList("KYOCHI_BENCH_STATE_BLOCK_TXS", quick ? [1_000] : [1_000, 10_000]);
  const [blocks] = envList("KYOCHI_BENCH_STATE_BLOCKS", [quick ? 3 : 5]);
  const [cacheMb] = envList("KYOCHI_BENCH_STATE_CACHE_MB", [256]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-bench-state-"));
  const db = await KyochiDb.open(dir);
  const tree = await JellyfishTree.open(db, { nodeCacheBytes: cacheMb! * 1024 * 1024 });
  const accounts = new Accounts();
  let version = -1;
  const commitRows: Record<string, number | string>[] = [];
  const readRows: Record<string, number | string>[] = [];

  const nextVersion = () => ++version;
  try {
    for (const size of sizes) {
      // Fill to `size` accounts.
      const fillStart = performance.now();
      const from = accounts.count;
      accounts.grow(size);
      for (let i = from; i < size; i += FILL_BATCH) {
        const updates: TreeUpdate[] = [];
        for (let j = i; j < Math.min(size, i + FILL_BATCH); j++)
          updates.push([accounts.key(j), randomBytes(VALUE_BYTES)]);
        const batch = new WriteBatch();
        await tree.commit(nextVersion(), updates, batch);
        await db.write(batch, false);
      }
      const fillMs = performance.now() - fillStart;

      for (const txs of blockTxs) {
        const commitMs: number[] = [];
        const writeMs: number[] = [];
        const totalMs: number[] = [];
        const phases = {
          prepare: [] as number[],
          load: [] as number[],
          apply: [] as number[],
          batch: [] as number[],
        };
        let diskReads = 0;
        let writeOps = 0;
        for (let b = 0; b < blocks!; b++) {
          const updates: TreeUpdate[] = [];
          for (let t = 0; t < txs; t++) {
            updates.push([accounts.key(accounts.random()), randomBytes(VALUE_BYTES)]);
            updates.push([accounts.key(accounts.random()), randomBytes(VALUE_BYTES)]);
          }
          const batch = new WriteBatch();
          const t0 = performance.now();
          await tree.commit(nextVersion(), updates, batch);
          const t1 = performance.now();
          await db.write(batch, true);
          const t2 = performance.now();
          const stats = tree.lastCommit!;
          phases.prepare.push(stats.prepareMs);
          phases.load.push(stats.loadMs);
          phases.apply.push(stats.applyMs);
          phases.batch.push(stats.batchMs);
          diskReads += stats.nodesReadFromDisk;
          commitMs.push(t1 - t0);
          writeMs.push(t2 - t1);
          totalMs.push(t2 - t0);
          writeOps += batch.size;
        }
        commitRows.push({
          accounts: size,
          "block txs": txs,
          updates: 2 * txs,
          "tree commit ms": ms(median(commitMs)),
          "(hash+sort / load / apply / batch)": [phases.prepare, phases.load, phases.apply, phases.batch]
            .map((p) => Math.round(median(p)))
            .join(" / "),
          "node reads": Math.round(diskReads / blocks!),
          "db write+fsync ms": ms(median(writeMs)),
          "total ms (median)": ms(median(totalMs)),
          "total ms (max)": ms(max(totalMs)),
          "writes/block": Math.round(writeOps / blocks!),
          "fill s": Number((fillMs / 1000).toFixed(1)),
        });
      }

      // Reads: awaited one-by-one gets, one getMany, a seek at an older version, proofs.
      const n = quick ? 500 : 2_000;
      const keys = Array.from({ length: n }, () => accounts.key(accounts.random()));
      let t = performance.now();
      for (const k of keys) await tree.get(k);
      const getUs = ((performance.now() - t) * 1000) / n;
      const many = Array.from({ length: 10_000 }, () => accounts.key(accounts.random()));
      t = performance.now();
      await tree.getMany(many);
      const getManyUs = ((performance.now() - t) * 1000) / many.length;
      const old = Math.max(tree.oldestVersion, tree.version - 2);
      t = performance.now();
      for (const k of keys) await tree.getAt(k, old);
      const getAtUs = ((performance.now() - t) * 1000) / n;
      let siblings = 0;
      let jsonBytes = 0;
      const proofs = quick ? 100 : 300;
      t = performance.now();
      for (let i = 0; i < proofs; i++) {
        const { proof } = await tree.prove(keys[i]!, tree.version);
        siblings += proof.siblings.length;
        jsonBytes += JSON.stringify(proof).length;
      }
      const proveUs = ((performance.now() - t) * 1000) / proofs;
      const avgSiblings = siblings / proofs;
      // Pruning: what dropping one block's worth of replaced nodes and values costs (a node that
      // keeps the last K versions does this once per block). Clear older history first, untimed.
      const clear = new WriteBatch();
      await tree.prune(tree.version, clear);
      await db.write(clear, false);
      const maxTxs = Math.max(...blockTxs);
      const block = new WriteBatch();
      const updates: TreeUpdate[] = [];
      for (let i = 0; i < 2 * maxTxs; i++)
        updates.push([accounts.key(accounts.random()), randomBytes(VALUE_BYTES)]);
      await tree.commit(nextVersion(), updates, block);
      await db.write(block, true);
      const pruneBatch = new WriteBatch();
      t = performance.now();
      await tree.prune(tree.version, pruneBatch);
      const pruneBuildMs = performance.now() - t;
      t = performance.now();
      await db.write(pruneBatch, true);
      const pruneWriteMs = performance.now() - t;

      readRows.push({
        accounts: size,
        "get µs": Math.round(getUs),
        "getMany µs/key": Number(getManyUs.toFixed(1)),
        "getAt(old) µs": Math.round(getAtUs),
        "prove µs": Math.round(proveUs),
        "proof depth": Number((avgSiblings / 15).toFixed(2)),
        "proof bytes (binary)": Math.round(avgSiblings * 32 + 64),
        "proof bytes (JSON)": Math.round(jsonBytes / proofs),
        [`prune 1 block (${maxTxs} txs) ms`]: `${ms(pruneBuildMs)} + ${ms(pruneWriteMs)} write`,
        "prune deletes": pruneBatch.size,
        "db MB": Number((dirBytes(dir) / 1e6).toFixed(0)),
      });
    }
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    "\nState growth: block commit = tree.commit + LevelDB batch write with fsync (each tx = 2 updates)",
  );
  console.table(commitRows);
  console.log("State reads and proofs (latest version unless noted)");
  console.table(readRows);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
