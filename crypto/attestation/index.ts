// GPU attestation evidence: the nvidia-cc verifier (also used for `dev` evidence over a development
// CA), the nonce the chain expects, and NVIDIA's JSON export format.
export { AttestationError, type AttestationErrorCode } from "./errors.js";
export {
  ATTESTATION_NONCE_BYTES,
  ATTESTATION_NONCE_DOMAIN,
  type AttestationNonceInput,
  attestationNonce,
} from "./nonce.js";
export type { ParsedCertificate } from "./nvidia-cc/certificates.js";
export {
  type NvidiaGpuEvidence,
  type NvidiaGpuEvidenceJson,
  nvidiaEvidenceJson,
  parseNvidiaEvidenceJson,
} from "./nvidia-cc/evidence-json.js";
export {
  checkMeasurements,
  type MeasurementPolicy,
  measurementPolicy,
  UNCHECKED_MEASUREMENTS,
} from "./nvidia-cc/measurements.js";
export { derCertificatesFromPem, pemFromDer } from "./nvidia-cc/pem.js";
export { type MeasurementBlock, parseSpdmReport, type SpdmReport } from "./nvidia-cc/report.js";
export { isHighS, P384_ORDER } from "./nvidia-cc/report-signature.js";
export {
  assertVerdict,
  CHECK_NAMES,
  type Check,
  type CheckName,
  type CheckStatus,
  type GpuVerdict,
  verdictJson,
} from "./nvidia-cc/verdict.js";
export { parseTrustedRoot, type VerifyGpuEvidenceInput, verifyGpuEvidence } from "./nvidia-cc/verify.js";
