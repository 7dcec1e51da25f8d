// The JSON shapes of the data module's queries (snake_case; amounts decimal strings, hashes 0x-hex,
// addresses kyo1...). RPC serves these as they are.
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import type { Dataset, License, LicenseOffer } from "../../../proto/index.js";

export interface LicenseOfferView {
  dataset_id: number;
  offer_id: number;
  price: string;
  /** 0 = perpetual. */
  duration_blocks: number;
  commercial_use: boolean;
  training_allowed: boolean;
  royalty_bps: number;
  /** 0 = unlimited. */
  max_licenses: number;
  sold: number;
  retired: boolean;
  created_height: number;
}

export interface DatasetView {
  id: number;
  owner: string;
  name: string;
  content_root: string;
  size_bytes: number;
  location_uri: string;
  format: string;
  /** null when the dataset was registered without a description document. */
  description_hash: string | null;
  created_height: number;
  offer_count: number;
  license_count: number;
}

/** `dataset/<id>`: the dataset with every offer ever added, retired ones included. */
export interface DatasetWithOffersView extends DatasetView {
  offers: LicenseOfferView[];
}

export interface LicenseView {
  id: number;
  licensee: string;
  dataset_id: number;
  offer_id: number;
  price: string;
  duration_blocks: number;
  commercial_use: boolean;
  training_allowed: boolean;
  royalty_bps: number;
  granted_height: number;
  /** Last height at which the license is valid; 0 = never expires. */
  expires_height: number;
}

const hex = (bytes: Uint8Array): string => `0x${toHex(bytes)}`;

export function datasetView(d: Dataset): DatasetView {
  return {
    id: d.id,
    owner: encodeAddress(d.owner),
    name: d.name,
    content_root: hex(d.contentRoot),
    size_bytes: d.sizeBytes,
    location_uri: d.locationUri,
    format: d.format,
    description_hash: d.descriptionHash.length === 0 ? null : hex(d.descriptionHash),
    created_height: d.createdHeight,
    offer_count: d.offerCount,
    license_count: d.licenseCount,
  };
}

export function offerView(o: LicenseOffer): LicenseOfferView {
  return {
    dataset_id: o.datasetId,
    offer_id: o.offerId,
    price: o.price,
    duration_blocks: o.durationBlocks,
    commercial_use: o.commercialUse,
    training_allowed: o.trainingAllowed,
    royalty_bps: o.royaltyBps,
    max_licenses: o.maxLicenses,
    sold: o.sold,
    retired: o.retired,
    created_height: o.createdHeight,
  };
}

export function licenseView(l: License): LicenseView {
  return {
    id: l.id,
    licensee: encodeAddress(l.licensee),
    dataset_id: l.datasetId,
    offer_id: l.offerId,
    price: l.price,
    duration_blocks: l.durationBlocks,
    commercial_use: l.commercialUse,
    training_allowed: l.trainingAllowed,
    royalty_bps: l.royaltyBps,
    granted_height: l.grantedHeight,
    expires_height: l.expiresHeight,
  };
}
