// Builds P-384 X.509 certificates shaped like NVIDIA's GPU chain (ecdsa-with-SHA384, critical
// basicConstraints and keyUsage, a TCG DICE FWID extension on the leaf), for dev evidence and tests.
import { createPublicKey, type KeyObject, randomBytes } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { ECDSA_WITH_SHA384 } from "../nvidia-cc/certificates.js";
import { type SForm, signP384Der } from "./p384-sign.js";

const OID_COMMON_NAME = "2.5.4.3";
const OID_ORGANIZATION = "2.5.4.10";

export interface CertificateSpec {
  subject: string;
  issuer: string;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  notBeforeMs: number;
  notAfterMs: number;
  /** "absent": no basicConstraints extension at all */
  basicConstraints: { cA: boolean; pathLen?: number } | "absent";
  keyUsage: number;
  /** extra extensions (already DER-encoded values) */
  extensions?: { oid: string; critical: boolean; value: Uint8Array }[];
  signatureForm: SForm;
}

export function devName(commonName: string): Name {
  const rdn = (type: string, text: string) =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: text }) }),
    ]);
  return new Name([rdn(OID_ORGANIZATION, "Kyochi Dev"), rdn(OID_COMMON_NAME, commonName)]);
}

export function spkiDer(key: KeyObject): Uint8Array {
  return new Uint8Array(createPublicKey(key).export({ format: "der", type: "spki" }));
}

function extension(oid: string, critical: boolean, value: ArrayBuffer | Uint8Array): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(value) });
}

export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, 16 bytes
  const extensions: Extension[] = [];
  if (spec.basicConstraints !== "absent") {
    const bc = new BasicConstraints({ cA: spec.basicConstraints.cA });
    if (spec.basicConstraints.pathLen !== undefined) bc.pathLenConstraint = spec.basicConstraints.pathLen;
    extensions.push(extension(id_ce_basicConstraints, true, AsnConvert.serialize(bc)));
  }
  const ku = new KeyUsage();
  ku.fromNumber(spec.keyUsage as KeyUsageFlags);
  extensions.push(extension(id_ce_keyUsage, true, AsnConvert.serialize(ku)));
  for (const e of spec.extensions ?? []) extensions.push(extension(e.oid, e.critical, e.value));

  const algorithm = new AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA384 });
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer,
    signature: algorithm,
    issuer: devName(spec.issuer),
    validity: new Validity({ notBefore: new Date(spec.notBeforeMs), notAfter: new Date(spec.notAfterMs) }),
    subject: devName(spec.subject),
    subjectPublicKeyInfo: AsnConvert.parse(spkiDer(spec.subjectKey), SubjectPublicKeyInfo),
    extensions: new Extensions(extensions),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = signP384Der(spec.issuerKey, tbsDer, spec.signatureForm);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: signature.slice().buffer,
  });
  return new Uint8Array(AsnConvert.serialize(cert));
}

export { KeyUsageFlags };
