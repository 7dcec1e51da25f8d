// Royalty settlement: the one function that pays a model fee up the model's lineage. Used by the
// `model pay` tx and, later, by compute jobs.
//
// Rule (recursive, integer, floor), for model m and amount a:
//   - each license L that m cites pays the CURRENT owner of L's dataset floor(a * L.royalty_bps / 10000);
//   - if m has a parent p, the lineage share floor(a * p.derivative_royalty_bps / 10000) is settled the
//     same way as (p, share), one level deeper; at maxDepth the walk stops and that share stays with m;
//   - m's current owner gets what is left.
// Registration refuses a model whose cited royalty_bps plus its parent's derivative_royalty_bps
// exceed 10000, so every level hands out at most its amount and the payouts add up to `amount`
// exactly. Zero-amount shares are not paid (no payout, no event).
//
// Payments are not merged: an account paid through two legs (say the owner of a dataset cited by
// both a model and its parent) gets two payouts and two `royalty_payment` events, so every payment
// can be traced to the license or model it is owed for.
import { encodeAddress } from "../../../crypto/address.js";
import type { Event, ModelVersion } from "../../../proto/index.js";
import { checkedAdd, formatAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { loadDataset, loadLicense } from "../data/records.js";
import { makeEvent } from "../events.js";
import { loadModel } from "./records.js";

const BPS = 10_000n;

/** Why a payment was made: a cited dataset license, an ancestor's lineage share, or the paid model's owner. */
export type RoyaltyReason = "dataset" | "parent" | "owner";

export interface RoyaltyPayout {
  /** The model whose share this is paid from: the paid model (depth 0) or an ancestor. */
  modelId: number;
  /** 0 for the paid model, 1 for its parent, ... */
  depth: number;
  /** 20-byte address credited. */
  recipient: Uint8Array;
  amount: bigint;
  /** dataset: owner of a cited license's dataset; parent: owner of an ancestor; owner: owner of the paid model. */
  reason: RoyaltyReason;
  /** For reason "dataset": the cited license and its dataset. */
  licenseId?: number;
  datasetId?: number;
}

interface Settlement {
  store: KvStore;
  paidModelId: number;
  maxDepth: number;
  payouts: RoyaltyPayout[];
  events: Event[];
}

async function pay(s: Settlement, payout: RoyaltyPayout): Promise<void> {
  const key = accountStateKey(payout.recipient);
  const account = await loadAccount(s.store, key);
  saveAccount(s.store, key, { nonce: account.nonce, balance: checkedAdd(account.balance, payout.amount) });
  s.payouts.push(payout);
  const attributes: [string, string][] = [
    ["model_id", String(payout.modelId)],
    ["recipient", encodeAddress(payout.recipient)],
    ["amount", payout.amount.toString()],
    ["reason", payout.reason],
    ["depth", String(payout.depth)],
    ["paid_model_id", String(s.paidModelId)],
  ];
  if (payout.licenseId !== undefined) attributes.push(["license_id", String(payout.licenseId)]);
  if (payout.datasetId !== undefined) attributes.push(["dataset_id", String(payout.datasetId)]);
  s.events.push(makeEvent("royalty_payment", attributes));
}

function shareOf(amount: bigint, bps: number): bigint {
  return (amount * BigInt(bps)) / BPS;
}

async function settleLevel(s: Settlement, model: ModelVersion, amount: bigint, depth: number): Promise<void> {
  let rest = amount;
  for (const licenseId of model.licenseIds) {
    const license = await loadLicense(s.store, licenseId);
    if (!license)
      throw new ExecutionError("INTERNAL", `model ${model.id} cites missing license ${licenseId}`);
    const share = shareOf(amount, license.royaltyBps);
    if (share === 0n) continue;
    const dataset = await loadDataset(s.store, license.datasetId);
    if (!dataset) {
      throw new ExecutionError("INTERNAL", `license ${licenseId} names missing dataset ${license.datasetId}`);
    }
    rest -= share;
    await pay(s, {
      modelId: model.id,
      depth,
      recipient: dataset.owner,
      amount: share,
      reason: "dataset",
      licenseId,
      datasetId: dataset.id,
    });
  }
  if (model.parentId !== 0 && depth < s.maxDepth) {
    const parent = await loadModel(s.store, model.parentId);
    if (!parent)
      throw new ExecutionError("INTERNAL", `model ${model.id} names missing parent ${model.parentId}`);
    const share = shareOf(amount, parent.derivativeRoyaltyBps);
    if (share > 0n) {
      rest -= share;
      await settleLevel(s, parent, share, depth + 1);
    }
  }
  if (rest < 0n) {
    // Registration makes this impossible; refusing keeps a corrupted state from minting tokens.
    throw new ExecutionError("INTERNAL", `royalty shares of model ${model.id} exceed its amount ${amount}`);
  }
  if (rest > 0n) {
    await pay(s, {
      modelId: model.id,
      depth,
      recipient: model.owner,
      amount: rest,
      reason: depth === 0 ? "owner" : "parent",
    });
  }
}

/**
 * Pays `amount` (already debited from the payer by the caller) to the lineage of `modelId`,
 * crediting accounts in `store` and appending one `royalty_payment` event per payment to
 * `events`. Returns the payouts in payment order; their amounts add up to `amount`.
 * `maxDepth` is how many ancestors may be paid (models.max_lineage_depth).
 */
export async function settleModelFee(
  store: KvStore,
  modelId: number,
  amount: bigint,
  maxDepth: number,
  events: Event[],
): Promise<RoyaltyPayout[]> {
  formatAmount(amount); // refuses an amount outside 0..2^128-1
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 0) {
    throw new ExecutionError("INTERNAL", `maxDepth must be a non-negative integer, got ${maxDepth}`);
  }
  const model = await loadModel(store, modelId);
  if (!model) throw new ExecutionError("MODEL_NOT_FOUND", `no model has id ${modelId}`);
  const s: Settlement = { store, paidModelId: modelId, maxDepth, payouts: [], events };
  await settleLevel(s, model, amount, 0);
  return s.payouts;
}
