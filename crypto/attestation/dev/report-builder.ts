// Builds an SPDM 1.1 GET_MEASUREMENTS request + signed MEASUREMENTS response byte for byte as an
// NVIDIA GPU returns it (layout in ../nvidia-cc/report.ts), for dev evidence and tests.
import {
  DMTF_MEASUREMENT_SPEC,
  NONCE_BYTES,
  SPDM_GET_MEASUREMENTS,
  SPDM_MEASUREMENTS,
  SPDM_VERSION_1_1,
} from "../nvidia-cc/report.js";

/** DMTF value type of a firmware-measurement digest (bit 7 clear: a digest, not a raw bit stream). */
const DMTF_DIGEST_TYPE = 0x01;

export interface ReportSpec {
  nonce: Uint8Array;
  responderNonce: Uint8Array;
  slotId?: number;
  measurements: readonly { index: number; value: Uint8Array }[];
  opaque: readonly { type: number; value: Uint8Array }[];
  /** signs the bytes before the signature; returns raw r||s (96 bytes) */
  sign: (signedBytes: Uint8Array) => Uint8Array;
}

const u16le = (n: number) => Uint8Array.of(n & 0xff, n >> 8);
const u24le = (n: number) => Uint8Array.of(n & 0xff, (n >> 8) & 0xff, n >> 16);

export function encodeOpaque(fields: ReportSpec["opaque"]): Uint8Array {
  return Buffer.concat(fields.flatMap((f) => [u16le(f.type), u16le(f.value.length), f.value]));
}

export function buildReport(spec: ReportSpec): Uint8Array {
  if (spec.nonce.length !== NONCE_BYTES || spec.responderNonce.length !== NONCE_BYTES)
    throw new RangeError("nonces are 32 bytes");
  const slot = spec.slotId ?? 0;
  const request = Buffer.concat([
    Uint8Array.of(SPDM_VERSION_1_1, SPDM_GET_MEASUREMENTS, 0x01, 0xff),
    spec.nonce,
    Uint8Array.of(slot),
  ]);
  const record = Buffer.concat(
    spec.measurements.flatMap((m) => [
      Uint8Array.of(m.index, DMTF_MEASUREMENT_SPEC),
      u16le(3 + m.value.length),
      Uint8Array.of(DMTF_DIGEST_TYPE),
      u16le(m.value.length),
      m.value,
    ]),
  );
  const opaque = encodeOpaque(spec.opaque);
  const signed = new Uint8Array(
    Buffer.concat([
      request,
      Uint8Array.of(SPDM_VERSION_1_1, SPDM_MEASUREMENTS, 0x00, slot, spec.measurements.length),
      u24le(record.length),
      record,
      spec.responderNonce,
      u16le(opaque.length),
      opaque,
    ]),
  );
  return new Uint8Array(Buffer.concat([signed, spec.sign(signed)]));
}
