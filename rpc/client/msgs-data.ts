// Message builders for the data module (datasets, license offers, licenses), for the SDK and CLI.
// The signer of the tx is the owner (register, offers, transfer) or the buyer (buy-license).
import {
  Msg,
  MsgAddLicenseOffer,
  MsgBuyLicense,
  MsgRegisterDataset,
  MsgRetireLicenseOffer,
  MsgTransferDataset,
} from "../../proto/index.js";

export interface RegisterDatasetFields {
  name: string;
  /** 32-byte content root (`kyochi data hash`). */
  contentRoot: Uint8Array;
  sizeBytes: number;
  locationUri: string;
  format: string;
  /** sha256 of the description document; omit for none. */
  descriptionHash?: Uint8Array;
}

export interface LicenseOfferTerms {
  /** Base units per license; 0n = free. */
  price: bigint;
  /** 0 = perpetual. */
  durationBlocks: number;
  commercialUse: boolean;
  trainingAllowed: boolean;
  /** 0..10000. */
  royaltyBps: number;
  /** 0 = unlimited. */
  maxLicenses: number;
}

export function dataRegisterMsg(f: RegisterDatasetFields): Msg {
  return Msg.create({
    dataRegister: MsgRegisterDataset.create({
      name: f.name,
      contentRoot: f.contentRoot,
      sizeBytes: f.sizeBytes,
      locationUri: f.locationUri,
      format: f.format,
      descriptionHash: f.descriptionHash ?? new Uint8Array(0),
    }),
  });
}

export function dataAddOfferMsg(datasetId: number, t: LicenseOfferTerms): Msg {
  return Msg.create({
    dataAddOffer: MsgAddLicenseOffer.create({
      datasetId,
      price: t.price.toString(),
      durationBlocks: t.durationBlocks,
      commercialUse: t.commercialUse,
      trainingAllowed: t.trainingAllowed,
      royaltyBps: t.royaltyBps,
      maxLicenses: t.maxLicenses,
    }),
  });
}

export function dataRetireOfferMsg(datasetId: number, offerId: number): Msg {
  return Msg.create({ dataRetireOffer: MsgRetireLicenseOffer.create({ datasetId, offerId }) });
}

export function dataTransferMsg(datasetId: number, newOwner: Uint8Array): Msg {
  return Msg.create({ dataTransfer: MsgTransferDataset.create({ datasetId, newOwner }) });
}

export function dataBuyLicenseMsg(datasetId: number, offerId: number): Msg {
  return Msg.create({ dataBuyLicense: MsgBuyLicense.create({ datasetId, offerId }) });
}
