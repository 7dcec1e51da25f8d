// Signature verification on every core. Verifying is the most expensive step of admitting and
// executing txs (~10k Ed25519 verifies/s per core), so batches are split across worker threads.
//
// The worker body is a self-contained JS source string run with `eval: true` instead of a file path:
// the same code then works from the TS sources (vitest) and from compiled dist/, and a worker can never
// be pointed at a .ts file Node cannot load. It depends only on node:crypto and sodium-native (by
// its resolved path: an eval'd worker has no module of its own to resolve from) and reproduces
// verifySignature (crypto/keys.ts) exactly, using the constants exported from there.
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { KeyType } from "../proto/index.js";
import { CryptoError } from "./errors.js";
import {
  PUBLIC_KEY_LENGTH,
  SECP256K1_HALF_N,
  SECP256K1_SPKI_PREFIX,
  SIGNATURE_LENGTH,
  verifySignature,
} from "./keys.js";

/** Where the workers load libsodium's bindings from (Ed25519, as verifySignature does). */
const SODIUM_NATIVE_PATH = createRequire(import.meta.url).resolve("sodium-native");

export interface VerifyItem {
  keyType: KeyType;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Nice value of the worker threads (Linux; 0 leaves them as they are). Under full CPU the node's
 * main thread must not wait for signature checks of txs that arrive faster than they can be
 * admitted: on a 4-validator devnet sharing two cores, workers at the main thread's priority made
 * votes arrive seconds late and rounds fail when load started; at 10-15 every height stayed in
 * round 0 (scripts/bench/devnet-load.ts). A worker with the CPU to itself runs as fast as before.
 */
export const DEFAULT_WORKER_NICENESS = 10;

/** Batches smaller than this verify on the calling thread: posting to a worker costs more than they do. */
export const INLINE_BATCH_LIMIT = 64;
/**
 * Most items of one background chunk: a block's checks, posted at once, wait behind at most one
 * such chunk per worker (about 5 ms of Ed25519).
 */
export const BACKGROUND_CHUNK = 64;

/**
 * Items a worker claims at a time from a block's batch (about 1.2 ms of Ed25519). Small enough that
 * when one worker got less CPU than the other, the other takes over the rest instead of idling.
 */
const SHARED_CHUNK = 16;

export interface VerifyBatchOptions {
  /**
   * Admission checks (checkTx): verified on the workers however few, in chunks of at most
   * BACKGROUND_CHUNK, with at most one chunk per worker in flight, so that a block's checks (the
   * default, posted at once) never queue behind thousands of txs waiting for admission. Under load
   * a proposal's unseen txs had waited seconds behind the mempool's backlog, holding up prevotes.
   */
  background?: boolean;
}

interface BackgroundJob {
  buffer: ArrayBuffer;
  resolve(results: Uint8Array): void;
  reject(err: Error): void;
}

// Shared batch layout: Int32 control words [next item to claim, items done, item count], the
// byte offset of each item (u32), one result byte per item, then the items as in `pack`.
const SHARED_NEXT = 0;
const SHARED_DONE = 1;
const SHARED_COUNT = 2;
const SHARED_CTRL_WORDS = 3;
const SHARED_HEADER_BYTES = 4 * SHARED_CTRL_WORDS;

// Packed chunk layout (one transferable ArrayBuffer per chunk, little-endian):
//   u32 count, u32 byte offset of each item, then per item: u8 keyType, u32 messageLength,
//   publicKey (32 or 33 bytes by key type), signature (64 bytes), message. Items with wrong
//   key/signature lengths never leave the calling thread (they verify as false there), so the
//   worker can trust the lengths.
// Reply: { id, results: Uint8Array } with 1 = valid, 0 = invalid, one byte per item in order.
//
// A block's batch (not background) is one SharedArrayBuffer posted to every worker, which claim
// SHARED_CHUNK items at a time until none are left (see packShared for the layout). A fixed split
// between the workers had left one of them idle while the other finished its half: in the
// transfers benchmark the main thread waited 100 to 250 ms per 10k-tx block for the next block's
// checks with only 1.4 to 1.75 cores busy, because the worker that had shared its core with the
// main thread during execution was far behind the one that had not.
const WORKER_SOURCE = `
"use strict";
const { parentPort, workerData } = require("node:worker_threads");
// On Linux a thread is a task with its own nice value, and setpriority(pid 0) changes the calling
// thread only: this worker yields the CPU to the node's main thread (consensus, networking).
if (process.platform === "linux" && workerData && workerData.niceness > 0) {
  try { require("node:os").setPriority(workerData.niceness); } catch {}
}
const { createPublicKey, verify } = require("node:crypto");
const sodium = require(${JSON.stringify(SODIUM_NATIVE_PATH)});
const ED25519 = ${KeyType.KEY_TYPE_ED25519};
const SECP256K1 = ${KeyType.KEY_TYPE_SECP256K1};
const SECP256K1_SPKI_PREFIX = Buffer.from("${Buffer.from(SECP256K1_SPKI_PREFIX).toString("hex")}", "hex");
const SECP256K1_HALF_N = Buffer.from("${SECP256K1_HALF_N.toString(16).padStart(64, "0")}", "hex");
const KEY_LENGTH = { [ED25519]: ${PUBLIC_KEY_LENGTH[KeyType.KEY_TYPE_ED25519]}, [SECP256K1]: ${PUBLIC_KEY_LENGTH[KeyType.KEY_TYPE_SECP256K1]} };
const SIG_LENGTH = ${SIGNATURE_LENGTH};
const KEY_CACHE_LIMIT = 50000;
const keyCache = new Map();

function secp256k1KeyObject(publicKey) {
  const id = publicKey.toString("base64");
  let key = keyCache.get(id);
  if (key) return key;
  key = createPublicKey({ key: Buffer.concat([SECP256K1_SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

function isZero(bytes) {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

// libsodium's bindings cannot read a SharedArrayBuffer (a block's batch): such items are copied
// into this worker's own buffer first.
let scratch = Buffer.alloc(4096);

function verifyEd25519(publicKey, message, signature) {
  if (!(signature.buffer instanceof SharedArrayBuffer)) {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey) === true;
  }
  const need = 96 + message.length;
  if (scratch.length < need) scratch = Buffer.alloc(2 * need);
  scratch.set(signature, 0);
  scratch.set(publicKey, 64);
  scratch.set(message, 96);
  return sodium.crypto_sign_verify_detached(scratch.subarray(0, 64), scratch.subarray(96, need), scratch.subarray(64, 96)) === true;
}

function verifyOne(type, publicKey, message, signature) {
  if (type === ED25519) return verifyEd25519(publicKey, message, signature);
  let key;
  try {
    key = secp256k1KeyObject(publicKey);
  } catch {
    return false;
  }
  // low-S rule: 0 < s <= n/2 (big-endian byte comparison of equal-length strings)
  const s = signature.subarray(32);
  if (isZero(s) || Buffer.compare(s, SECP256K1_HALF_N) > 0) return false;
  return verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);
}

/** Verifies the packed item at byte \`off\`. */
function verifyAt(bytes, view, off) {
  const type = bytes[off];
  const messageLength = view.getUint32(off + 1, true);
  off += 5;
  const keyLength = KEY_LENGTH[type];
  const publicKey = bytes.subarray(off, off + keyLength);
  off += keyLength;
  const signature = bytes.subarray(off, off + SIG_LENGTH);
  off += SIG_LENGTH;
  const message = bytes.subarray(off, off + messageLength);
  return verifyOne(type, publicKey, message, signature);
}

function claimShared(msg) {
  const sab = msg.buffer;
  const ctrl = new Int32Array(sab, 0, ${SHARED_CTRL_WORDS});
  const count = ctrl[${SHARED_COUNT}];
  const offsets = new Uint32Array(sab, ${SHARED_HEADER_BYTES}, count);
  const results = new Uint8Array(sab, ${SHARED_HEADER_BYTES} + 4 * count, count);
  const bytes = Buffer.from(sab);
  const view = new DataView(sab);
  for (;;) {
    const from = Atomics.add(ctrl, ${SHARED_NEXT}, ${SHARED_CHUNK});
    if (from >= count) return;
    const to = Math.min(count, from + ${SHARED_CHUNK});
    for (let i = from; i < to; i++) results[i] = verifyAt(bytes, view, offsets[i]) ? 1 : 0;
    // Whoever finishes the last items answers; the others find nothing left to claim.
    if (Atomics.add(ctrl, ${SHARED_DONE}, to - from) + (to - from) === count) {
      parentPort.postMessage({ id: msg.id, results: null });
    }
  }
}

parentPort.on("message", (msg) => {
  if (msg.type === "crash") throw new Error("verify worker crash requested");
  if (msg.type === "shared") return claimShared(msg);
  // Test hook: busy until the flag is set (or 30 s), like a worker starved of CPU.
  if (msg.type === "stall") return void Atomics.wait(new Int32Array(msg.flag), 0, 0, 30000);
  const bytes = Buffer.from(msg.buffer);
  const view = new DataView(msg.buffer);
  const count = view.getUint32(0, true);
  const results = new Uint8Array(count);
  for (let i = 0; i < count; i++) results[i] = verifyAt(bytes, view, view.getUint32(4 + 4 * i, true)) ? 1 : 0;
  parentPort.postMessage({ id: msg.id, results }, [results.buffer]);
});
`;

interface Pending {
  resolve(results: Uint8Array): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
}

interface WorkerReply {
  id: number;
  /** null: a shared batch is complete (its results are in its SharedArrayBuffer) */
  results: Uint8Array | null;
}

interface SharedPending {
  resolve(): void;
  reject(err: Error): void;
}

/**
 * A fixed set of worker threads verifying Ed25519/secp256k1 signatures with verifySignature's exact
 * semantics. Idle workers are unref'd, so a pool never keeps a process alive; a worker that dies
 * fails its in-flight batches with CryptoError("VERIFY_WORKER_FAILED") and is replaced.
 */
export class VerifyPool {
  readonly threads: number;
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private closed = false;
  /** Background chunks not yet posted, oldest first, and which workers have one in flight. */
  private readonly background: BackgroundJob[] = [];
  private readonly backgroundBusy: boolean[] = [];
  /** Block batches posted to every worker and not complete yet, by id. */
  private readonly shared = new Map<number, SharedPending>();

