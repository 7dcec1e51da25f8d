// Runs crypto/attestation's verifier against what state holds for an evidence class: its trusted
// roots, its allowed measurements and the any-value indices. `kyochi attest verify` runs the very
// same verifier offline; here each failed check becomes the result code of its own refusal.
import {
  AttestationError,
  type AttestationErrorCode,
  type GpuVerdict,
  measurementPolicy,
  type ParsedCertificate,
  parseTrustedRoot,
  verifyGpuEvidence,
} from "../../../crypto/attestation/index.js";
import { toHex } from "../../../crypto/hash.js";
import { ExecutionError, type ResultCodeName } from "../../errors.js";
import type { KvReader } from "../../store.js";
import type { AttestationParamsState } from "./params.js";
import { ALL_ROOTS, type EvidenceClass, loadTrustedRoot, measurementsOf } from "./records.js";

/** Each verifier failure and the result code a tx refused for it carries. */
const CODES: Readonly<Record<AttestationErrorCode, ResultCodeName>> = {
  EVIDENCE_MALFORMED: "ATTESTATION_EVIDENCE_MALFORMED",
  CHAIN_MALFORMED: "ATTESTATION_EVIDENCE_MALFORMED",
  REPORT_MALFORMED: "ATTESTATION_EVIDENCE_MALFORMED",
  INVALID_ARGUMENT: "ATTESTATION_EVIDENCE_MALFORMED",
  ROOT_INVALID: "ATTESTATION_EVIDENCE_MALFORMED",
  REPORT_TRUNCATED: "ATTESTATION_REPORT_BAD_LENGTH",
  REPORT_TRAILING_BYTES: "ATTESTATION_REPORT_BAD_LENGTH",
  UNKNOWN_ROOT: "ATTESTATION_UNKNOWN_ROOT",
  CERT_ISSUER_MISMATCH: "ATTESTATION_CERT_SIGNATURE_INVALID",
  CERT_SIGNATURE_INVALID: "ATTESTATION_CERT_SIGNATURE_INVALID",
  CERT_EXPIRED: "ATTESTATION_CERT_NOT_VALID",
  CERT_NOT_YET_VALID: "ATTESTATION_CERT_NOT_VALID",
  CERT_NOT_CA: "ATTESTATION_CERT_NOT_CA",
  CERT_KEY_USAGE: "ATTESTATION_CERT_NOT_CA",
  FWID_MISMATCH: "ATTESTATION_FWID_MISMATCH",
  NONCE_MISMATCH: "ATTESTATION_NONCE_MISMATCH",
  REPORT_SIGNATURE_INVALID: "ATTESTATION_REPORT_SIGNATURE_INVALID",
  MEASUREMENT_NOT_ALLOWED: "ATTESTATION_MEASUREMENT_NOT_ALLOWED",
  MEASUREMENT_MISSING: "ATTESTATION_MEASUREMENT_NOT_ALLOWED",
};

export function resultCodeOfVerdict(code: AttestationErrorCode): ResultCodeName {
  return CODES[code];
}

// Parsing a root is a pure function of its bytes, so parsed roots are cached by id across txs.
// Bounded: governance adds roots rarely, but a cache must never grow without limit.
const ROOT_CACHE_LIMIT = 256;
const rootCache = new Map<string, ParsedCertificate | null>();

function parsedRoot(id: Uint8Array, der: Uint8Array): ParsedCertificate | null {
  const key = toHex(id);
  const hit = rootCache.get(key);
  if (hit !== undefined) return hit;
  let parsed: ParsedCertificate | null;
  try {
    parsed = parseTrustedRoot(der);
  } catch {
    // A stored root the verifier cannot use (not P-384) can never root a chain: it is skipped.
    parsed = null;
  }
  if (rootCache.size >= ROOT_CACHE_LIMIT) rootCache.clear();
  rootCache.set(key, parsed);
  return parsed;
}

/** The trusted roots of `evidenceClass`, parsed, in registration order. */
export async function rootsOfClass(
  reader: KvReader,
  evidenceClass: EvidenceClass,
): Promise<ParsedCertificate[]> {
  const out: ParsedCertificate[] = [];
  for (const id of await ALL_ROOTS.all(reader)) {
    const root = await loadTrustedRoot(reader, id);
    if (!root || root.evidenceClass !== evidenceClass) continue;
    const parsed = parsedRoot(root.id, root.certificateDer);
    if (parsed) out.push(parsed);
  }
  return out;
}

/** The allowed (index, value) pairs of `evidenceClass`. */
export async function allowedMeasurements(
  reader: KvReader,
  evidenceClass: EvidenceClass,
): Promise<{ index: number; value: Uint8Array }[]> {
  const suffixes = await measurementsOf(evidenceClass).all(reader);
  return suffixes.map((s) => ({ index: s[0]!, value: s.subarray(1) }));
}

export interface EvidenceInput {
  evidenceClass: EvidenceClass;
  report: Uint8Array;
  certificateChain: string;
  arch: string;
  expectedNonce: Uint8Array;
  /** block time, unix ms */
  timeMs: number;
}

/** Verifies evidence against state; throws the result code of the first failed check. */
export async function verifyEvidenceInState(
  reader: KvReader,
  input: EvidenceInput,
  params: AttestationParamsState,
): Promise<GpuVerdict> {
  const roots = await rootsOfClass(reader, input.evidenceClass);
  const policy = measurementPolicy(
    await allowedMeasurements(reader, input.evidenceClass),
    params.anyValueIndices,
  );
  let verdict: GpuVerdict;
  try {
    verdict = verifyGpuEvidence({
      report: input.report,
      certificateChain: input.certificateChain,
      ...(input.arch !== "" ? { arch: input.arch } : {}),
      expectedNonce: input.expectedNonce,
      trustedRoots: roots,
      timeMs: input.timeMs,
      measurements: policy,
    });
  } catch (err) {
    // The verifier reports faults as checks; it throws only on arguments out of range.
    if (err instanceof AttestationError) throw new ExecutionError(resultCodeOfVerdict(err.code), err.message);
    throw err;
  }
  if (!verdict.ok) {
    const failed = verdict.checks.find((c) => c.status === "fail");
    const code = verdict.code ?? "EVIDENCE_MALFORMED";
    throw new ExecutionError(
      resultCodeOfVerdict(code),
      `${failed?.name ?? "evidence"}: ${failed?.detail ?? code}`,
    );
  }
  return verdict;
}
