// Renderers of the data, models and governance messages (see messages.ts for the pattern).
import { encodeAddress } from "../../../crypto/address.js";
import { kyochi } from "../../../proto/index.js";
import type { MessageJson } from "../../types.js";
import { hex } from "./values.js";

type MsgProps = kyochi.tx.v1.Msg.$Properties;

function address(bytes: Uint8Array | null | undefined): string {
  return bytes != null && bytes.length === 20 ? encodeAddress(bytes) : hex(bytes);
}

/** An enum value by its name without the common prefix ("MODEL_FORMAT_ONNX" -> "onnx"). */
function enumName(values: object, value: number | null | undefined, prefix: string): string {
  const name = Object.entries(values).find(([, v]) => v === (value ?? 0))?.[0];
  return name === undefined ? String(value) : name.slice(prefix.length).toLowerCase();
}

const num = (n: number | null | undefined): number => n ?? 0;

/** A proposal's content: its kind and fields (bytes as hex). */
function content(c: kyochi.gov.v1.IProposalContent | null | undefined): Record<string, unknown> {
  if (c == null) return { type: "none" };
  if (c.text) return { type: "text" };
  if (c.paramChange) {
    return {
      type: "param_change",
      changes: (c.paramChange.changes ?? []).map((p) => ({ module: p.module, key: p.key, value: p.value })),
      effective_height: num(c.paramChange.effectiveHeight),
    };
  }
  if (c.addTrustedRoot) {
    return {
      type: "add_trusted_root",
      evidence_class: c.addTrustedRoot.evidenceClass ?? "",
      label: c.addTrustedRoot.label ?? "",
      certificate_der: hex(c.addTrustedRoot.certificateDer),
    };
  }
  if (c.removeTrustedRoot) return { type: "remove_trusted_root", root_id: hex(c.removeTrustedRoot.rootId) };
  if (c.setMeasurement) {
    return {
      type: "set_measurement",
      evidence_class: c.setMeasurement.evidenceClass ?? "",
      index: num(c.setMeasurement.index),
      value: hex(c.setMeasurement.value),
      allowed: c.setMeasurement.allowed ?? false,
    };
  }
  if (c.softwareUpgrade) {
    return {
      type: "software_upgrade",
      name: c.softwareUpgrade.name ?? "",
      height: num(c.softwareUpgrade.height),
      info: c.softwareUpgrade.info ?? "",
    };
  }
  if (c.cancelSoftwareUpgrade) return { type: "cancel_software_upgrade" };
  return { type: "unknown" };
}

type AiKind =
  | "dataRegister"
  | "dataAddOffer"
  | "dataRetireOffer"
  | "dataTransfer"
  | "dataBuyLicense"
  | "modelsRegister"
  | "modelsDeprecate"
  | "modelsTransfer"
  | "modelsSetFee"
  | "modelsPay"
  | "govSubmitProposal"
  | "govDeposit"
  | "govVote";

export const AI_MODULE_RENDERERS: {
  [K in AiKind]: (payload: NonNullable<MsgProps[K]>) => MessageJson;
} = {
  dataRegister: (m) => ({
    type: "kyochi.data.v1.MsgRegisterDataset",
    value: {
      name: m.name ?? "",
      content_root: hex(m.contentRoot),
      size_bytes: num(m.sizeBytes),
      location_uri: m.locationUri ?? "",
      format: m.format ?? "",
      description_hash: hex(m.descriptionHash),
    },
  }),
  dataAddOffer: (m) => ({
    type: "kyochi.data.v1.MsgAddLicenseOffer",
    value: {
      dataset_id: num(m.datasetId),
      price: m.price ?? "",
      duration_blocks: num(m.durationBlocks),
      commercial_use: m.commercialUse ?? false,
      training_allowed: m.trainingAllowed ?? false,
      royalty_bps: num(m.royaltyBps),
      max_licenses: num(m.maxLicenses),
    },
  }),
  dataRetireOffer: (m) => ({
    type: "kyochi.data.v1.MsgRetireLicenseOffer",
    value: { dataset_id: num(m.datasetId), offer_id: num(m.offerId) },
  }),
  dataTransfer: (m) => ({
    type: "kyochi.data.v1.MsgTransferDataset",
    value: { dataset_id: num(m.datasetId), new_owner: address(m.newOwner) },
  }),
  dataBuyLicense: (m) => ({
    type: "kyochi.data.v1.MsgBuyLicense",
    value: { dataset_id: num(m.datasetId), offer_id: num(m.offerId) },
  }),
  modelsRegister: (m) => ({
    type: "kyochi.models.v1.MsgRegisterModel",
    value: {
      name: m.name ?? "",
      version: m.version ?? "",
      weights_hash: hex(m.weightsHash),
      size_bytes: num(m.sizeBytes),
      format: enumName(kyochi.models.v1.ModelFormat, m.format, "MODEL_FORMAT_"),
      location_uri: m.locationUri ?? "",
      card_hash: hex(m.cardHash),
      inference_fee: m.inferenceFee ?? "",
      parent_id: num(m.parentId),
      license_ids: (m.licenseIds ?? []).map((id) => Number(id)),
      allow_derivatives: m.allowDerivatives ?? false,
      derivative_royalty_bps: num(m.derivativeRoyaltyBps),
    },
  }),
  modelsDeprecate: (m) => ({
    type: "kyochi.models.v1.MsgDeprecateModel",
    value: { model_id: num(m.modelId) },
  }),
  modelsTransfer: (m) => ({
    type: "kyochi.models.v1.MsgTransferModel",
    value: { model_id: num(m.modelId), new_owner: address(m.newOwner) },
  }),
  modelsSetFee: (m) => ({
    type: "kyochi.models.v1.MsgSetModelFee",
    value: { model_id: num(m.modelId), inference_fee: m.inferenceFee ?? "" },
  }),
  modelsPay: (m) => ({
    type: "kyochi.models.v1.MsgPayModel",
    value: { model_id: num(m.modelId), max_fee: m.maxFee ?? "" },
  }),
  govSubmitProposal: (m) => ({
    type: "kyochi.gov.v1.MsgSubmitProposal",
    value: {
      title: m.title ?? "",
      summary: m.summary ?? "",
      content: content(m.content),
      initial_deposit: m.initialDeposit ?? "",
    },
  }),
  govDeposit: (m) => ({
    type: "kyochi.gov.v1.MsgDeposit",
    value: { proposal_id: num(m.proposalId), amount: m.amount ?? "" },
  }),
  govVote: (m) => ({
    type: "kyochi.gov.v1.MsgVote",
    value: {
      proposal_id: num(m.proposalId),
      option: enumName(kyochi.gov.v1.VoteOption, m.option, "VOTE_OPTION_"),
    },
  }),
};