  private constructor(
    threads: number,
    private readonly niceness: number,
  ) {
    this.threads = threads;
    for (let i = 0; i < threads; i++) {
      this.slots.push(this.spawn(i));
      this.backgroundBusy.push(false);
    }
  }

  /**
   * Starts `threads` workers (default: os.availableParallelism()) at nice `niceness` (default
   * DEFAULT_WORKER_NICENESS; 0..19).
   */
  static create(
    threads: number = availableParallelism(),
    niceness: number = DEFAULT_WORKER_NICENESS,
  ): VerifyPool {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new CryptoError(
        "INVALID_ARGUMENT",
        `VerifyPool threads must be a positive integer, got ${threads}`,
      );
    }
    if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19) {
      throw new CryptoError("INVALID_ARGUMENT", `VerifyPool niceness must be 0..19, got ${niceness}`);
    }
    return new VerifyPool(threads, niceness);
  }

  /**
   * Verifies every item; result i is what verifySignature(items[i]...) returns. Rejects with
   * CryptoError("UNSUPPORTED_KEY_TYPE") if any item has an unknown key type (as verifySignature throws).
   * Batches smaller than INLINE_BATCH_LIMIT verify on the calling thread (fastest for that batch),
   * unless `background` (see VerifyBatchOptions).
   */
  async verifyBatch(items: VerifyItem[], opts: VerifyBatchOptions = {}): Promise<boolean[]> {
    if (this.closed) throw new CryptoError("VERIFY_POOL_CLOSED", "VerifyPool is closed");
    for (const item of items) {
      if (PUBLIC_KEY_LENGTH[item.keyType] === undefined) {
        throw new CryptoError("UNSUPPORTED_KEY_TYPE", `unsupported key type ${item.keyType}`);
      }
    }
    const background = opts.background === true;
    if (!background && items.length < INLINE_BATCH_LIMIT) {
      return items.map((it) => verifySignature(it.keyType, it.publicKey, it.message, it.signature));
    }

    const results = new Array<boolean>(items.length).fill(false);
    // Only well-formed items go to workers; the rest are false without further work.
    const sendable: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as VerifyItem;
      if (it.publicKey.length === PUBLIC_KEY_LENGTH[it.keyType] && it.signature.length === SIGNATURE_LENGTH) {
        sendable.push(i);
      }
    }
    if (!background) {
      if (sendable.length === 0) return results;
      const buffer = packShared(items, sendable);
      await this.postShared(buffer);
      const out = sharedResults(buffer);
      for (let k = 0; k < sendable.length; k++) results[sendable[k] as number] = out[k] === 1;
      return results;
    }
    const chunkCount = Math.ceil(sendable.length / BACKGROUND_CHUNK);
    const jobs: Promise<void>[] = [];
    for (let c = 0; c < chunkCount; c++) {
      const from = Math.floor((c * sendable.length) / chunkCount);
      const to = Math.floor(((c + 1) * sendable.length) / chunkCount);
      const indices = sendable.slice(from, to);
      const buffer = pack(items, indices);
      jobs.push(
        this.queueBackground(buffer).then((out) => {
          for (let k = 0; k < indices.length; k++) results[indices[k] as number] = out[k] === 1;
        }),
      );
    }
    await Promise.all(jobs);
    return results;
  }

  /** Stops the workers; in-flight and later batches reject with CryptoError("VERIFY_POOL_CLOSED"). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stops: Promise<number>[] = [];
    for (const job of this.background.splice(0)) {
      job.reject(new CryptoError("VERIFY_POOL_CLOSED", "VerifyPool closed with a batch queued"));
    }
    this.rejectShared(new CryptoError("VERIFY_POOL_CLOSED", "VerifyPool closed with a batch in flight"));
    for (const slot of this.slots) {
      slot.dead = true;
      this.rejectAll(slot, new CryptoError("VERIFY_POOL_CLOSED", "VerifyPool closed with a batch in flight"));
      stops.push(slot.worker.terminate());
    }
    await Promise.all(stops);
  }

  /**
   * Test hook: makes worker `index` throw an uncaught error before it handles its next batch, to
   * exercise crash handling. Not for production use.
   */
  crashWorkerForTesting(index = 0): void {
    const slot = this.slots[index];
    if (!slot) throw new CryptoError("INVALID_ARGUMENT", `no worker ${index}`);
    slot.worker.postMessage({ type: "crash" });
  }

  /**
   * Test hook: keeps worker `index` from taking any work until the returned function is called
   * (or 30 s pass), as a worker that gets no CPU would. Not for production use.
   */
  stallWorkerForTesting(index = 0): () => void {
    const slot = this.slots[index];
    if (!slot) throw new CryptoError("INVALID_ARGUMENT", `no worker ${index}`);
    const flag = new Int32Array(new SharedArrayBuffer(4));
    slot.worker.postMessage({ type: "stall", flag: flag.buffer });
    return () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    };
  }

  private queueBackground(buffer: ArrayBuffer): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      this.background.push({ buffer, resolve, reject });
      this.pumpBackground();
    });
  }

  /** Posts queued background chunks to the workers that have none in flight. */
  private pumpBackground(): void {
    for (let index = 0; index < this.threads && this.background.length > 0 && !this.closed; index++) {
      if (this.backgroundBusy[index]) continue;
      const job = this.background.shift() as BackgroundJob;
      this.backgroundBusy[index] = true;
      // The slot at this index when posting: a worker that dies is replaced at the same index.
      this.post(this.slots[index] as Slot, job.buffer)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.backgroundBusy[index] = false;
          this.pumpBackground();
        });
    }
  }

  /** Posts a packShared buffer to every worker; resolves when its last item is verified. */
  private postShared(buffer: SharedArrayBuffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const id = this.nextId++;
      this.shared.set(id, { resolve, reject });
      for (const slot of this.slots) {
        slot.worker.ref();
        slot.worker.postMessage({ type: "shared", id, buffer });
      }
    });
  }

  /**
   * A worker that dies may hold claimed items it never verifies, so every shared batch in flight
   * fails (the callers verify on their own thread instead).
   */
  private rejectShared(err: CryptoError): void {
    const pending = [...this.shared.values()];
    this.shared.clear();
    for (const p of pending) p.reject(err);
    this.unrefIdle();
  }

  /** Lets the process exit once no batch is in flight (idle workers never keep it alive). */
  private unrefIdle(): void {
    if (this.shared.size > 0) return;
    for (const slot of this.slots) if (slot.pending.size === 0) slot.worker.unref();
  }

  private post(slot: Slot, buffer: ArrayBuffer): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const id = this.nextId++;
      slot.pending.set(id, { resolve, reject });
      // Keep the process alive only while work is in flight.
      slot.worker.ref();
      slot.worker.postMessage({ type: "verify", id, buffer }, [buffer]);
    });
  }

  private spawn(index: number): Slot {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      name: `kyochi-verify-${index}`,
      workerData: { niceness: this.niceness },
    });
    const slot: Slot = { worker, pending: new Map(), dead: false };
    worker.unref();
    worker.on("message", (reply: WorkerReply) => {
      if (reply.results === null) {
        const shared = this.shared.get(reply.id);
        if (!shared) return;
        this.shared.delete(reply.id);
        this.unrefIdle();
        shared.resolve();
        return;
      }
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      slot.pending.delete(reply.id);
      this.unrefIdle();
      pending.resolve(reply.results);
    });
    worker.on("error", (err: Error) =>
      this.fail(index, slot, `verify worker ${index} failed: ${err.message}`),
    );
    worker.on("messageerror", (err: Error) =>
      this.fail(index, slot, `verify worker ${index} message error: ${err.message}`),
    );
    worker.on("exit", (code: number) =>
      this.fail(index, slot, `verify worker ${index} exited with code ${code}`),
    );
    return slot;
  }

  private fail(index: number, slot: Slot, reason: string): void {
    if (slot.dead) return;
    slot.dead = true;
    this.rejectAll(slot, new CryptoError("VERIFY_WORKER_FAILED", reason));
    this.rejectShared(new CryptoError("VERIFY_WORKER_FAILED", reason));
    void slot.worker.terminate();
    if (!this.closed && this.slots[index] === slot) this.slots[index] = this.spawn(index);
  }

  private rejectAll(slot: Slot, err: CryptoError): void {
    const pending = [...slot.pending.values()];
    slot.pending.clear();
    slot.worker.unref();
    for (const p of pending) p.reject(err);
  }
}

