// Adding and retiring license offers. Offers never change once added (holders' licenses copy
// the terms anyway); an owner who wants new terms adds an offer and retires the old one.
import { LicenseOffer } from "../../../proto/index.js";
import { formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { makeEvent } from "../events.js";
import type { MsgHandler } from "../types.js";
import { requireOffer, requireOwnedDataset } from "./access.js";
import { datasetKey, MAX_OFFERS_PER_DATASET, offerKey, saveDataset, saveOffer } from "./records.js";
import { validateOfferTerms } from "./validate.js";

export const msgAddLicenseOfferHandler: MsgHandler<"dataAddOffer"> = {
  validate(msg) {
    // "0" is a free license; an empty string is not a price.
    parseAmount(msg.price ?? "", "MsgAddLicenseOffer.price");
    validateOfferTerms(msg);
  },
  touchedKeys(msg) {
    return msg.datasetId ? [datasetKey(msg.datasetId)] : [];
  },
  async execute(ctx, msg) {
    const price = parseAmount(msg.price ?? "", "MsgAddLicenseOffer.price");
    const dataset = await requireOwnedDataset(ctx, msg.datasetId ?? 0);
    if (dataset.offerCount >= MAX_OFFERS_PER_DATASET) {
      throw new ExecutionError(
        "TOO_MANY_OFFERS",
        `dataset ${dataset.id} already has ${dataset.offerCount} offers, the most allowed (${MAX_OFFERS_PER_DATASET})`,
      );
    }
    const offer = LicenseOffer.create({
      datasetId: dataset.id,
      offerId: dataset.offerCount + 1,
      price: formatAmount(price),
      durationBlocks: msg.durationBlocks ?? 0,
      commercialUse: msg.commercialUse ?? false,
      trainingAllowed: msg.trainingAllowed ?? false,
      royaltyBps: msg.royaltyBps ?? 0,
      maxLicenses: msg.maxLicenses ?? 0,
      sold: 0,
      retired: false,
      createdHeight: ctx.height,
    });
    dataset.offerCount = offer.offerId;
    saveDataset(ctx.store, dataset);
    saveOffer(ctx.store, offer);
    ctx.events.push(
      makeEvent("add_license_offer", [
        ["dataset_id", String(dataset.id)],
        ["offer_id", String(offer.offerId)],
        ["price", offer.price],
        ["duration_blocks", String(offer.durationBlocks)],
        ["commercial_use", String(offer.commercialUse)],
        ["training_allowed", String(offer.trainingAllowed)],
        ["royalty_bps", String(offer.royaltyBps)],
        ["max_licenses", String(offer.maxLicenses)],
      ]),
    );
  },
};

/** A retired offer sells nothing more; licenses already sold under it are untouched. */
export const msgRetireLicenseOfferHandler: MsgHandler<"dataRetireOffer"> = {
  validate() {},
  touchedKeys(msg) {
    return msg.datasetId && msg.offerId
      ? [datasetKey(msg.datasetId), offerKey(msg.datasetId, msg.offerId)]
      : [];
  },
  async execute(ctx, msg) {
    const dataset = await requireOwnedDataset(ctx, msg.datasetId ?? 0);
    const offer = await requireOffer(ctx.store, dataset.id, msg.offerId ?? 0);
    if (offer.retired) {
      throw new ExecutionError(
        "OFFER_RETIRED",
        `offer ${offer.offerId} of dataset ${dataset.id} is already retired`,
      );
    }
    offer.retired = true;
    saveOffer(ctx.store, offer);
    ctx.events.push(
      makeEvent("retire_license_offer", [
        ["dataset_id", String(dataset.id)],
        ["offer_id", String(offer.offerId)],
      ]),
    );
  },
};
