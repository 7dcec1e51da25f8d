// Loads that a message needs to succeed: each throws the data module's "not found" or "not owner"
// code, so every handler refuses the same way.
import { bytesEqual } from "../../../proto/canonical.js";
import type { Dataset, LicenseOffer } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import type { MsgContext } from "../types.js";
import { loadDataset, loadOffer } from "./records.js";

export async function requireDataset(reader: KvReader, id: number): Promise<Dataset> {
  const dataset = id > 0 ? await loadDataset(reader, id) : undefined;
  if (!dataset) throw new ExecutionError("DATASET_NOT_FOUND", `no dataset with id ${id}`);
  return dataset;
}

/** The dataset, if the signer owns it now. */
export async function requireOwnedDataset(ctx: MsgContext, id: number): Promise<Dataset> {
  const dataset = await requireDataset(ctx.store, id);
  if (!bytesEqual(dataset.owner, ctx.sender)) {
    throw new ExecutionError("NOT_DATASET_OWNER", `${ctx.senderBech32} does not own dataset ${id}`);
  }
  return dataset;
}

export async function requireOffer(
  reader: KvReader,
  datasetId: number,
  offerId: number,
): Promise<LicenseOffer> {
  const offer = offerId > 0 ? await loadOffer(reader, datasetId, offerId) : undefined;
  if (!offer) {
    throw new ExecutionError("OFFER_NOT_FOUND", `dataset ${datasetId} has no offer ${offerId}`);
  }
  return offer;
}
