// The report's signature: ECDSA P-384 over SHA-384 of everything before it, raw r||s (48 + 48
// bytes), by the leaf certificate's key. OpenSSL (node:crypto) verifies it: it accepts high-S
// signatures, which NVIDIA's GPUs and CAs produce (a low-S-only verifier, such as @noble/curves'
// default, refuses real evidence), and it is about 6x faster than pure-JS P-384 here (see
// scripts/bench/attestation.ts).
import { type KeyObject, verify } from "node:crypto";
import { SIGNATURE_BYTES } from "./report.js";

export const P384_ORDER =
  0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
const HALF_ORDER = P384_ORDER >> 1n;

export function verifyReportSignature(
  signedBytes: Uint8Array,
  signature: Uint8Array,
  leafKey: KeyObject,
): boolean {
  if (signature.length !== SIGNATURE_BYTES) return false;
  return verify("sha384", signedBytes, { key: leafKey, dsaEncoding: "ieee-p1363" }, signature);
}

/** Whether a raw r||s P-384 signature has s > n/2 (the form low-S-only verifiers refuse). */
export function isHighS(rawSignature: Uint8Array): boolean {
  const s = BigInt(`0x${Buffer.from(rawSignature.subarray(48, 96)).toString("hex")}`);
  return s > HALF_ORDER;
}
