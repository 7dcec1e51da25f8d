// A minimal strict DER reader and writer: just enough to walk the TCG DICE FWID extension (which
// no X.509 library models), take raw Name bytes out of a TBSCertificate for exact name chaining,
// and encode ECDSA signatures and small structures in the dev evidence generator. X.509 fields
// themselves are read with @peculiar/asn1-x509 (see nvidia-cc/certificates.ts).

export interface DerElement {
  tag: number;
  /** the whole element: tag, length and contents */
  bytes: Uint8Array;
  contents: Uint8Array;
}

export class DerError extends Error {}

/** Reads the one element at `offset`; rejects indefinite and non-minimal lengths. */
export function readElement(buf: Uint8Array, offset: number): DerElement {
  if (offset + 2 > buf.length) throw new DerError("DER element truncated");
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte DER tags are not supported");
  let length = buf[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 4) throw new DerError("DER length is indefinite or too large");
    if (offset + 2 + n > buf.length) throw new DerError("DER length truncated");
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (buf[offset + 2] === 0 || length < 0x80) throw new DerError("DER length is not minimal");
    header += n;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new DerError("DER contents truncated");
  return { tag, bytes: buf.subarray(offset, end), contents: buf.subarray(offset + header, end) };
}

/** The elements filling `contents` exactly. */
export function readChildren(contents: Uint8Array): DerElement[] {
  const out: DerElement[] = [];
  for (let at = 0; at < contents.length; ) {
    const el = readElement(contents, at);
    out.push(el);
    at += el.bytes.length;
  }
  return out;
}

/** Reads exactly one element spanning all of `buf`. */
export function readSingle(buf: Uint8Array): DerElement {
  const el = readElement(buf, 0);
  if (el.bytes.length !== buf.length) throw new DerError("trailing bytes after DER element");
  return el;
}

export const isConstructed = (tag: number): boolean => (tag & 0x20) !== 0;

// ---- writer ----

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag), encodeLength(body.length), body]));
}

export const derSequence = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
export const derOctetString = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);

/** A non-negative INTEGER from its unsigned big-endian magnitude. */
export function derUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const pad = trimmed[0]! & 0x80 ? Uint8Array.of(0) : new Uint8Array(0);
  return tlv(0x02, pad, trimmed);
}

/** OBJECT IDENTIFIER from dotted text. */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map((s) => Number.parseInt(s, 10));
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift(v & 0x7f);
      if (v < 128) break;
    }
    for (let i = 0; i < groups.length - 1; i++) groups[i] = groups[i]! | 0x80;
    out.push(...groups);
  }
  return tlv(0x06, Uint8Array.from(out));
}
