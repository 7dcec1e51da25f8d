// Buying a license: the buyer pays the offer's price to the dataset's current owner and receives a
// License carrying a copy of the offer's terms.
//
// Buying an offer of one's own dataset is allowed (an owner needs a license to cite its own data
// when registering a model): the price goes out and comes back, so it nets to zero, but like a
// bank send to oneself it still needs the balance, and it counts against max_licenses.
import { encodeAddress } from "../../../crypto/address.js";
import { License } from "../../../proto/index.js";
import { checkedAdd, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { makeEvent } from "../events.js";
import type { MsgContext, MsgHandler } from "../types.js";
import { requireDataset, requireOffer } from "./access.js";
import {
  datasetKey,
  licensesOfDataset,
  licensesOfLicensee,
  MAX_SOLD,
  offerKey,
  saveDataset,
  saveLicense,
  saveOffer,
  takeLicenseId,
} from "./records.js";

/** Moves `amount` from the signer to `to`; the recipient is read after the debit is written. */
async function pay(ctx: MsgContext, to: Uint8Array, amount: bigint): Promise<void> {
  if (amount === 0n) return;
  const buyer = await loadAccount(ctx.store, ctx.senderKey);
  if (buyer.balance < amount) {
    throw new ExecutionError("INSUFFICIENT_FUNDS", `balance ${buyer.balance} is below the price ${amount}`);
  }
  saveAccount(ctx.store, ctx.senderKey, { nonce: buyer.nonce, balance: buyer.balance - amount });
  const toKey = accountStateKey(to);
  const seller = await loadAccount(ctx.store, toKey);
  saveAccount(ctx.store, toKey, { nonce: seller.nonce, balance: checkedAdd(seller.balance, amount) });
}

export const msgBuyLicenseHandler: MsgHandler<"dataBuyLicense"> = {
  validate() {},
  touchedKeys(msg) {
    return msg.datasetId && msg.offerId
      ? [datasetKey(msg.datasetId), offerKey(msg.datasetId, msg.offerId)]
      : [];
  },
  async execute(ctx, msg) {
    const dataset = await requireDataset(ctx.store, msg.datasetId ?? 0);
    const offer = await requireOffer(ctx.store, dataset.id, msg.offerId ?? 0);
    const where = `offer ${offer.offerId} of dataset ${dataset.id}`;
    if (offer.retired) throw new ExecutionError("OFFER_RETIRED", `${where} is retired`);
    const cap = offer.maxLicenses > 0 ? offer.maxLicenses : MAX_SOLD;
    if (offer.sold >= cap) {
      throw new ExecutionError("OFFER_SOLD_OUT", `${where} has sold all of its ${cap} licenses`);
    }
    const price = parseAmount(offer.price, "stored offer price", "INTERNAL");
    await pay(ctx, dataset.owner, price);

    const id = await takeLicenseId(ctx.store);
    const license = License.create({
      id,
      licensee: ctx.sender,
      datasetId: dataset.id,
      offerId: offer.offerId,
      price: offer.price,
      durationBlocks: offer.durationBlocks,
      commercialUse: offer.commercialUse,
      trainingAllowed: offer.trainingAllowed,
      royaltyBps: offer.royaltyBps,
      grantedHeight: ctx.height,
      // The last valid height; a license bought at h for d blocks covers h..h+d-1.
      expiresHeight: offer.durationBlocks > 0 ? ctx.height + offer.durationBlocks - 1 : 0,
    });
    saveLicense(ctx.store, license);
    await licensesOfLicensee(ctx.sender).append(ctx.store, id);
    await licensesOfDataset(dataset.id).append(ctx.store, id);
    offer.sold += 1;
    saveOffer(ctx.store, offer);
    dataset.licenseCount += 1;
    saveDataset(ctx.store, dataset);
    ctx.events.push(
      makeEvent("buy_license", [
        ["license_id", String(id)],
        ["dataset_id", String(dataset.id)],
        ["offer_id", String(offer.offerId)],
        ["licensee", ctx.senderBech32],
        ["owner", encodeAddress(dataset.owner)],
        ["price", offer.price],
        ["expires_height", String(license.expiresHeight)],
      ]),
    );
  },
};
