// The ceiling the tx pipeline is measured against: how fast this machine verifies signatures (one
// core: what verifySignature uses (libsodium for Ed25519, OpenSSL for secp256k1) against OpenSSL's
// Ed25519 and pure JS; all cores through VerifyPool) and how fast LevelDB takes batched puts and
// serves one-by-one gets. Sizes: KYOCHI_BENCH_QUICK=1 shrinks everything; KYOCHI_BENCH_SCALE=<x>
// multiplies the default sizes.
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { ed25519 } from "@noble/curves/ed25519.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "../../crypto/hash.js";
import { ED25519_SPKI_PREFIX, generateSigningKey, verifySignature } from "../../crypto/keys.js";
import { type VerifyItem, VerifyPool } from "../../crypto/verify-pool.js";
import { KeyType } from "../../proto/index.js";
import { KyochiDb, WriteBatch } from "../../state/db.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const SCALE = Number(process.env.KYOCHI_BENCH_SCALE ?? "1") * (QUICK ? 0.1 : 1);
const size = (n: number) => Math.max(1, Math.round(n * SCALE));

interface Row {
  measure: string;
  count: number;
  seconds: string;
  "ops/s": string;
}

function row(measure: string, count: number, ms: number): Row {
  return {
    measure,
    count,
    seconds: (ms / 1000).toFixed(2),
    "ops/s": Math.round((count * 1000) / ms).toLocaleString("en-US"),
  };
}

/** `count` signed messages from a few keys (many txs share a sender, as in real blocks). */
function signedItems(type: KeyType, count: number): VerifyItem[] {
  const keys = Array.from({ length: 16 }, () => generateSigningKey(type));
  const items: VerifyItem[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys[i % keys.length];
    if (!key) throw new Error("unreachable");
    const message = sha256(new TextEncoder().encode(`bench tx ${i}`));
    items.push({ keyType: type, publicKey: key.publicKey, message, signature: key.sign(message) });
  }
  return items;
}

function timeVerify(items: VerifyItem[], check: (it: VerifyItem) => boolean): number {
  const start = performance.now();
  let ok = 0;
  for (const it of items) if (check(it)) ok++;
  const ms = performance.now() - start;
  if (ok !== items.length) throw new Error(`bench: only ${ok}/${items.length} signatures verified`);
  return ms;
}

async function verifyRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const native = (it: VerifyItem) => verifySignature(it.keyType, it.publicKey, it.message, it.signature);

  const ed = signedItems(KeyType.KEY_TYPE_ED25519, size(20_000));
  timeVerify(ed.slice(0, 200), native); // warm the key cache and JIT
  rows.push(row("ed25519 verify, 1 core, libsodium (verifySignature)", ed.length, timeVerify(ed, native)));
  const edKeys = new Map<Uint8Array, KeyObject>();
  const openssl = (it: VerifyItem) => {
    let key = edKeys.get(it.publicKey);
    if (key === undefined) {
      key = createPublicKey({
        key: Buffer.concat([ED25519_SPKI_PREFIX, it.publicKey]),
        format: "der",
        type: "spki",
      });
      edKeys.set(it.publicKey, key);
    }
    return verify(null, it.message, key, it.signature);
  };
  timeVerify(ed.slice(0, 200), openssl);
  rows.push(
    row("ed25519 verify, 1 core, node:crypto (OpenSSL, key reused)", ed.length, timeVerify(ed, openssl)),
  );
  const edNoble = ed.slice(0, size(2_000));
  rows.push(
    row(
      "ed25519 verify, 1 core, @noble/curves",
      edNoble.length,
      timeVerify(edNoble, (it) => ed25519.verify(it.signature, it.message, it.publicKey)),
    ),
  );

  const k1 = signedItems(KeyType.KEY_TYPE_SECP256K1, size(10_000));
  timeVerify(k1.slice(0, 200), native);
  rows.push(
    row("secp256k1 verify, 1 core, node:crypto (verifySignature)", k1.length, timeVerify(k1, native)),
  );
  const k1Noble = k1.slice(0, size(1_000));
  rows.push(
    row(
      "secp256k1 verify, 1 core, @noble/curves",
      k1Noble.length,
      // noble hashes the message with sha256 and enforces low-S by default, like verifySignature.
      timeVerify(k1Noble, (it) => secp256k1.verify(it.signature, it.message, it.publicKey)),
    ),
  );

  const pool = VerifyPool.create();
  try {
    await pool.verifyBatch(ed.slice(0, 1_000)); // start the workers and warm their key caches
    for (const batchSize of [1_000, 10_000]) {
      // Batches cycle over the signed items, so a batch may be larger than the set of distinct signatures.
      const batch = Array.from({ length: batchSize }, (_, i) => ed[i % ed.length] as VerifyItem);
      const batches = Math.max(2, Math.round((2 * ed.length) / batchSize));
      const start = performance.now();
      let verified = 0;
      for (let b = 0; b < batches; b++) {
        const results = await pool.verifyBatch(batch);
        if (results.some((r) => !r)) throw new Error("bench: a pool verification failed");
        verified += batch.length;
      }
      rows.push(
        row(
          `ed25519 verify, ${pool.threads} threads, VerifyPool, batches of ${batchSize}`,
          verified,
          performance.now() - start,
        ),
      );
    }
  } finally {
    await pool.close();
  }
  return rows;
}

async function levelRows(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "kyochi-bench-db-"));
  const db = await KyochiDb.open(dir);
  try {
    const batchSize = 10_000;
    const batches = Math.max(1, Math.round(size(200_000) / batchSize));
    const keys: Uint8Array[] = [];
    const value = new Uint8Array(100).fill(7);
    let putMs = 0;
    for (let b = 0; b < batches; b++) {
      const batch = new WriteBatch();
      for (let i = 0; i < batchSize; i++) {
        const key = sha256(Uint8Array.of(b >> 8, b & 0xff, i >> 8, i & 0xff)); // random-looking 32-byte keys
        keys.push(key);
        batch.put(key, value);
      }
      const start = performance.now();
      await db.write(batch, true); // one fsync per batch, as a committed block does
      putMs += performance.now() - start;
    }
    const rows = [
      row(`LevelDB batched puts (batches of ${batchSize}, 32B keys, 100B values)`, keys.length, putMs),
    ];

    const gets = Math.min(keys.length, size(50_000));
    const start = performance.now();
    for (let i = 0; i < gets; i++) {
      const key = keys[(i * 7919) % keys.length] as Uint8Array; // spread reads across the key space
      if ((await db.get(key)) === undefined) throw new Error("bench: a written key is missing");
    }
    rows.push(row("LevelDB one-by-one awaited gets", gets, performance.now() - start));
    return rows;
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  console.log(
    `crypto-ceiling: ${availableParallelism()} cores, node ${process.version}${QUICK ? " (quick)" : ""}, scale ${SCALE}`,
  );
  const rows = [...(await verifyRows()), ...(await levelRows())];
  console.table(rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
