// NVIDIA's opaque data in the MEASUREMENTS response: a list of little-endian TLVs
// [type u16][size u16][value], filling OpaqueLength exactly. The types this verifier reads are
// the driver version (3), VBIOS version (6) and FWID (20); the others (board id, chip SKU,
// measurement counts, switch PDIs, ...) are kept raw. Unknown types are accepted (newer GPUs add
// types) but each type may appear once, so no reader can pick a different copy than another.
import { AttestationError } from "../errors.js";
import { ByteReader } from "./byte-reader.js";

export const OPAQUE_DRIVER_VERSION = 3;
export const OPAQUE_VBIOS_VERSION = 6;
export const OPAQUE_FWID = 20;
export const FWID_BYTES = 48;
const VBIOS_BYTES = 8;

export interface OpaqueField {
  type: number;
  value: Uint8Array;
}

export interface OpaqueData {
  fields: OpaqueField[];
  driverVersion?: string;
  /** NVIDIA's display form, e.g. "96.00.9F.00.01" */
  vbiosVersion?: string;
  fwid?: Uint8Array;
}

function malformed(message: string): AttestationError {
  return new AttestationError("REPORT_MALFORMED", message);
}

/** ASCII text up to the first NUL (the driver writes a NUL-terminated string). */
function cString(value: Uint8Array): string {
  const end = value.indexOf(0);
  const text = value.subarray(0, end < 0 ? value.length : end);
  if (!text.every((c) => c >= 0x20 && c < 0x7f)) throw malformed("driver version is not printable ASCII");
  return Buffer.from(text).toString("latin1");
}

/**
 * NVIDIA writes the VBIOS version as 8 little-endian bytes; its tools show bytes 3,2,1,0 then 4
 * in hex, dot-separated (what nvidia-smi prints as the VBIOS version).
 */
export function formatVbiosVersion(value: Uint8Array): string {
  return [3, 2, 1, 0, 4].map((i) => value[i]!.toString(16).padStart(2, "0").toUpperCase()).join(".");
}

export function parseOpaqueData(bytes: Uint8Array): OpaqueData {
  const reader = new ByteReader(bytes, "opaque data", "REPORT_MALFORMED");
  const out: OpaqueData = { fields: [] };
  const seen = new Set<number>();
  while (reader.remaining > 0) {
    const type = reader.u16("opaque field type");
    const size = reader.u16("opaque field size");
    const value = reader.take(size, `opaque field ${type}`);
    if (seen.has(type)) throw malformed(`opaque field type ${type} appears twice`);
    seen.add(type);
    out.fields.push({ type, value });
    if (type === OPAQUE_DRIVER_VERSION) out.driverVersion = cString(value);
    if (type === OPAQUE_VBIOS_VERSION) {
      if (size !== VBIOS_BYTES) throw malformed(`VBIOS version field is ${size} bytes, not ${VBIOS_BYTES}`);
      out.vbiosVersion = formatVbiosVersion(value);
    }
    if (type === OPAQUE_FWID) {
      if (size !== FWID_BYTES) throw malformed(`FWID field is ${size} bytes, not ${FWID_BYTES}`);
      out.fwid = value;
    }
  }
  return out;
}
