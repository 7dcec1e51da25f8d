// Attestation queries (app.query paths; JSON answers):
//   trusted_roots[/cursor=&limit=&evidence_class=]   {"trusted_roots":[...],"next_cursor":n|null}
//   allowed_measurements/<evidence_class>[/cursor=&limit=]
//                                                    {"allowed_measurements":[...],"next_cursor":...}
import { toHex } from "../../../crypto/hash.js";
import type { AllowedMeasurement, TrustedRoot } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parsePageArgs } from "../slot-list.js";
import type { QueryAnswer } from "../types.js";
import {
  ALL_ROOTS,
  EVIDENCE_CLASSES,
  type EvidenceClass,
  loadMeasurementBySuffix,
  loadTrustedRoot,
  measurementsOf,
} from "./records.js";

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
