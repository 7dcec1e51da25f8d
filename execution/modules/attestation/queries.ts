// Attestation queries (app.query paths; JSON answers):
//   trusted_roots[/cursor=&limit=&evidence_class=]   {"trusted_roots":[...],"next_cursor":n|null}
//   allowed_measurements/<evidence_class>[/cursor=&limit=]
//                                                    {"allowed_measurements":[...],"next_cursor":...}
//   attestation_anchor[/<height>]                    {"height":h,"block_hash":"0x..",
//                                                    "anchor_window_blocks":w}: a block a worker may
//                                                    anchor its nonce to (default the newest kept)
import { toHex } from "../../../crypto/hash.js";
import type { AllowedMeasurement, TrustedRoot } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parsePageArgs } from "../slot-list.js";
import type { QueryAnswer } from "../types.js";
import { loadAttestationParams } from "./params.js";
import {
  ALL_ROOTS,
  EVIDENCE_CLASSES,
  type EvidenceClass,
  loadMeasurementBySuffix,
  loadTrustedRoot,
  measurementsOf,
} from "./records.js";
import { loadBlockHash, loadNewestAnchorHeight } from "./worker-attestations.js";

export interface TrustedRootView {
  id: string;
  evidence_class: string;
  label: string;
  certificate_der: string;
  added_height: number;
}

export interface MeasurementView {
  evidence_class: string;
  index: number;
  value: string;
  added_height: number;
}

export function trustedRootView(r: TrustedRoot): TrustedRootView {
  return {
    id: `0x${toHex(r.id)}`,
    evidence_class: r.evidenceClass,
    label: r.label,
    certificate_der: `0x${toHex(r.certificateDer)}`,
    added_height: r.addedHeight,
  };
}

export function measurementView(m: AllowedMeasurement): MeasurementView {
  return {
    evidence_class: m.evidenceClass,
    index: m.index,
    value: `0x${toHex(m.value)}`,
    added_height: m.addedHeight,
  };
}

function json(value: unknown): QueryAnswer {
  return { value: new TextEncoder().encode(JSON.stringify(value)) };
}

function queryClass(text: string): EvidenceClass {
  if (!Object.hasOwn(EVIDENCE_CLASSES, text)) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `evidence class ${JSON.stringify(text)} is not one of ${Object.keys(EVIDENCE_CLASSES).join(", ")}`,
    );
  }
  return text as EvidenceClass;
}

export async function queryTrustedRoots(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const page = parsePageArgs(arg, ["evidence_class"]);
  const only = page.filters.get("evidence_class");
  if (only !== undefined) queryClass(only);
  const { keys, nextCursor } = await ALL_ROOTS.page(reader, page.cursor, page.limit);
  const roots = await Promise.all(keys.map((id) => loadTrustedRoot(reader, id)));
  const views = roots
    .filter((r): r is TrustedRoot => r !== undefined && (only === undefined || r.evidenceClass === only))
    .map(trustedRootView);
  return json({ trusted_roots: views, next_cursor: nextCursor });
}

export async function queryAllowedMeasurements(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const slash = arg.indexOf("/");
  const evidenceClass = queryClass(slash < 0 ? arg : arg.slice(0, slash));
  const page = parsePageArgs(slash < 0 ? "" : arg.slice(slash + 1));
  const { keys, nextCursor } = await measurementsOf(evidenceClass).page(reader, page.cursor, page.limit);
  const found = await Promise.all(keys.map((k) => loadMeasurementBySuffix(reader, evidenceClass, k)));
  const views = found.filter((m): m is AllowedMeasurement => m !== undefined).map(measurementView);
  return json({ allowed_measurements: views, next_cursor: nextCursor });
}

/**
 * A kept block hash for a worker's nonce. The anchor must still be in the window when the tx
 * runs, so a daemon takes the newest (and has anchor_window_blocks blocks to get its tx in).
 */
export async function queryAttestationAnchor(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const newest = await loadNewestAnchorHeight(reader);
  if (arg !== "" && !/^[1-9][0-9]{0,15}$/.test(arg))
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `height must be a positive integer, got ${JSON.stringify(arg)}`,
    );
  const height = arg === "" ? newest : Number(arg);
  const hash = height === 0 ? undefined : await loadBlockHash(reader, height);
  if (!hash)
    throw new ExecutionError(
      "ATTESTATION_STALE_ANCHOR",
      height === 0 ? "no block hash is kept yet" : `no block hash is kept for height ${height}`,
    );
  const { anchorWindowBlocks } = await loadAttestationParams(reader);
  return json({ height, block_hash: `0x${toHex(hash)}`, anchor_window_blocks: anchorWindowBlocks });
}