function packShared(items: VerifyItem[], indices: number[]): SharedArrayBuffer {
  const count = indices.length;
  const dataStart = SHARED_HEADER_BYTES + 5 * count;
  let size = dataStart;
  for (const i of indices) size += itemSize(items[i] as VerifyItem);
  const buffer = new SharedArrayBuffer(size);
  new Int32Array(buffer, 0, SHARED_CTRL_WORDS)[SHARED_COUNT] = count;
  const offsets = new Uint32Array(buffer, SHARED_HEADER_BYTES, count);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  let off = dataStart;
  for (let k = 0; k < count; k++) {
    offsets[k] = off;
    off = writeItem(items[indices[k] as number] as VerifyItem, bytes, view, off);
  }
  return buffer;
}

/** The result bytes of a complete shared batch. */
function sharedResults(buffer: SharedArrayBuffer): Uint8Array {
  const ctrl = new Int32Array(buffer, 0, SHARED_CTRL_WORDS);
  // An atomic read of the done count orders the reads below after the workers' result writes.
  Atomics.load(ctrl, SHARED_DONE);
  const count = ctrl[SHARED_COUNT] as number;
  return new Uint8Array(buffer, SHARED_HEADER_BYTES + 4 * count, count);
}

function itemSize(it: VerifyItem): number {
  return 5 + it.publicKey.length + SIGNATURE_LENGTH + it.message.length;
}

function writeItem(it: VerifyItem, bytes: Uint8Array, view: DataView, off: number): number {
  bytes[off] = it.keyType;
  view.setUint32(off + 1, it.message.length, true);
  off += 5;
  bytes.set(it.publicKey, off);
  off += it.publicKey.length;
  bytes.set(it.signature, off);
  off += SIGNATURE_LENGTH;
  bytes.set(it.message, off);
  return off + it.message.length;
}

function pack(items: VerifyItem[], indices: number[]): ArrayBuffer {
  let size = 4 + 4 * indices.length;
  for (const i of indices) size += itemSize(items[i] as VerifyItem);
  const buffer = new ArrayBuffer(size);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  view.setUint32(0, indices.length, true);
  let off = 4 + 4 * indices.length;
  for (let k = 0; k < indices.length; k++) {
    view.setUint32(4 + 4 * k, off, true);
    off = writeItem(items[indices[k] as number] as VerifyItem, bytes, view, off);
  }
  return buffer;
}
