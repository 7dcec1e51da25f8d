// Real self-signed X.509 certificates for tests, made at test time: an Ed25519 key from
// node:crypto and a minimal DER encoder for the TBSCertificate (RFC 5280), signed with that key.
import { generateKeyPairSync, sign } from "node:crypto";

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  return Buffer.concat([Uint8Array.of(tag), length(body.length), body]);
}

const seq = (...c: Uint8Array[]) => tlv(0x30, ...c);
const TRUE = Uint8Array.of(0x01, 0x01, 0xff);
const OID_ED25519 = Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x70);
const OID_COMMON_NAME = Uint8Array.of(0x06, 0x03, 0x55, 0x04, 0x03);
const OID_BASIC_CONSTRAINTS = Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x13);

function name(commonName: string): Uint8Array {
  return seq(tlv(0x31, seq(OID_COMMON_NAME, tlv(0x0c, Buffer.from(commonName, "utf8")))));
}

export interface TestCertificate {
  der: Uint8Array;
  pem: string;
}

/** A self-signed certificate named `commonName`; a CA (basicConstraints cA) unless `ca` is false. */
export function selfSignedCertificate(
  commonName: string,
  opts: { ca?: boolean; serial?: number } = {},
): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const basicConstraints = opts.ca === false ? seq() : seq(TRUE);
  const extensions = tlv(0xa3, seq(seq(OID_BASIC_CONSTRAINTS, TRUE, tlv(0x04, basicConstraints))));
  const tbs = seq(
    tlv(0xa0, Uint8Array.of(0x02, 0x01, 0x02)),
    tlv(0x02, Uint8Array.of((opts.serial ?? 1) & 0x7f)),
    seq(OID_ED25519),
    name(commonName),
    seq(tlv(0x17, Buffer.from("250101000000Z")), tlv(0x17, Buffer.from("450101000000Z"))),
    name(commonName),
    spki,
    extensions,
  );
  const signature = sign(null, tbs, privateKey);
  const der = seq(tbs, seq(OID_ED25519), tlv(0x03, Uint8Array.of(0), signature));
  const b64 = Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return {
    der: new Uint8Array(der),
    pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
  };
}
