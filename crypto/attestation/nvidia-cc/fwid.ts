// The firmware ID (FWID) an NVIDIA GPU's leaf certificate carries, to compare with the report's FWID
// opaque field. The leaf is issued by the GPU itself at boot over its firmware measurement, so the
// two must agree. Two encodings exist in the wild:
//   Hopper:    extension 2.23.133.5.4.1 (TCG DICE TcbInfo) holding
//              SEQUENCE { INTEGER, SubjectPublicKeyInfo, FWID }
//   Blackwell: extension 2.23.133.5.4.1.1 holding a DiceTcbInfo whose [6] fwids list starts with
//              the firmware's FWID (a second, zero FWID follows)
// where FWID ::= SEQUENCE { hashAlg OBJECT IDENTIFIER, digest OCTET STRING }. Both are read the
// same way: the first SHA-384 FWID structure in a depth-first walk of the extension's value.
import { type DerElement, derOid, isConstructed, readChildren, readSingle } from "../der.js";

export const TCG_DICE_TCB_INFO_OIDS = ["2.23.133.5.4.1", "2.23.133.5.4.1.1"] as const;
const SHA384_OID_DER = Buffer.from(derOid("2.16.840.1.101.3.4.2.2"));
const FWID_BYTES = 48;

function firstFwid(el: DerElement, depth: number): Uint8Array | undefined {
  if (!isConstructed(el.tag) || depth > 8) return undefined;
  const children = readChildren(el.contents);
  const [alg, digest] = children;
  if (
    el.tag === 0x30 &&
    children.length === 2 &&
    Buffer.compare(Buffer.from(alg!.bytes), SHA384_OID_DER) === 0 &&
    digest!.tag === 0x04 &&
    digest!.contents.length === FWID_BYTES
  )
    return digest!.contents;
  for (const child of children) {
    const found = firstFwid(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The FWID of a certificate given its extensions, or undefined when it has no TcbInfo extension
 * or the extension holds no SHA-384 FWID. Throws (a DerError) when the extension is not DER.
 */
export function fwidFromExtensions(extensions: { oid: string; value: Uint8Array }[]): Uint8Array | undefined {
  for (const ext of extensions) {
    if (!(TCG_DICE_TCB_INFO_OIDS as readonly string[]).includes(ext.oid)) continue;
    const found = firstFwid(readSingle(ext.value), 0);
    if (found) return found;
  }
  return undefined;
}
