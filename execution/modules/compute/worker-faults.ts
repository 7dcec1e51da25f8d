// A worker's bookkeeping at assignment and settlement: open slots, reputation counters, slashing
// and jailing after repeated faults. Job settlement (and audits) call these; each loads the worker,
// changes it and saves it, so callers never hold a stale copy.
//
// Slashed stake goes to the audit pool: it pays the auditors that keep single-replica jobs honest.
import { encodeAddress } from "../../../crypto/address.js";
import { type Event, type Worker, WorkerStatus } from "../../../proto/index.js";
import { checkedAdd, formatAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { makeEvent } from "../events.js";
import { fractionOf } from "../staking/slash.js";
import { addToAuditPool } from "./audit-pool.js";
import type { ComputeParamsState } from "./params.js";
import { loadWorker, reputationOf, saveWorker, workerStake } from "./worker-records.js";

export type WorkerSlashReason = "missed" | "minority" | "audit";

async function mustLoad(store: KvStore, address: Uint8Array, what: string): Promise<Worker> {
  const w = await loadWorker(store, address);
  if (!w) throw new ExecutionError("INTERNAL", `${what}: no worker ${encodeAddress(address)}`);
  return w;
}

/**
 * Takes `bps` of the worker's stake (rounded down) into the audit pool and counts the fault in its
 * reputation by `reason`. A worker that no longer exists (its unbonding completed before a late
 * audit) loses nothing. Returns the amount slashed.
 */
export async function slashWorker(
  store: KvStore,
  address: Uint8Array,
  bps: number,
  reason: WorkerSlashReason,
  height: number,
  _params: ComputeParamsState,
  events: Event[],
): Promise<bigint> {
  const w = await loadWorker(store, address);
  if (!w) return 0n;
  const stake = workerStake(w);
  const amount = fractionOf(stake, bps);
  const rep = reputationOf(w);
  if (reason === "missed") rep.jobsMissed += 1;
  else if (reason === "minority") rep.jobsMinority += 1;
  else rep.auditsFailed += 1;
  if (amount > 0n) {
    rep.slashes += 1;
    rep.slashedTotal = formatAmount(checkedAdd(BigInt(rep.slashedTotal), amount));
  }
  w.stake = formatAmount(stake - amount);
  w.reputation = rep;
  saveWorker(store, w);
  await addToAuditPool(store, amount);
  events.push(
    makeEvent("slash_worker", [
      ["worker", encodeAddress(w.address)],
      ["operator", encodeAddress(w.operator)],
      ["reason", reason],
      ["amount", amount.toString()],
      ["stake", w.stake],
      ["height", String(height)],
    ]),
  );
  return amount;
}

/**
 * Counts one more consecutive fault; at compute.max_faults an active worker is jailed for
 * compute.jail_blocks (it gets no new jobs until it is unjailed) and its count starts over.
 */
export async function recordFault(
  store: KvStore,
  address: Uint8Array,
  height: number,
  params: ComputeParamsState,
  events: Event[],
): Promise<void> {
  const w = await loadWorker(store, address);
  if (!w) return;
  w.consecutiveFaults += 1;
  if (w.consecutiveFaults >= params.maxFaults && w.status === WorkerStatus.WORKER_STATUS_ACTIVE) {
    w.status = WorkerStatus.WORKER_STATUS_JAILED;
    w.jailedUntil = height + params.jailBlocks;
    w.consecutiveFaults = 0;
    events.push(
      makeEvent("jail_worker", [
        ["worker", encodeAddress(w.address)],
        ["operator", encodeAddress(w.operator)],
        ["jailed_until", String(w.jailedUntil)],
        ["faults", String(params.maxFaults)],
      ]),
    );
  }
  saveWorker(store, w);
}

/** The worker's result agreed with the quorum: one more agreed job, and its fault count resets. */
export async function recordAgreement(store: KvStore, address: Uint8Array): Promise<void> {
  const w = await loadWorker(store, address);
  if (!w) return;
  const rep = reputationOf(w);
  rep.jobsAgreed += 1;
  w.reputation = rep;
  w.consecutiveFaults = 0;
  saveWorker(store, w);
}

/** An audit re-ran one of the worker's single-replica jobs and matched its result. */
export async function recordAuditPassed(store: KvStore, address: Uint8Array): Promise<void> {
  const w = await loadWorker(store, address);
  if (!w) return;
  const rep = reputationOf(w);
  rep.auditsPassed += 1;
  w.reputation = rep;
  saveWorker(store, w);
}

/** One more open assignment (at assignment; eligibility already checked the free slot). */
export async function takeSlot(store: KvStore, address: Uint8Array): Promise<void> {
  const w = await mustLoad(store, address, "takeSlot");
  w.activeJobs += 1;
  saveWorker(store, w);
}

/** One open assignment fewer (settled, missed or failed). */
export async function releaseSlot(store: KvStore, address: Uint8Array): Promise<void> {
  const w = await mustLoad(store, address, "releaseSlot");
  if (w.activeJobs === 0)
    throw new ExecutionError("INTERNAL", `releaseSlot: worker ${encodeAddress(address)} has no open job`);
  w.activeJobs -= 1;
  saveWorker(store, w);
}
