// Verifies one GPU's nvidia-cc (or dev) evidence: deterministic (no clock, no randomness, no
// network; the time is the caller's block time), and every check is reported, not only the first
// failure, so `kyochi attest verify` can show a GPU provider everything wrong at once.
import { bytesEqual } from "../../../proto/canonical.js";
import { sha256, toHex } from "../../hash.js";
import { AttestationError } from "../errors.js";
import { type ParsedCertificate, parseCertificate } from "./certificates.js";
import { CHAIN_LENGTH, checkChain, skippedChainChecks } from "./chain.js";
import { checkMeasurements, type MeasurementPolicy } from "./measurements.js";
import { derCertificatesFromPem } from "./pem.js";
import { NONCE_BYTES, parseSpdmReport, type SpdmReport } from "./report.js";
import { verifyReportSignature } from "./report-signature.js";
import { type Check, fail, finishVerdict, type GpuVerdict, pass, skipped } from "./verdict.js";

export interface VerifyGpuEvidenceInput {
  /** the report: GET_MEASUREMENTS request + signed MEASUREMENTS response */
  report: Uint8Array;
  /** PEM text (as NVIDIA exports it) or DER certificates, leaf first */
  certificateChain: string | readonly Uint8Array[];
  arch?: string;
  /** the nonce field of NVIDIA's JSON, when the evidence came that way; must match the report */
  declaredNonce?: Uint8Array;
  /** the 32-byte nonce the verifier expects in the request (see attestationNonce) */
  expectedNonce: Uint8Array;
  /** trusted roots (DER, or parsed once with parseTrustedRoot); the chain must end at one of them */
  trustedRoots: readonly (Uint8Array | ParsedCertificate)[];
  /** verification time, unix ms: block time on chain */
  timeMs: number;
  measurements: MeasurementPolicy;
}

/** Parses a trusted root; throws ROOT_INVALID when it is not one P-384 certificate. */
export function parseTrustedRoot(der: Uint8Array): ParsedCertificate {
  return parseCertificate(der, "the trusted root", "ROOT_INVALID");
}

function parseChain(chain: string | readonly Uint8Array[]): ParsedCertificate[] {
  const ders = typeof chain === "string" ? derCertificatesFromPem(chain) : chain;
  if (ders.length !== CHAIN_LENGTH)
    throw new AttestationError(
      "CHAIN_MALFORMED",
      `the chain has ${ders.length} certificates, expected ${CHAIN_LENGTH}`,
    );
  return ders.map((der, i) => parseCertificate(der, `certificate ${i}`));
}

function attempt<T>(f: () => T): { value: T } | { error: AttestationError } {
  try {
    return { value: f() };
  } catch (err) {
    if (err instanceof AttestationError) return { error: err };
    throw err;
  }
}

export function verifyGpuEvidence(input: VerifyGpuEvidenceInput): GpuVerdict {
  if (input.expectedNonce.length !== NONCE_BYTES)
    throw new AttestationError(
      "INVALID_ARGUMENT",
      `expected nonce is ${input.expectedNonce.length} bytes, not 32`,
    );
  if (!Number.isSafeInteger(input.timeMs))
    throw new AttestationError("INVALID_ARGUMENT", "time is not an integer");
  const roots = input.trustedRoots.map((r) => (r instanceof Uint8Array ? parseTrustedRoot(r) : r));
  const checks: Check[] = [];

  const parsedReport = attempt(() => parseSpdmReport(input.report));
  const report: SpdmReport | undefined = "value" in parsedReport ? parsedReport.value : undefined;
  if ("error" in parsedReport)
    checks.push(fail("report-format", parsedReport.error.code, parsedReport.error.message));
  else
    checks.push(
      pass(
        "report-format",
        `SPDM 1.1 report, ${input.report.length} bytes, ${parsedReport.value.measurements.length} measurement blocks`,
      ),
    );

  const parsedChain = attempt(() => parseChain(input.certificateChain));
  const certs = "value" in parsedChain ? parsedChain.value : undefined;
  if ("error" in parsedChain) {
    checks.push(fail("chain-format", parsedChain.error.code, parsedChain.error.message));
    checks.push(...skippedChainChecks("the certificate chain did not parse"));
  } else {
    const chain = parsedChain.value;
    checks.push(pass("chain-format", `${CHAIN_LENGTH} ECDSA P-384 certificates, leaf ${chain[0]!.subject}`));
    checks.push(...checkChain(chain, roots, input.timeMs));
  }

  const noReport = "the report did not parse";
  if (!report) {
    checks.push(skipped("nonce", noReport), skipped("measurements", noReport));
  } else {
    const declaredOk =
      input.declaredNonce === undefined || bytesEqual(input.declaredNonce, report.requestNonce);
    checks.push(
      !bytesEqual(report.requestNonce, input.expectedNonce)
        ? fail(
            "nonce",
            "NONCE_MISMATCH",
            `the report's nonce is 0x${toHex(report.requestNonce)}, expected 0x${toHex(input.expectedNonce)}`,
          )
        : !declaredOk
          ? fail(
              "nonce",
              "NONCE_MISMATCH",
              `the evidence declares nonce 0x${toHex(input.declaredNonce!)}, the report holds another`,
            )
          : pass("nonce", "the report answers the expected nonce"),
    );
    checks.push(checkMeasurements(report.measurements, input.measurements));
  }

  const reportFwid = report?.opaque.fwid;
  if (!report || !certs) {
    const why = !report ? noReport : "the certificate chain did not parse";
    checks.push(skipped("fwid", why), skipped("report-signature", why));
  } else {
    const leaf = certs[0]!;
    checks.push(
      reportFwid === undefined
        ? skipped("fwid", "the report has no FWID field (older firmware)")
        : leaf.fwid === undefined
          ? fail(
              "fwid",
              "FWID_MISMATCH",
              "the report has an FWID but the leaf certificate has no TCG DICE FWID",
            )
          : !bytesEqual(leaf.fwid, reportFwid)
            ? fail(
                "fwid",
                "FWID_MISMATCH",
                `the leaf certificate's FWID 0x${toHex(leaf.fwid)} differs from the report's 0x${toHex(reportFwid)}`,
              )
            : pass("fwid", "the leaf certificate's FWID matches the report's"),
    );
    checks.push(
      verifyReportSignature(report.signedBytes, report.signature, leaf.x509.publicKey)
        ? pass("report-signature", "the report's ECDSA P-384 signature verifies under the leaf key")
        : fail(
            "report-signature",
            "REPORT_SIGNATURE_INVALID",
            "the report's signature does not verify under the leaf certificate's key",
          ),
    );
  }

  return finishVerdict(checks, {
    ...(input.arch !== undefined ? { arch: input.arch } : {}),
    ...(certs ? { deviceIdentityKey: certs[1]!.publicKey, attestationKey: certs[0]!.publicKey } : {}),
    ...(report
      ? {
          reportDigest: sha256(report.signedBytes),
          nonce: report.requestNonce,
          measurements: report.measurements,
          ...(reportFwid ? { fwid: reportFwid } : {}),
          ...(report.opaque.driverVersion !== undefined
            ? { driverVersion: report.opaque.driverVersion }
            : {}),
          ...(report.opaque.vbiosVersion !== undefined ? { vbiosVersion: report.opaque.vbiosVersion } : {}),
        }
      : {}),
  });
}
