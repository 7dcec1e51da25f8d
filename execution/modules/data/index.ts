// Data: datasets, their license offers, and the licenses bought under them.
//   records.ts        state layout and loaders (the models module reads licenses through it)
//   validate.ts       stateless field bounds
//   access.ts         loads that refuse with "not found" / "not owner"
//   msgs-dataset.ts   register, transfer
//   msgs-offer.ts     add offer, retire offer
//   msgs-license.ts   buy a license (pays the dataset's owner)
//   views.ts          JSON shapes of the queries
//   queries.ts        dataset/<id>, datasets/<..>, license/<id>, licenses/<..>
// No params, no genesis section, no block hooks: everything happens in txs.
import type { Module, MsgHandler } from "../types.js";
import { msgRegisterDatasetHandler, msgTransferDatasetHandler } from "./msgs-dataset.js";
import { msgBuyLicenseHandler } from "./msgs-license.js";
import { msgAddLicenseOfferHandler, msgRetireLicenseOfferHandler } from "./msgs-offer.js";
import { DATA_QUERIES } from "./queries.js";
import { DATA_PREFIX } from "./records.js";

export { findDatasetView, findLicenseView, listDatasetViews, listLicenseViews } from "./queries.js";
export { licenseValidAt, loadDataset, loadLicense } from "./records.js";
export type { DatasetView, DatasetWithOffersView, LicenseOfferView, LicenseView } from "./views.js";

export const DATA_MSG_HANDLERS: {
  dataRegister: MsgHandler<"dataRegister">;
  dataAddOffer: MsgHandler<"dataAddOffer">;
  dataRetireOffer: MsgHandler<"dataRetireOffer">;
  dataTransfer: MsgHandler<"dataTransfer">;
  dataBuyLicense: MsgHandler<"dataBuyLicense">;
} = {
  dataRegister: msgRegisterDatasetHandler,
  dataAddOffer: msgAddLicenseOfferHandler,
  dataRetireOffer: msgRetireLicenseOfferHandler,
  dataTransfer: msgTransferDatasetHandler,
  dataBuyLicense: msgBuyLicenseHandler,
};

export const dataModule: Module = { name: "data", prefix: DATA_PREFIX, queries: DATA_QUERIES };
