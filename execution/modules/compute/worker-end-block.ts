// The worker side of compute's block end: unbonding workers whose unbonding_done_height is this
// block get their stake back (to the operator) and leave, with their attestation and their GPU's
// binding. A worker that still has open jobs stays slashable until they settle: it is looked at
// again next block.
import { encodeAddress } from "../../../crypto/address.js";
import { WorkerStatus } from "../../../proto/index.js";
import { checkedAdd } from "../../amount.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { deleteWorkerAttestation } from "../attestation/worker-attestations.js";
import { makeEvent } from "../events.js";
import type { BlockEndContext } from "../types.js";
import { ALL_WORKERS, deleteWorker, loadWorker, unbondingAt, workerStake } from "./worker-records.js";

export async function endBlockWorkers(ctx: BlockEndContext): Promise<void> {
  const due = unbondingAt(ctx.height);
  for (const address of await due.all(ctx.store)) {
    await due.remove(ctx.store, address);
    const worker = await loadWorker(ctx.store, address);
    if (!worker || worker.status !== WorkerStatus.WORKER_STATUS_UNBONDING) continue;
    if (worker.activeJobs > 0) {
      await unbondingAt(ctx.height + 1).add(ctx.store, address);
      continue;
    }
    const stake = workerStake(worker);
    const operatorKey = accountStateKey(worker.operator);
    const account = await loadAccount(ctx.store, operatorKey);
    saveAccount(ctx.store, operatorKey, {
      nonce: account.nonce,
      balance: checkedAdd(account.balance, stake),
    });
    deleteWorker(ctx.store, address);
    await ALL_WORKERS.remove(ctx.store, address);
    await deleteWorkerAttestation(ctx.store, address);
    ctx.events.push(
      makeEvent("return_worker_stake", [
        ["worker", encodeAddress(address)],
        ["operator", encodeAddress(worker.operator)],
        ["amount", stake.toString()],
      ]),
    );
  }
}
