import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { KeyType } from "../proto/index.js";
import { CryptoError } from "./errors.js";
import { generateSigningKey, type SigningKey, verifySignature } from "./keys.js";
import { ed25519EdgeCases } from "./test-helpers.js";
import { BACKGROUND_CHUNK, INLINE_BATCH_LIMIT, type VerifyItem, VerifyPool } from "./verify-pool.js";

const SECP_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function highS(sig: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString("hex")}`);
  const out = Uint8Array.from(sig);
  out.set(Buffer.from((SECP_N - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}

const keys: SigningKey[] = [
  generateSigningKey(KeyType.KEY_TYPE_ED25519),
  generateSigningKey(KeyType.KEY_TYPE_ED25519),
  generateSigningKey(KeyType.KEY_TYPE_SECP256K1),
  generateSigningKey(KeyType.KEY_TYPE_SECP256K1),
];

/** Item i is valid or broken in one of several ways, chosen by i so every kind appears many times. */
function mixedItems(count: number): VerifyItem[] {
  const items: VerifyItem[] = [];
  for (let i = 0; i < count; i++) {
    const key = keys[i % keys.length] as SigningKey;
    const message = new TextEncoder().encode(`tx ${i} ${"x".repeat(i % 50)}`);
    const signature = key.sign(message);
    const item: VerifyItem = { keyType: key.type, publicKey: key.publicKey, message, signature };
    switch (Math.floor(i / keys.length) % 8) {
      case 1: {
        const bad = Uint8Array.from(signature);
        bad[i % 64] ^= 1;
        item.signature = bad;
        break;
      }
      case 2:
        item.message = new TextEncoder().encode(`other ${i}`);
        break;
      case 3:
        item.publicKey = (keys[(i + 1) % keys.length] as SigningKey).publicKey; // wrong key (maybe wrong length)
        break;
      case 4:
        item.signature = signature.subarray(0, 63);
        break;
      case 5:
        if (key.type === KeyType.KEY_TYPE_SECP256K1) item.signature = highS(signature);
        else item.publicKey = new Uint8Array(32).fill(0xff); // not a curve point
        break;
      case 6:
        item.message = new Uint8Array(0);
        item.signature = key.sign(item.message);
        break;
      default:
        break; // valid
    }
    items.push(item);
  }
  return items;
}

const expected = (items: VerifyItem[]) =>
  items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));

describe("VerifyPool", () => {
  let pool: VerifyPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it("matches verifySignature item by item on a mixed ed25519/secp256k1 batch", async () => {
    pool = VerifyPool.create(2);
    expect(pool.threads).toBe(2);
    const items = mixedItems(400);
    const want = expected(items);
    expect(want.filter(Boolean).length).toBeGreaterThan(50);
    expect(want.filter((v) => !v).length).toBeGreaterThan(50);
    expect(await pool.verifyBatch(items)).toEqual(want);
  });

  it("answers as verifySignature on Ed25519's edge cases, in the workers and in the background", async () => {
    pool = VerifyPool.create(2);
    const items: VerifyItem[] = ed25519EdgeCases().map((c) => ({
      keyType: KeyType.KEY_TYPE_ED25519,
      publicKey: c.key,
      message: c.message,
      signature: c.signature,
    }));
    const want = expected(items);
    expect(want.filter(Boolean)).toHaveLength(1);
    const many = Array.from({ length: 3 }, () => items).flat(); // above INLINE_BATCH_LIMIT
    expect(many.length).toBeGreaterThan(INLINE_BATCH_LIMIT);
    expect(await pool.verifyBatch(many)).toEqual([...want, ...want, ...want]);
    expect(await pool.verifyBatch(items, { background: true })).toEqual(want);
  });

  it("verifies small batches inline with the same results, and an empty batch", async () => {
    pool = VerifyPool.create(2);
    const items = mixedItems(INLINE_BATCH_LIMIT - 1);
    expect(await pool.verifyBatch(items)).toEqual(expected(items));
    expect(await pool.verifyBatch([])).toEqual([]);
  });

  it("sends background batches to the workers however small, with the same results", async () => {
    pool = VerifyPool.create(2);
    const items = mixedItems(150);
    expect(await pool.verifyBatch(items, { background: true })).toEqual(expected(items));
    expect(await pool.verifyBatch(items.slice(0, 1), { background: true })).toEqual(
      expected(items.slice(0, 1)),
    );
    // A worker that cannot answer shows that the batch went to one: it fails with the worker.
    pool.crashWorkerForTesting(0);
    pool.crashWorkerForTesting(1);
    await expect(pool.verifyBatch(items.slice(0, 2), { background: true })).rejects.toMatchObject({
      code: "VERIFY_WORKER_FAILED",
    });
    // The replaced workers take the background queue on.
    expect(await pool.verifyBatch(items.slice(0, 70), { background: true })).toEqual(
      expected(items.slice(0, 70)),
    );
  });

  it("verifies a block's batch ahead of a backlog of background batches", async () => {
    pool = VerifyPool.create(1);
    const chunk = mixedItems(BACKGROUND_CHUNK);
    const finished: string[] = [];
    const backlog = Array.from({ length: 20 }, (_, i) =>
      pool!.verifyBatch(chunk, { background: true }).then(() => finished.push(`background ${i}`)),
    );
    const block = mixedItems(INLINE_BATCH_LIMIT * 2);
    const answer = await pool.verifyBatch(block);
    finished.push("block");
    expect(answer).toEqual(expected(block));
    await Promise.all(backlog);
    // One background chunk was already with the worker; the block's went next.
    expect(finished.indexOf("block")).toBeLessThanOrEqual(1);
    expect(finished.filter((f) => f.startsWith("background"))).toEqual(
      Array.from({ length: 20 }, (_, i) => `background ${i}`),
    );
  });

  it("finishes a block's batch on the other worker while one worker gets no CPU", async () => {
    pool = VerifyPool.create(2);
    const release = pool.stallWorkerForTesting(0);
    // A fixed split would leave worker 0's half waiting until this timer lets the worker go.
    let releasedByTimer = false;
    const timer = setTimeout(() => {
      releasedByTimer = true;
      release();
    }, 15_000);
    const block = mixedItems(400);
    const answer = await pool.verifyBatch(block);
    clearTimeout(timer);
    release();
    expect(releasedByTimer).toBe(false);
    expect(answer).toEqual(expected(block));
    // Both workers serve the next batch as before.
    expect(await pool.verifyBatch(block)).toEqual(expected(block));
  });

  it("rejects queued background batches on close()", async () => {
    pool = VerifyPool.create(1);
    const chunk = mixedItems(BACKGROUND_CHUNK);
    const settled = Promise.allSettled(
      Array.from({ length: 5 }, () => pool!.verifyBatch(chunk, { background: true })),
    );
    await pool.close();
    const outcomes = await settled;
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    expect((outcomes[4] as PromiseRejectedResult).reason).toMatchObject({ code: "VERIFY_POOL_CLOSED" });
  });

  it("handles a large batch and concurrent batches on more workers than cores", async () => {
    pool = VerifyPool.create(3);
    const big = mixedItems(3000);
    const other = mixedItems(200).reverse();
    const [a, b] = await Promise.all([pool.verifyBatch(big), pool.verifyBatch(other)]);
    expect(a).toEqual(expected(big));
    expect(b).toEqual(expected(other));
  });

  it("rejects unknown key types like verifySignature does", async () => {
    pool = VerifyPool.create(1);
    const items = mixedItems(100);
    (items[7] as VerifyItem).keyType = 9 as KeyType;
    await expect(pool.verifyBatch(items)).rejects.toMatchObject({ code: "UNSUPPORTED_KEY_TYPE" });
  });

  it("fails the in-flight batch with VERIFY_WORKER_FAILED when a worker dies, then recovers", async () => {
    pool = VerifyPool.create(1);
    pool.crashWorkerForTesting(0);
    const items = mixedItems(200);
    const err = await pool.verifyBatch(items).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe("VERIFY_WORKER_FAILED");
    expect(await pool.verifyBatch(items)).toEqual(expected(items));
  });

  it("rejects in-flight and later batches after close()", async () => {
    const p = VerifyPool.create(2);
    const inFlight = p.verifyBatch(mixedItems(500)).catch((e: unknown) => e);
    await p.close();
    expect(await inFlight).toMatchObject({ code: "VERIFY_POOL_CLOSED" });
    await expect(p.verifyBatch(mixedItems(10))).rejects.toMatchObject({ code: "VERIFY_POOL_CLOSED" });
    await p.close(); // idempotent
  });

  it("refuses a non-positive thread count and a niceness outside 0..19", () => {
    expect(() => VerifyPool.create(0)).toThrow(CryptoError);
    expect(() => VerifyPool.create(1, -1)).toThrow(/niceness/);
    expect(() => VerifyPool.create(1, 20)).toThrow(/niceness/);
  });

  it("runs its workers at the given nice value, below the main thread (Linux)", async () => {
    const niceOf = (tid: string | number) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Field 19 of stat is the nice value; fields after the ")" of the name start at 3.
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    };
    const nices = () => readdirSync("/proc/self/task").map(niceOf);
    pool = VerifyPool.create(2, 7);
    // A batch large enough to go to both workers; by then each has set its priority.
    const items = mixedItems(400);
    expect(await pool.verifyBatch(items)).toEqual(expected(items));
    if (process.platform !== "linux") return; // other systems keep the workers' priority
    expect(nices().filter((n) => n === 7)).toHaveLength(2);
    // The process's main thread (its tid is the pid; thread ids are not in creation order once
    // the kernel's pid counter wraps).
    expect(niceOf(process.pid)).toBe(0);
  });
});
