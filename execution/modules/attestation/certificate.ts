// Checks a trusted root's certificate: DER X.509 that node:crypto (OpenSSL) parses, re-encodes to
// the very same bytes (no trailing data, no PEM), and marks as a CA (basicConstraints cA = true).
// Parsing has no clock and no randomness: the same bytes give the same answer on every node.
import { X509Certificate } from "node:crypto";
import { ExecutionError } from "../../errors.js";

/** Largest certificate accepted (NVIDIA's roots are under 1 KiB). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

function invalid(message: string): ExecutionError {
  return new ExecutionError("ATTESTATION_INVALID_CERTIFICATE", message);
}

/** Throws ATTESTATION_INVALID_CERTIFICATE unless `der` is one CA certificate. */
export function checkCaCertificate(der: Uint8Array): X509Certificate {
  if (der.length === 0) throw invalid("the certificate is empty");
  if (der.length > MAX_CERTIFICATE_BYTES)
    throw invalid(`the certificate is ${der.length} bytes, more than ${MAX_CERTIFICATE_BYTES}`);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(der));
  } catch (err) {
    throw invalid(`the certificate does not parse as X.509: ${(err as Error).message}`);
  }
  if (Buffer.compare(cert.raw, Buffer.from(der)) !== 0)
    throw invalid("the certificate must be exactly one DER-encoded X.509 certificate");
  if (!cert.ca) throw invalid("the certificate is not a CA (basicConstraints cA is not set)");
  return cert;
}

/** The DER bytes of a PEM text holding exactly one certificate. */
export function derFromPem(pem: string): Uint8Array {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
  if (blocks.length !== 1) throw invalid(`expected one PEM certificate, found ${blocks.length}`);
  try {
    return new Uint8Array(new X509Certificate(pem).raw);
  } catch (err) {
    throw invalid(`the PEM certificate does not parse: ${(err as Error).message}`);
  }
}
