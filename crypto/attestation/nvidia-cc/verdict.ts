// What verifying one GPU's evidence returns: every check with its outcome, plus what the evidence
// says about the GPU. A check is "skipped" when it cannot run because an earlier one failed (e.g. no
// report signature check without a parsed report) or when it does not apply (no FWID in the
// report); the verdict is ok when no check failed.
import { toHex } from "../../hash.js";
import { AttestationError, type AttestationErrorCode } from "../errors.js";
import type { MeasurementBlock } from "./report.js";

export const CHECK_NAMES = [
  "report-format",
  "chain-format",
  "root",
  "chain-signatures",
  "chain-validity",
  "chain-ca",
  "chain-key-usage",
  "fwid",
  "nonce",
  "report-signature",
  "measurements",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];
export type CheckStatus = "pass" | "fail" | "skipped";

export interface Check {
  name: CheckName;
  status: CheckStatus;
  /** set when status is "fail" */
  code?: AttestationErrorCode;
  detail: string;
}

export interface GpuVerdict {
  ok: boolean;
  /** the code of the first failed check (in CHECK_NAMES order) */
  code?: AttestationErrorCode;
  checks: Check[];
  arch?: string;
  /**
   * The GPU's identity: the public key (uncompressed P-384 point) of its device certificate, the
   * chain's second certificate (NVIDIA's "GSP BROM" DeviceID certificate, issued at manufacturing
   * to this one GPU and unchanged by firmware updates). One GPU = one key; use it to allow one
   * GPU per worker.
   */
  deviceIdentityKey?: Uint8Array;
  /** the leaf (attestation) key that signed the report; re-derived by the GPU when its firmware changes */
  attestationKey?: Uint8Array;
  /**
   * sha256 over the signed part of the report (request + response, signature excluded). The key
   * for "a report is accepted once": ECDSA signatures are malleable (s and n - s both verify), so
   * the signature bytes must never be part of a dedupe key.
   */
  reportDigest?: Uint8Array;
  /** the verifier's nonce as found in the report */
  nonce?: Uint8Array;
  measurements?: MeasurementBlock[];
  fwid?: Uint8Array;
  driverVersion?: string;
  vbiosVersion?: string;
}

export const pass = (name: CheckName, detail: string): Check => ({ name, status: "pass", detail });
export const skipped = (name: CheckName, detail: string): Check => ({ name, status: "skipped", detail });
export const fail = (name: CheckName, code: AttestationErrorCode, detail: string): Check => ({
  name,
  status: "fail",
  code,
  detail,
});

/** Orders checks as CHECK_NAMES and fills ok/code. */
export function finishVerdict(
  checks: Check[],
  facts: Omit<GpuVerdict, "ok" | "code" | "checks">,
): GpuVerdict {
  const ordered = [...checks].sort((a, b) => CHECK_NAMES.indexOf(a.name) - CHECK_NAMES.indexOf(b.name));
  const failed = ordered.find((c) => c.status === "fail");
  return { ok: failed === undefined, ...(failed ? { code: failed.code! } : {}), checks: ordered, ...facts };
}

/** Throws the first failure of `verdict` as an AttestationError (its code and detail). */
export function assertVerdict(verdict: GpuVerdict): void {
  const failed = verdict.checks.find((c) => c.status === "fail");
  if (failed) throw new AttestationError(failed.code!, `${failed.name}: ${failed.detail}`);
}

const hex0x = (b: Uint8Array | undefined) => (b === undefined ? undefined : `0x${toHex(b)}`);

/** The verdict as JSON-ready values (bytes as 0x-hex), for the CLI and RPC. */
export function verdictJson(v: GpuVerdict): Record<string, unknown> {
  return {
    ok: v.ok,
    ...(v.code ? { code: v.code } : {}),
    arch: v.arch,
    checks: v.checks.map((c) => ({
      name: c.name,
      status: c.status,
      ...(c.code ? { code: c.code } : {}),
      detail: c.detail,
    })),
    device_identity_key: hex0x(v.deviceIdentityKey),
    attestation_key: hex0x(v.attestationKey),
    report_digest: hex0x(v.reportDigest),
    nonce: hex0x(v.nonce),
    fwid: hex0x(v.fwid),
    driver_version: v.driverVersion,
    vbios_version: v.vbiosVersion,
    measurements: v.measurements?.map((m) => ({ index: m.index, value: hex0x(m.value) })),
  };
}
