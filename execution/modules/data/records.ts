// The data module's state layout (prefix 0x06). Records are stored as their protos (amounts as
// decimal strings); this file is the only place that knows the keys. The models module reads
// licenses and datasets through loadLicense / loadDataset.
//
//   [0x06, 0x01]                    (reserved for params)
//   [0x06, 0x02]                    next dataset id (u64be; ids start at 1)
//   [0x06, 0x03]                    next license id (u64be; ids start at 1)
//   [0x06, 0x10] ++ u64be(id)       Dataset
//   [0x06, 0x11] ++ u64be(id) ++ u32be(offer)   LicenseOffer
//   [0x06, 0x12] ++ u64be(id)       License
//   [0x06, 0x20]  SlotList          every dataset, by id (the `datasets` list)
//   [0x06, 0x21] ++ owner SlotList  datasets of an owner (transfer moves the id between lists)
//   [0x06, 0x22] ++ licensee        SlotList: licenses held by an address
//   [0x06, 0x23] ++ u64be(dataset)  SlotList: licenses sold for a dataset

import { u32be } from "../../../crypto/bytes.js";
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { Dataset, License, LicenseOffer } from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { SlotList } from "../slot-list.js";

export const DATA_PREFIX = 0x06;

/** Bounds of a dataset's fields (UTF-8 bytes for strings). */
export const MAX_NAME_BYTES = 128;
export const MAX_LOCATION_URI_BYTES = 512;
export const MAX_FORMAT_BYTES = 64;
/** content_root and description_hash are sha256-sized. */
export const HASH_BYTES = 32;
/**
 * Offers ever added to one dataset, retired ones included: `dataset/<id>` answers with every
 * offer, so this bounds that query's reads. An owner who needs more registers the data anew.
 */
export const MAX_OFFERS_PER_DATASET = 64;
export const MAX_ROYALTY_BPS = 10_000;
/** 2^40 blocks (~35,000 years at 1 s): keeps granted + duration far below 2^53. */
export const MAX_DURATION_BLOCKS = 2 ** 40;
/** LicenseOffer.sold is a uint32: an unlimited offer sells out at this count. */
export const MAX_SOLD = 0xffff_ffff;
const NEXT_DATASET_ID_KEY = stateKey(Uint8Array.of(DATA_PREFIX, 0x02));
const NEXT_LICENSE_ID_KEY = stateKey(Uint8Array.of(DATA_PREFIX, 0x03));
const DATASET_TAG = 0x10;
const OFFER_TAG = 0x11;
const LICENSE_TAG = 0x12;

function key(tag: number, ...parts: Uint8Array[]): StateKey {
  const size = parts.reduce((n, p) => n + p.length, 2);
  const out = new Uint8Array(size);
  out[0] = DATA_PREFIX;
  out[1] = tag;
  let off = 2;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return stateKey(out);
}

export const datasetKey = (id: number): StateKey => key(DATASET_TAG, u64be(id));
export const offerKey = (datasetId: number, offerId: number): StateKey =>
  key(OFFER_TAG, u64be(datasetId), u32be(offerId));
export const licenseKey = (id: number): StateKey => key(LICENSE_TAG, u64be(id));

/** Every dataset, in id order. */
export const ALL_DATASETS = new SlotList(Uint8Array.of(DATA_PREFIX, 0x20));
export const datasetsOfOwner = (owner: Uint8Array): SlotList => new SlotList(key(0x21, owner).bytes);
export const licensesOfLicensee = (licensee: Uint8Array): SlotList => new SlotList(key(0x22, licensee).bytes);
export const licensesOfDataset = (datasetId: number): SlotList =>
  new SlotList(key(0x23, u64be(datasetId)).bytes);

async function nextId(store: KvStore, counter: StateKey): Promise<number> {
  const bytes = await store.get(counter);
  const id = bytes === undefined ? 1 : readU64be(bytes);
  store.set(counter, u64be(id + 1));
  return id;
}

/** Takes the next dataset id (1, 2, 3...). */
export const takeDatasetId = (store: KvStore): Promise<number> => nextId(store, NEXT_DATASET_ID_KEY);
/** Takes the next license id (1, 2, 3...). */
export const takeLicenseId = (store: KvStore): Promise<number> => nextId(store, NEXT_LICENSE_ID_KEY);

export async function loadDataset(reader: KvReader, id: number): Promise<Dataset | undefined> {
  const bytes = await reader.get(datasetKey(id));
  return bytes === undefined ? undefined : decodeCanonical<Dataset>(Dataset, bytes, "stored Dataset");
}

export function saveDataset(store: KvStore, dataset: Dataset): void {
  store.set(datasetKey(dataset.id), encode(Dataset, dataset));
}

export async function loadOffer(
  reader: KvReader,
  datasetId: number,
  offerId: number,
): Promise<LicenseOffer | undefined> {
  const bytes = await reader.get(offerKey(datasetId, offerId));
  return bytes === undefined
    ? undefined
    : decodeCanonical<LicenseOffer>(LicenseOffer, bytes, "stored LicenseOffer");
}

export function saveOffer(store: KvStore, offer: LicenseOffer): void {
  store.set(offerKey(offer.datasetId, offer.offerId), encode(LicenseOffer, offer));
}

export async function loadLicense(reader: KvReader, id: number): Promise<License | undefined> {
  const bytes = await reader.get(licenseKey(id));
  return bytes === undefined ? undefined : decodeCanonical<License>(License, bytes, "stored License");
}

export function saveLicense(store: KvStore, license: License): void {
  store.set(licenseKey(license.id), encode(License, license));
}

/** Every offer of a dataset, by offer id (at most MAX_OFFERS_PER_DATASET reads). */
export async function loadOffers(reader: KvReader, dataset: Dataset): Promise<LicenseOffer[]> {
  const ids = Array.from({ length: dataset.offerCount }, (_, i) => i + 1);
  const offers = await Promise.all(ids.map((offerId) => loadOffer(reader, dataset.id, offerId)));
  return offers.filter((o): o is LicenseOffer => o !== undefined);
}

/** Whether `license` is valid at `height` (granted at or before it, not yet expired). */
export function licenseValidAt(license: License, height: number): boolean {
  return license.grantedHeight <= height && (license.expiresHeight === 0 || height <= license.expiresHeight);
}
