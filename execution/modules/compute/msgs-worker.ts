// Worker messages, signed by the operator: register (its balance bonds the stake), update
// (capabilities, price, more stake), unbond (no new jobs; the stake comes back after
// compute.worker_unbonding_blocks once its open jobs are settled), unjail (after jailed_until).
import { addressFromPublicKey, encodeAddress } from "../../../crypto/address.js";
import { bytesEqual } from "../../../proto/canonical.js";
import { type Worker, Worker as WorkerMsg, WorkerReputation, WorkerStatus } from "../../../proto/index.js";
import { checkedAdd, formatAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { MsgContext, MsgHandler } from "../types.js";
import { COMPUTE_PARAMS_KEY, loadComputeParams } from "./params.js";
import {
  ALL_WORKERS,
  loadWorker,
  requireWorker,
  saveWorker,
  unbondingAt,
  workerKey,
} from "./worker-records.js";
import { checkCapabilities, checkWorkerKey, workerAmount } from "./worker-validate.js";

/** Moves `amount` out of the signer's balance (the fee was already taken by the ante handler). */
async function debitSender(ctx: MsgContext, amount: bigint): Promise<void> {
  const account = await loadAccount(ctx.store, ctx.senderKey);
  if (account.balance < amount)
    throw new ExecutionError("INSUFFICIENT_FUNDS", `balance ${account.balance} is below the stake ${amount}`);
  saveAccount(ctx.store, ctx.senderKey, { nonce: account.nonce, balance: account.balance - amount });
}

/** The worker `address`, operated by the signer and not leaving. */
async function ownWorker(ctx: MsgContext, address: Uint8Array | null | undefined): Promise<Worker> {
  const worker = await requireWorker(ctx.store, address ?? new Uint8Array(0));
  if (!bytesEqual(worker.operator, ctx.sender))
    throw new ExecutionError(
      "COMPUTE_NOT_OPERATOR",
      `worker ${encodeAddress(worker.address)} is operated by ${encodeAddress(worker.operator)}, not ${ctx.senderBech32}`,
    );
  if (worker.status === WorkerStatus.WORKER_STATUS_UNBONDING)
    throw new ExecutionError(
      "COMPUTE_WORKER_UNBONDING",
      `worker ${encodeAddress(worker.address)} is unbonding`,
    );
  return worker;
}

function workerAddressArg(address: Uint8Array | null | undefined): void {
  if (address?.length !== 20)
    throw new ExecutionError("COMPUTE_WORKER_NOT_FOUND", "worker must be a 20-byte address");
}

const workerKeys = (address: Uint8Array | null | undefined) =>
  address && address.length === 20 ? [workerKey(address), COMPUTE_PARAMS_KEY] : [COMPUTE_PARAMS_KEY];

export const msgRegisterWorkerHandler: MsgHandler<"computeRegisterWorker"> = {
  validate(msg) {
    checkWorkerKey(msg.keyType, msg.publicKey ?? new Uint8Array(0));
    workerAmount(msg.stake, "stake");
    workerAmount(msg.price, "price");
    checkCapabilities(msg.capabilities);
  },
  touchedKeys(msg) {
    return [
      workerKey(addressFromPublicKey(msg.keyType ?? 0, msg.publicKey ?? new Uint8Array(0))),
      COMPUTE_PARAMS_KEY,
    ];
  },
  async execute(ctx, msg) {
    const params = await loadComputeParams(ctx.store);
    const keyType = msg.keyType ?? 0;
    const publicKey = msg.publicKey ?? new Uint8Array(0);
    const address = addressFromPublicKey(keyType, publicKey);
    if (await loadWorker(ctx.store, address))
      throw new ExecutionError(
        "COMPUTE_WORKER_EXISTS",
        `worker ${encodeAddress(address)} is already registered`,
      );
    const stake = workerAmount(msg.stake, "stake");
    if (stake < params.minWorkerStake)
      throw new ExecutionError(
        "COMPUTE_STAKE_TOO_LOW",
        `stake ${stake} is below compute.min_worker_stake ${params.minWorkerStake}`,
      );
    await debitSender(ctx, stake);
    const worker = WorkerMsg.create({
      address,
      operator: ctx.sender,
      keyType,
      publicKey,
      stake: formatAmount(stake),
      capabilities: checkCapabilities(msg.capabilities),
      price: formatAmount(workerAmount(msg.price, "price")),
      status: WorkerStatus.WORKER_STATUS_ACTIVE,
      reputation: WorkerReputation.create({ slashedTotal: "0" }),
      registeredHeight: ctx.height,
    });
    saveWorker(ctx.store, worker);
    await ALL_WORKERS.add(ctx.store, address);
    ctx.events.push(
      makeEvent("register_worker", [
        ["worker", encodeAddress(address)],
        ["operator", ctx.senderBech32],
        ["stake", worker.stake],
        ["price", worker.price],
      ]),
    );
  },
};

export const msgUpdateWorkerHandler: MsgHandler<"computeUpdateWorker"> = {
  validate(msg) {
    workerAddressArg(msg.worker);
    if (msg.capabilities) checkCapabilities(msg.capabilities);
    if (msg.price) workerAmount(msg.price, "price");
    if (msg.addStake) workerAmount(msg.addStake, "add_stake");
  },
  touchedKeys: (msg) => workerKeys(msg.worker),
  async execute(ctx, msg) {
    const worker = await ownWorker(ctx, msg.worker);
    if (msg.capabilities) worker.capabilities = checkCapabilities(msg.capabilities);
    if (msg.price) worker.price = formatAmount(workerAmount(msg.price, "price"));
    const added = msg.addStake ? workerAmount(msg.addStake, "add_stake") : 0n;
    if (added > 0n) {
      await debitSender(ctx, added);
      worker.stake = formatAmount(checkedAdd(BigInt(worker.stake), added));
    }
    saveWorker(ctx.store, worker);
    ctx.events.push(
      makeEvent("update_worker", [
        ["worker", encodeAddress(worker.address)],
        ["operator", ctx.senderBech32],
        ["stake", worker.stake],
        ["price", worker.price],
        ["added_stake", added.toString()],
      ]),
    );
  },
};

export const msgUnbondWorkerHandler: MsgHandler<"computeUnbondWorker"> = {
  validate(msg) {
    workerAddressArg(msg.worker);
  },
  touchedKeys: (msg) => workerKeys(msg.worker),
  async execute(ctx, msg) {
    const worker = await ownWorker(ctx, msg.worker);
    const params = await loadComputeParams(ctx.store);
    worker.status = WorkerStatus.WORKER_STATUS_UNBONDING;
    worker.unbondingDoneHeight = ctx.height + params.workerUnbondingBlocks;
    saveWorker(ctx.store, worker);
    await unbondingAt(worker.unbondingDoneHeight).add(ctx.store, worker.address);
    ctx.events.push(
      makeEvent("unbond_worker", [
        ["worker", encodeAddress(worker.address)],
        ["operator", ctx.senderBech32],
        ["stake", worker.stake],
        ["done_height", String(worker.unbondingDoneHeight)],
      ]),
    );
  },
};

export const msgUnjailWorkerHandler: MsgHandler<"computeUnjailWorker"> = {
  validate(msg) {
    workerAddressArg(msg.worker);
  },
  touchedKeys: (msg) => workerKeys(msg.worker),
  async execute(ctx, msg) {
    const worker = await ownWorker(ctx, msg.worker);
    if (worker.status !== WorkerStatus.WORKER_STATUS_JAILED)
      throw new ExecutionError(
        "COMPUTE_WORKER_NOT_JAILED",
        `worker ${encodeAddress(worker.address)} is not jailed`,
      );
    if (ctx.height < worker.jailedUntil)
      throw new ExecutionError(
        "COMPUTE_JAIL_NOT_EXPIRED",
        `worker ${encodeAddress(worker.address)} is jailed until height ${worker.jailedUntil}`,
      );
    worker.status = WorkerStatus.WORKER_STATUS_ACTIVE;
    worker.jailedUntil = 0;
    saveWorker(ctx.store, worker);
    ctx.events.push(
      makeEvent("unjail_worker", [
        ["worker", encodeAddress(worker.address)],
        ["operator", ctx.senderBech32],
      ]),
    );
  },
};

export const WORKER_MSG_HANDLERS: {
  computeRegisterWorker: MsgHandler<"computeRegisterWorker">;
  computeUpdateWorker: MsgHandler<"computeUpdateWorker">;
  computeUnbondWorker: MsgHandler<"computeUnbondWorker">;
  computeUnjailWorker: MsgHandler<"computeUnjailWorker">;
} = {
  computeRegisterWorker: msgRegisterWorkerHandler,
  computeUpdateWorker: msgUpdateWorkerHandler,
  computeUnbondWorker: msgUnbondWorkerHandler,
  computeUnjailWorker: msgUnjailWorkerHandler,
};
