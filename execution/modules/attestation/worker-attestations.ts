// What accepted attestations leave in state (prefix 0x09), and the recent block hashes nonces are
// anchored to. This file is the only place that knows these keys.
//
//   [0x09, 0x12] ++ worker (20)        WorkerAttestation: the worker's current attestation
//   [0x09, 0x13] ++ device id (32)     worker address: the worker the GPU backs
//   [0x09, 0x14] ++ report digest (32) u64be(height accepted): a report is accepted once, ever
//   [0x09, 0x15] ++ u64be(height)      the hash of the block at that height (the last
//                                      attestation.anchor_window_blocks of them)
//   [0x09, 0x03]                       u64be(height) of the newest kept block hash (the block
//                                      before the last one begun): the anchor a daemon should use,
//                                      and how queries, which see only state, know the height
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { WorkerAttestation } from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { ATTESTATION_PREFIX } from "./records.js";

function key(tag: number, tail: Uint8Array): StateKey {
  const out = new Uint8Array(2 + tail.length);
  out[0] = ATTESTATION_PREFIX;
  out[1] = tag;
  out.set(tail, 2);
  return stateKey(out);
}

export const workerAttestationKey = (worker: Uint8Array): StateKey => key(0x12, worker);
export const deviceKey = (deviceId: Uint8Array): StateKey => key(0x13, deviceId);
export const reportDigestKey = (digest: Uint8Array): StateKey => key(0x14, digest);
export const blockHashKey = (height: number): StateKey => key(0x15, u64be(height));

export async function loadWorkerAttestation(
  reader: KvReader,
  worker: Uint8Array,
): Promise<WorkerAttestation | undefined> {
  const bytes = await reader.get(workerAttestationKey(worker));
  return bytes === undefined
    ? undefined
    : decodeCanonical<WorkerAttestation>(WorkerAttestation, bytes, "stored WorkerAttestation");
}

/** Whether `a` still counts at `height` (it counts up to and including its expires_height). */
export function attestationCurrent(a: WorkerAttestation, height: number): boolean {
  return height <= a.expiresHeight;
}

/** Stores `a` as its worker's attestation and binds its GPU to the worker. */
export function saveWorkerAttestation(store: KvStore, a: WorkerAttestation): void {
  store.set(workerAttestationKey(a.worker), encode(WorkerAttestation, a));
  store.set(deviceKey(a.deviceId), a.worker);
}

/** Forgets the worker's attestation and releases its GPU (a worker that left). */
export async function deleteWorkerAttestation(store: KvStore, worker: Uint8Array): Promise<void> {
  const a = await loadWorkerAttestation(store, worker);
  if (!a) return;
  store.delete(workerAttestationKey(worker));
  const holder = await store.get(deviceKey(a.deviceId));
  if (holder !== undefined && Buffer.from(holder).equals(Buffer.from(worker)))
    store.delete(deviceKey(a.deviceId));
}

/** The worker the GPU `deviceId` backs, if any. */
export async function deviceHolder(reader: KvReader, deviceId: Uint8Array): Promise<Uint8Array | undefined> {
  return reader.get(deviceKey(deviceId));
}

export function releaseDevice(store: KvStore, deviceId: Uint8Array): void {
  store.delete(deviceKey(deviceId));
}

/** The height at which a report with this digest was accepted, if it was. */
export async function reportSeenAt(reader: KvReader, digest: Uint8Array): Promise<number | undefined> {
  const bytes = await reader.get(reportDigestKey(digest));
  return bytes === undefined ? undefined : readU64be(bytes);
}

export function markReportSeen(store: KvStore, digest: Uint8Array, height: number): void {
  store.set(reportDigestKey(digest), u64be(height));
}

export async function loadBlockHash(reader: KvReader, height: number): Promise<Uint8Array | undefined> {
  return reader.get(blockHashKey(height));
}

export function saveBlockHash(store: KvStore, height: number, hash: Uint8Array): void {
  store.set(blockHashKey(height), hash);
}

export function deleteBlockHash(store: KvStore, height: number): void {
  store.delete(blockHashKey(height));
}

const NEWEST_ANCHOR_KEY = stateKey(Uint8Array.of(ATTESTATION_PREFIX, 0x03));

/** The newest height whose block hash is kept (0 before any). */
export async function loadNewestAnchorHeight(reader: KvReader): Promise<number> {
  const bytes = await reader.get(NEWEST_ANCHOR_KEY);
  return bytes === undefined ? 0 : readU64be(bytes);
}

export function saveNewestAnchorHeight(store: KvStore, height: number): void {
  store.set(NEWEST_ANCHOR_KEY, u64be(height));
}

/**
 * The height of the last block begun on this state: the newest kept hash is its previous block's.
 * 0 before the second block of the chain (no attestation can exist then).
 */
export async function loadStateHeight(reader: KvReader): Promise<number> {
  const newest = await loadNewestAnchorHeight(reader);
  return newest === 0 ? 0 : newest + 1;
}
