// Registering a dataset and handing it to a new owner.
import { encodeAddress } from "../../../crypto/address.js";
import { toHex } from "../../../crypto/hash.js";
import { bytesEqual } from "../../../proto/canonical.js";
import { Dataset } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { ADDRESS_BYTES } from "../bank/index.js";
import { makeEvent } from "../events.js";
import type { MsgHandler } from "../types.js";
import { requireOwnedDataset } from "./access.js";
import { ALL_DATASETS, datasetKey, datasetsOfOwner, saveDataset, takeDatasetId } from "./records.js";
import { validateRegister } from "./validate.js";

/** The signer becomes the owner; the dataset gets the next id and joins the `datasets` lists. */
export const msgRegisterDatasetHandler: MsgHandler<"dataRegister"> = {
  validate: validateRegister,
  touchedKeys() {
    return [];
  },
  async execute(ctx, msg) {
    const id = await takeDatasetId(ctx.store);
    const dataset = Dataset.create({
      id,
      owner: ctx.sender,
      name: msg.name ?? "",
      contentRoot: msg.contentRoot ?? new Uint8Array(0),
      sizeBytes: msg.sizeBytes ?? 0,
      locationUri: msg.locationUri ?? "",
      format: msg.format ?? "",
      descriptionHash: msg.descriptionHash ?? new Uint8Array(0),
      createdHeight: ctx.height,
      offerCount: 0,
      licenseCount: 0,
    });
    saveDataset(ctx.store, dataset);
    await ALL_DATASETS.append(ctx.store, id);
    await datasetsOfOwner(ctx.sender).append(ctx.store, id);
    ctx.events.push(
      makeEvent("register_dataset", [
        ["dataset_id", String(id)],
        ["owner", ctx.senderBech32],
        ["name", dataset.name],
        ["content_root", `0x${toHex(dataset.contentRoot)}`],
        ["size_bytes", String(dataset.sizeBytes)],
      ]),
    );
  },
};

/**
 * Moves the dataset to `new_owner`: from then on its offers, sales and royalties are the new
 * owner's (they are paid to whoever owns the dataset at the time). Licenses already sold stay valid.
 */
export const msgTransferDatasetHandler: MsgHandler<"dataTransfer"> = {
  validate(msg) {
    const to = msg.newOwner ?? new Uint8Array(0);
    if (to.length !== ADDRESS_BYTES) {
      throw new ExecutionError(
        "INVALID_ADDRESS",
        `MsgTransferDataset.new_owner must be ${ADDRESS_BYTES} bytes, got ${to.length}`,
      );
    }
  },
  touchedKeys(msg) {
    return msg.datasetId ? [datasetKey(msg.datasetId)] : [];
  },
  async execute(ctx, msg) {
    const newOwner = msg.newOwner as Uint8Array;
    const dataset = await requireOwnedDataset(ctx, msg.datasetId ?? 0);
    if (bytesEqual(newOwner, ctx.sender)) {
      throw new ExecutionError(
        "DATASET_TRANSFER_TO_SELF",
        `${ctx.senderBech32} already owns dataset ${dataset.id}`,
      );
    }
    await datasetsOfOwner(ctx.sender).remove(ctx.store, dataset.id);
    await datasetsOfOwner(newOwner).append(ctx.store, dataset.id);
    dataset.owner = newOwner;
    saveDataset(ctx.store, dataset);
    ctx.events.push(
      makeEvent("transfer_dataset", [
        ["dataset_id", String(dataset.id)],
        ["from", ctx.senderBech32],
        ["to", encodeAddress(newOwner)],
      ]),
    );
  },
};
