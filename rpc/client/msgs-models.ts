// Message builders for the models module (SDK and CLI). Amounts are bigints here and decimal
// strings on the wire; the node re-checks everything, these only shape the messages.
import {
  type ModelFormat,
  Msg,
  MsgDeprecateModel,
  MsgPayModel,
  MsgRegisterModel,
  MsgSetModelFee,
  MsgTransferModel,
} from "../../proto/index.js";

export interface RegisterModelFields {
  /** 1..128 UTF-8 bytes, no '@'. */
  name: string;
  /** 1..64 UTF-8 bytes, no '@'; (name, version) is unique on the chain. */
  version: string;
  /** sha256 of the weights file (`kyochi model hash`), 32 bytes. */
  weightsHash: Uint8Array;
  sizeBytes: number;
  format: ModelFormat;
  locationUri: string;
  /** sha256 of the model card, 32 bytes. */
  cardHash: Uint8Array;
  /** Fee of one inference job in base units (0 = free). */
  inferenceFee: bigint;
  /** Parent model id; 0 or absent = none. */
  parentId?: number;
  /** Data licenses held by the signer that the model was trained under. */
  licenseIds?: number[];
  /** Whether others may register models with this one as parent. */
  allowDerivatives?: boolean;
  /** Share of a derived model's fees owed to this model's lineage, basis points. */
  derivativeRoyaltyBps?: number;
}

/** Registers a model version owned by the signer. */
export function modelsRegisterMsg(f: RegisterModelFields): Msg {
  return Msg.create({
    modelsRegister: MsgRegisterModel.create({
      name: f.name,
      version: f.version,
      weightsHash: f.weightsHash,
      sizeBytes: f.sizeBytes,
      format: f.format,
      locationUri: f.locationUri,
      cardHash: f.cardHash,
      inferenceFee: f.inferenceFee.toString(),
      parentId: f.parentId ?? 0,
      licenseIds: f.licenseIds ?? [],
      allowDerivatives: f.allowDerivatives ?? false,
      derivativeRoyaltyBps: f.derivativeRoyaltyBps ?? 0,
    }),
  });
}

/** Deprecates the signer's model: no more payments, fee changes or derivatives. */
export function modelsDeprecateMsg(modelId: number): Msg {
  return Msg.create({ modelsDeprecate: MsgDeprecateModel.create({ modelId }) });
}

/** Gives the signer's model to `newOwner` (20-byte address); fees and royalties follow it. */
export function modelsTransferMsg(modelId: number, newOwner: Uint8Array): Msg {
  return Msg.create({ modelsTransfer: MsgTransferModel.create({ modelId, newOwner }) });
}

/** Sets the inference fee of the signer's model. */
export function modelsSetFeeMsg(modelId: number, inferenceFee: bigint): Msg {
  return Msg.create({
    modelsSetFee: MsgSetModelFee.create({ modelId, inferenceFee: inferenceFee.toString() }),
  });
}

/** Pays the model's current fee, refused on chain if that fee is above `maxFee`. */
export function modelsPayMsg(modelId: number, maxFee: bigint): Msg {
  return Msg.create({ modelsPay: MsgPayModel.create({ modelId, maxFee: maxFee.toString() }) });
}
