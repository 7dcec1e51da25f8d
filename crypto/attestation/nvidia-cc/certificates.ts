// One certificate of a GPU's chain, read once into the fields the checks need. Two readers, each
// for what it does best: node:crypto's X509Certificate (OpenSSL) checks the DER parses and verifies
// signatures (OpenSSL accepts high-S ECDSA, as NVIDIA's certificates need); @peculiar/asn1-x509
// gives typed fields that Node 20's X509Certificate does not expose (validity as dates, the
// basicConstraints path length, key usage bits, the extension list). Names are compared as raw DER
// bytes taken from the TBSCertificate, so chaining does not depend on any string rendering.
import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Certificate,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  KeyUsage,
} from "@peculiar/asn1-x509";
import { readChildren, readSingle } from "../der.js";
import { AttestationError, type AttestationErrorCode } from "../errors.js";
import { fwidFromExtensions } from "./fwid.js";

export const ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
const EC_PUBLIC_KEY = "1.2.840.10045.2.1";
/** namedCurve secp384r1, DER-encoded as the algorithm parameters */
const SECP384R1_PARAMS = "06052b81040022";
const P384_POINT_BYTES = 97;
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

/** Extensions this verifier understands; any other extension marked critical is refused (RFC 5280). */
const KNOWN_EXTENSIONS = new Set([
  "2.5.29.14", // subjectKeyIdentifier
  "2.5.29.15", // keyUsage
  "2.5.29.17", // subjectAltName
  "2.5.29.19", // basicConstraints
  "2.5.29.31", // cRLDistributionPoints
  "2.5.29.35", // authorityKeyIdentifier
  "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
  "2.23.133.5.4.1", // TCG DICE TcbInfo (Hopper FWID)
  "2.23.133.5.4.1.1", // NVIDIA's TcbInfo variant (Blackwell FWID)
]);

export const KEY_USAGE_DIGITAL_SIGNATURE = 0x01;
export const KEY_USAGE_KEY_CERT_SIGN = 0x20;

export interface ParsedCertificate {
  der: Uint8Array;
  x509: X509Certificate;
  /** the subject, one line, for messages */
  subject: string;
  subjectName: Uint8Array;
  issuerName: Uint8Array;
  notBeforeMs: number;
  notAfterMs: number;
  /** absent when the certificate has no basicConstraints extension */
  basicConstraints?: { cA: boolean; pathLen?: number };
  /** key usage bits (KeyUsageFlags); absent when the extension is absent */
  keyUsage?: number;
  /** the P-384 public key, uncompressed point (0x04 || x || y) */
  publicKey: Uint8Array;
  /** the TCG DICE FWID (48 bytes) when the certificate carries one */
  fwid?: Uint8Array;
}

function hex(b: ArrayBuffer | null | undefined): string {
  return b ? Buffer.from(b).toString("hex") : "";
}

/** Parses one DER certificate; any defect is an AttestationError with `code`. */
export function parseCertificate(
  der: Uint8Array,
  what: string,
  code: AttestationErrorCode = "CHAIN_MALFORMED",
): ParsedCertificate {
  const fail = (message: string) => new AttestationError(code, `${what}: ${message}`);
  if (der.length === 0 || der.length > MAX_CERTIFICATE_BYTES)
    throw fail(`is ${der.length} bytes, not 1..${MAX_CERTIFICATE_BYTES}`);
  let x509: X509Certificate;
  let cert: Certificate;
  let names: { issuer: Uint8Array; subject: Uint8Array };
  try {
    x509 = new X509Certificate(Buffer.from(der));
    cert = AsnConvert.parse(der, Certificate);
    names = rawNames(der);
  } catch (err) {
    throw fail(`does not parse as X.509: ${(err as Error).message}`);
  }
  if (Buffer.compare(x509.raw, Buffer.from(der)) !== 0) throw fail("is not exactly one DER certificate");
  const tbs = cert.tbsCertificate;
  if (
    cert.signatureAlgorithm.algorithm !== ECDSA_WITH_SHA384 ||
    tbs.signature.algorithm !== ECDSA_WITH_SHA384
  )
    throw fail(`is signed with ${cert.signatureAlgorithm.algorithm}, not ecdsa-with-SHA384`);
  const spki = tbs.subjectPublicKeyInfo;
  if (spki.algorithm.algorithm !== EC_PUBLIC_KEY || hex(spki.algorithm.parameters) !== SECP384R1_PARAMS)
    throw fail("does not hold an ECDSA P-384 public key");
  const publicKey = new Uint8Array(spki.subjectPublicKey);
  if (publicKey.length !== P384_POINT_BYTES || publicKey[0] !== 0x04)
    throw fail("public key is not an uncompressed P-384 point");

  const out: ParsedCertificate = {
    der,
    x509,
    subject: x509.subject.replace(/\n/g, ", "),
    subjectName: names.subject,
    issuerName: names.issuer,
    notBeforeMs: tbs.validity.notBefore.getTime().getTime(),
    notAfterMs: tbs.validity.notAfter.getTime().getTime(),
    publicKey,
  };
  const extensions = tbs.extensions ?? [];
  const seen = new Set<string>();
  for (const ext of extensions) {
    if (seen.has(ext.extnID)) throw fail(`has extension ${ext.extnID} twice`);
    seen.add(ext.extnID);
    if (ext.critical && !KNOWN_EXTENSIONS.has(ext.extnID))
      throw fail(`has an unknown critical extension ${ext.extnID}`);
    try {
      if (ext.extnID === id_ce_basicConstraints) {
        const bc = AsnConvert.parse(ext.extnValue, BasicConstraints);
        out.basicConstraints =
          bc.pathLenConstraint === undefined ? { cA: bc.cA } : { cA: bc.cA, pathLen: bc.pathLenConstraint };
      } else if (ext.extnID === id_ce_keyUsage) {
        out.keyUsage = AsnConvert.parse(ext.extnValue, KeyUsage).toNumber();
      }
    } catch (err) {
      throw fail(`extension ${ext.extnID} does not parse: ${(err as Error).message}`);
    }
  }
  let fwid: Uint8Array | undefined;
  try {
    fwid = fwidFromExtensions(
      extensions.map((e) => ({
        oid: e.extnID,
        value: new Uint8Array(e.extnValue.buffer, e.extnValue.byteOffset, e.extnValue.byteLength),
      })),
    );
  } catch (err) {
    throw fail(`FWID extension does not parse: ${(err as Error).message}`);
  }
  if (fwid) out.fwid = fwid;
  return out;
}

/** The raw issuer and subject Name of a certificate: TBSCertificate fields 3 and 5 (after [0] version). */
function rawNames(der: Uint8Array): { issuer: Uint8Array; subject: Uint8Array } {
  const [tbs] = readChildren(readSingle(der).contents);
  const fields = readChildren(tbs!.contents);
  const shift = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version is optional
  const issuer = fields[shift + 2];
  const subject = fields[shift + 4];
  if (issuer?.tag !== 0x30 || subject?.tag !== 0x30)
    throw new Error("TBSCertificate names are not where expected");
  return { issuer: issuer.bytes, subject: subject.bytes };
}
