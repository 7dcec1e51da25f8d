// Stateless checks of the data module's messages (run by checkTx and again before execution).
import { ExecutionError } from "../../errors.js";
import type { MsgPayload } from "../types.js";
import {
  HASH_BYTES,
  MAX_DURATION_BLOCKS,
  MAX_FORMAT_BYTES,
  MAX_LOCATION_URI_BYTES,
  MAX_NAME_BYTES,
  MAX_ROYALTY_BPS,
} from "./records.js";

// C0 controls and DEL: names, formats and URIs are shown in terminals and explorers, where a
// control character could rewrite what is displayed around it.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkText(value: string, field: string, max: number): void {
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes < 1 || bytes > max) {
    throw new ExecutionError("INVALID_DATASET", `${field} must be 1..${max} UTF-8 bytes, got ${bytes}`);
  }
  if (CONTROL.test(value)) {
    throw new ExecutionError("INVALID_DATASET", `${field} must not contain control characters`);
  }
}

export function validateRegister(msg: MsgPayload<"dataRegister">): void {
  checkText(msg.name ?? "", "name", MAX_NAME_BYTES);
  const root = msg.contentRoot ?? new Uint8Array(0);
  if (root.length !== HASH_BYTES) {
    throw new ExecutionError(
      "INVALID_DATASET",
      `content_root must be ${HASH_BYTES} bytes, got ${root.length}`,
    );
  }
  if (!((msg.sizeBytes ?? 0) > 0)) throw new ExecutionError("INVALID_DATASET", "size_bytes must be above 0");
  checkText(msg.locationUri ?? "", "location_uri", MAX_LOCATION_URI_BYTES);
  checkText(msg.format ?? "", "format", MAX_FORMAT_BYTES);
  // Empty means "no description document"; anything else must be a sha256.
  const description = msg.descriptionHash ?? new Uint8Array(0);
  if (description.length !== 0 && description.length !== HASH_BYTES) {
    throw new ExecutionError(
      "INVALID_DATASET",
      `description_hash must be empty (none) or ${HASH_BYTES} bytes, got ${description.length}`,
    );
  }
}

export function validateOfferTerms(msg: MsgPayload<"dataAddOffer">): void {
  const bps = msg.royaltyBps ?? 0;
  if (bps > MAX_ROYALTY_BPS) {
    throw new ExecutionError("INVALID_OFFER", `royalty_bps ${bps} is above ${MAX_ROYALTY_BPS} (100%)`);
  }
  const duration = msg.durationBlocks ?? 0;
  if (duration > MAX_DURATION_BLOCKS) {
    throw new ExecutionError(
      "INVALID_OFFER",
      `duration_blocks ${duration} is above ${MAX_DURATION_BLOCKS} (use 0 for a perpetual license)`,
    );
  }
}
