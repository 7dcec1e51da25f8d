// JSON views of models, as queries answer them (snake_case, amounts as decimal strings, hashes
// 0x-hex, addresses kyo1...). Also the format names the CLI and the views share.
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { type License, ModelFormat, type ModelVersion } from "../../../proto/index.js";

export type ModelFormatName = "onnx" | "safetensors" | "gguf";

const FORMAT_NAMES: ReadonlyMap<ModelFormat, ModelFormatName> = new Map([
  [ModelFormat.MODEL_FORMAT_ONNX, "onnx"],
  [ModelFormat.MODEL_FORMAT_SAFETENSORS, "safetensors"],
  [ModelFormat.MODEL_FORMAT_GGUF, "gguf"],
]);

/** "onnx" | "safetensors" | "gguf", or undefined for UNSPECIFIED and unknown values. */
export function modelFormatName(format: ModelFormat): ModelFormatName | undefined {
  return FORMAT_NAMES.get(format);
}

/** The enum value of a format name (case-insensitive), or undefined. */
export function modelFormatFromName(name: string): ModelFormat | undefined {
  const wanted = name.toLowerCase();
  for (const [value, n] of FORMAT_NAMES) if (n === wanted) return value;
  return undefined;
}

export interface ModelView {
  id: number;
  name: string;
  version: string;
  owner: string;
  weights_hash: string;
  size_bytes: number;
  format: ModelFormatName | "unspecified";
  location_uri: string;
  card_hash: string;
  inference_fee: string;
  /** null for a model without parent. */
  parent_id: number | null;
  license_ids: number[];
  allow_derivatives: boolean;
  derivative_royalty_bps: number;
  deprecated: boolean;
  created_height: number;
  depth: number;
}

const hex = (b: Uint8Array): string => `0x${toHex(b)}`;

export function modelView(m: ModelVersion): ModelView {
  return {
    id: m.id,
    name: m.name,
    version: m.version,
    owner: encodeAddress(m.owner),
    weights_hash: hex(m.weightsHash),
    size_bytes: m.sizeBytes,
    format: modelFormatName(m.format) ?? "unspecified",
    location_uri: m.locationUri,
    card_hash: hex(m.cardHash),
    inference_fee: m.inferenceFee === "" ? "0" : m.inferenceFee,
    parent_id: m.parentId === 0 ? null : m.parentId,
    license_ids: [...m.licenseIds],
    allow_derivatives: m.allowDerivatives,
    derivative_royalty_bps: m.derivativeRoyaltyBps,
    deprecated: m.deprecated,
    created_height: m.createdHeight,
    depth: m.depth,
  };
}

export interface CitedLicenseView {
  license_id: number;
  dataset_id: number;
  /** Current owner of the dataset: who royalties are paid to; null if the dataset is missing. */
  dataset_owner: string | null;
  licensee: string;
  royalty_bps: number;
  commercial_use: boolean;
  training_allowed: boolean;
  /** 0 = never expires. */
  expires_height: number;
}

export function citedLicenseView(l: License, datasetOwner: Uint8Array | undefined): CitedLicenseView {
  return {
    license_id: l.id,
    dataset_id: l.datasetId,
    dataset_owner: datasetOwner ? encodeAddress(datasetOwner) : null,
    licensee: encodeAddress(l.licensee),
    royalty_bps: l.royaltyBps,
    commercial_use: l.commercialUse,
    training_allowed: l.trainingAllowed,
    expires_height: l.expiresHeight,
  };
}

export interface LineageEntryView {
  id: number;
  name: string;
  version: string;
  owner: string;
  depth: number;
  parent_id: number | null;
  deprecated: boolean;
  inference_fee: string;
  /** Share of a child's fees owed to this model's lineage (bps). */
  derivative_royalty_bps: number;
  licenses: CitedLicenseView[];
}
