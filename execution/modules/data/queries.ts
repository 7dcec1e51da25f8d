// Data queries (app.query paths; answers are UTF-8 JSON):
//   dataset/<id>                                  DatasetWithOffersView
//   datasets/<cursor=&limit=&owner=kyo1..>        {"datasets": DatasetView[], "next_cursor": n|null}
//   license/<id>                                  LicenseView
//   licenses/<licensee=kyo1..|dataset=<id>&cursor=&limit=>  {"licenses": LicenseView[], "next_cursor": n|null}
// List pages come from SlotLists, so a cursor stays valid while items are added or moved away.
// A `datasets` page leaves out the offers (up to 64 per dataset): `dataset/<id>` has them.
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parseAddress } from "../accounts/index.js";
import { parsePageArgs, type SlotList } from "../slot-list.js";
import type { QueryAnswer } from "../types.js";
import { requireDataset } from "./access.js";
import {
  ALL_DATASETS,
  datasetsOfOwner,
  licensesOfDataset,
  licensesOfLicensee,
  loadDataset,
  loadLicense,
  loadOffers,
} from "./records.js";
import {
  type DatasetView,
  type DatasetWithOffersView,
  datasetView,
  type LicenseView,
  licenseView,
  offerView,
} from "./views.js";

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

/** A positive id in decimal (no sign, no leading zeros, at most 2^53-1). */
function parseId(text: string, what: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `${what} must be a positive integer, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

export async function findDatasetView(reader: KvReader, id: number): Promise<DatasetWithOffersView> {
  const dataset = await requireDataset(reader, id);
  const offers = await loadOffers(reader, dataset);
  return { ...datasetView(dataset), offers: offers.map(offerView) };
}

export async function findLicenseView(reader: KvReader, id: number): Promise<LicenseView> {
  const license = await loadLicense(reader, id);
  if (!license) throw new ExecutionError("LICENSE_NOT_FOUND", `no license with id ${id}`);
  return licenseView(license);
}

async function pageOf<T>(
  reader: KvReader,
  list: SlotList,
  cursor: number,
  limit: number,
  load: (id: number) => Promise<T>,
): Promise<{ items: T[]; next_cursor: number | null }> {
  const page = await list.page(reader, cursor, limit);
  return { items: await Promise.all(page.ids.map(load)), next_cursor: page.nextCursor };
}

export async function listDatasetViews(
  reader: KvReader,
  arg: string,
): Promise<{ datasets: DatasetView[]; next_cursor: number | null }> {
  const { cursor, limit, filters } = parsePageArgs(arg, ["owner"]);
  const owner = filters.get("owner");
  const list =
    owner === undefined ? ALL_DATASETS : datasetsOfOwner(parseAddress(owner, "QUERY_INVALID_ARGUMENT"));
  const { items, next_cursor } = await pageOf(reader, list, cursor, limit, async (id) => {
    const dataset = await loadDataset(reader, id);
    if (!dataset) throw new ExecutionError("INTERNAL", `dataset list names unknown dataset ${id}`);
    return datasetView(dataset);
  });
  return { datasets: items, next_cursor };
}

export async function listLicenseViews(
  reader: KvReader,
  arg: string,
): Promise<{ licenses: LicenseView[]; next_cursor: number | null }> {
  const { cursor, limit, filters } = parsePageArgs(arg, ["licensee", "dataset"]);
  const licensee = filters.get("licensee");
  const dataset = filters.get("dataset");
  if ((licensee === undefined) === (dataset === undefined)) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      "licenses needs exactly one of licensee=kyo1.. or dataset=<id>",
    );
  }
  const list =
    licensee !== undefined
      ? licensesOfLicensee(parseAddress(licensee, "QUERY_INVALID_ARGUMENT"))
      : licensesOfDataset(parseId(dataset ?? "", "dataset"));
  const { items, next_cursor } = await pageOf(reader, list, cursor, limit, async (id) => {
    const license = await loadLicense(reader, id);
    if (!license) throw new ExecutionError("INTERNAL", `license list names unknown license ${id}`);
    return licenseView(license);
  });
  return { licenses: items, next_cursor };
}

export const DATA_QUERIES = {
  async dataset(reader: KvReader, arg: string): Promise<QueryAnswer> {
    return { value: json(await findDatasetView(reader, parseId(arg, "dataset id"))) };
  },
  async datasets(reader: KvReader, arg: string): Promise<QueryAnswer> {
    return { value: json(await listDatasetViews(reader, arg)) };
  },
  async license(reader: KvReader, arg: string): Promise<QueryAnswer> {
    return { value: json(await findLicenseView(reader, parseId(arg, "license id"))) };
  },
  async licenses(reader: KvReader, arg: string): Promise<QueryAnswer> {
    return { value: json(await listLicenseViews(reader, arg)) };
  },
};
