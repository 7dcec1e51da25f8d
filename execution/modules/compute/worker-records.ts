// The worker side of compute's state (prefix 0x0a). Workers are stored as their protos (amounts as
// decimal strings); this file is the only place that knows their keys.
//
//   [0x0a, 0x10] ++ address (20)                Worker
//   [0x0a, 0x20]  KeyedList                     every registered worker (the `workers` list and
//                                               the candidates of assignment), in registration order
//   [0x0a, 0x21] ++ u64be(height)  KeyedList    workers whose unbonding completes at that height
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { Worker, WorkerReputation, WorkerStatus } from "../../../proto/index.js";
import { u64be } from "../../../state/db.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { KeyedList } from "../keyed-list.js";
import { COMPUTE_PREFIX } from "./prefix.js";

const WORKER_TAG = 0x10;

function key(tag: number, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + tail.length);
  out[0] = COMPUTE_PREFIX;
  out[1] = tag;
  out.set(tail, 2);
  return out;
}

export const workerKey = (address: Uint8Array): StateKey => stateKey(key(WORKER_TAG, address));

/** Every registered worker (removed when its unbonding completes). */
export const ALL_WORKERS = new KeyedList(Uint8Array.of(COMPUTE_PREFIX, 0x20));

/** Workers whose unbonding completes at `height` (processed by the worker end block). */
export const unbondingAt = (height: number): KeyedList => new KeyedList(key(0x21, u64be(height)));

export async function loadWorker(reader: KvReader, address: Uint8Array): Promise<Worker | undefined> {
  const bytes = await reader.get(workerKey(address));
  return bytes === undefined ? undefined : decodeCanonical<Worker>(Worker, bytes, "stored Worker");
}

/** The worker at `address`, or COMPUTE_WORKER_NOT_FOUND. */
export async function requireWorker(reader: KvReader, address: Uint8Array): Promise<Worker> {
  const w = await loadWorker(reader, address);
  if (!w)
    throw new ExecutionError(
      "COMPUTE_WORKER_NOT_FOUND",
      `no worker is registered at 0x${Buffer.from(address).toString("hex")}`,
    );
  return w;
}

export function saveWorker(store: KvStore, worker: Worker): void {
  store.set(workerKey(worker.address), encode(Worker, worker));
}

export function deleteWorker(store: KvStore, address: Uint8Array): void {
  store.delete(workerKey(address));
}

/** The bonded stake of a worker as an amount. */
export function workerStake(worker: Worker): bigint {
  return BigInt(worker.stake);
}

/** The reputation counters of a worker, zero-filled when absent. */
export function reputationOf(worker: Worker): WorkerReputation {
  return WorkerReputation.create({
    jobsAgreed: worker.reputation?.jobsAgreed ?? 0,
    jobsMinority: worker.reputation?.jobsMinority ?? 0,
    jobsMissed: worker.reputation?.jobsMissed ?? 0,
    auditsPassed: worker.reputation?.auditsPassed ?? 0,
    auditsFailed: worker.reputation?.auditsFailed ?? 0,
    slashes: worker.reputation?.slashes ?? 0,
    slashedTotal: worker.reputation?.slashedTotal || "0",
  });
}

export const WORKER_STATUS_NAMES: Readonly<Record<number, string>> = {
  [WorkerStatus.WORKER_STATUS_ACTIVE]: "active",
  [WorkerStatus.WORKER_STATUS_JAILED]: "jailed",
  [WorkerStatus.WORKER_STATUS_UNBONDING]: "unbonding",
};
