// Errors of GPU attestation evidence checking. Every check of a verdict that fails carries one of
// these codes (stable: the attestation module and `kyochi attest verify` show them); the same codes
// are thrown as AttestationError by the parsers and by assertVerdict().
import { CodedError } from "../../proto/coded-error.js";

export type AttestationErrorCode =
  /** the evidence JSON is not NVIDIA's export shape (array of {arch, nonce, evidence, certificate}) */
  | "EVIDENCE_MALFORMED"
  /** the certificate chain is not 5 PEM certificates, ECDSA P-384/SHA-384, or has an unknown critical extension */
  | "CHAIN_MALFORMED"
  /** the chain does not end at the root given by the caller (subject and key differ) */
  | "UNKNOWN_ROOT"
  /** a certificate's issuer name is not its parent's subject */
  | "CERT_ISSUER_MISMATCH"
  /** a certificate's signature does not verify under its parent's key */
  | "CERT_SIGNATURE_INVALID"
  /** a certificate (or the root) has expired at the verification time */
  | "CERT_EXPIRED"
  /** a certificate (or the root) is not yet valid at the verification time */
  | "CERT_NOT_YET_VALID"
  /** an issuer lacks basicConstraints cA = true, or its path length constraint is exceeded */
  | "CERT_NOT_CA"
  /** a key usage extension forbids what the key is used for (keyCertSign, digitalSignature) */
  | "CERT_KEY_USAGE"
  /** the leaf certificate's TCG DICE FWID differs from the report's FWID field */
  | "FWID_MISMATCH"
  /** the report's requester nonce is not the expected one */
  | "NONCE_MISMATCH"
  /** the report ends before its declared lengths do */
  | "REPORT_TRUNCATED"
  /** bytes follow the report's signature */
  | "REPORT_TRAILING_BYTES"
  /** the report is not an SPDM 1.1 GET_MEASUREMENTS request + signed MEASUREMENTS response */
  | "REPORT_MALFORMED"
  /** the report's ECDSA P-384 signature does not verify under the leaf certificate's key */
  | "REPORT_SIGNATURE_INVALID"
  /** a measurement's value is not among the allowed values of its index (or its index is unlisted) */
  | "MEASUREMENT_NOT_ALLOWED"
  /** the allow-list pins an index that the report does not measure */
  | "MEASUREMENT_MISSING"
  /** the root given by the caller is not one P-384 CA certificate */
  | "ROOT_INVALID"
  /** a caller passed a value out of range (nonce inputs, generator options) */
  | "INVALID_ARGUMENT";

/** One error class for crypto/attestation, with a stable string code (Lodestar style). */
export class AttestationError extends CodedError<AttestationErrorCode> {}
