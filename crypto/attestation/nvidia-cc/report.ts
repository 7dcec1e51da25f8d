// The report NVIDIA's tools export for one GPU: the SPDM 1.1 GET_MEASUREMENTS request the verifier
// sent, then the GPU's MEASUREMENTS response, whose last 96 bytes are an ECDSA P-384/SHA-384
// signature (raw r||s) over everything before it, request included (SPDM's L1/L2 transcript).
//
//   request (37):  version 0x11 | code 0xE0 | param1 0x01 (signature requested) | param2 0xFF (all
//                  measurements) | nonce (32) | slot id (1)
//   response:      version 0x11 | code 0x60 | param1 | param2 (slot id in bits 3..0) |
//                  number of blocks (1) | record length (u24 LE) | record | responder nonce (32) |
//                  opaque length (u16 LE) | opaque data | signature (96)
//   record block:  index (1) | spec 0x01 = DMTF (1) | size (u16 LE) | DMTF type (1) |
//                  value size (u16 LE) | value          with size = 3 + value size
//
// Parsing is strict by lengths: every declared length must be met exactly, nothing may follow the
// signature, and a field that cannot be read because the report ended is REPORT_TRUNCATED.
import { AttestationError } from "../errors.js";
import { ByteReader } from "./byte-reader.js";
import { type OpaqueData, parseOpaqueData } from "./opaque.js";

export const SPDM_VERSION_1_1 = 0x11;
export const SPDM_GET_MEASUREMENTS = 0xe0;
export const SPDM_MEASUREMENTS = 0x60;
export const REQUEST_BYTES = 37;
export const NONCE_BYTES = 32;
export const SIGNATURE_BYTES = 96;
export const DMTF_MEASUREMENT_SPEC = 0x01;
/** SPDM 1.1 caps opaque data at 1024 bytes. */
export const MAX_OPAQUE_BYTES = 1024;
const PARAM1_SIGNATURE_REQUESTED = 0x01;
const PARAM2_ALL_MEASUREMENTS = 0xff;

export interface MeasurementBlock {
  index: number;
  /** DMTFSpecMeasurementValueType (bit 7: raw bit stream rather than a digest) */
  valueType: number;
  value: Uint8Array;
}

export interface SpdmReport {
  /** everything the signature covers: request and response up to the signature */
  signedBytes: Uint8Array;
  /** raw r||s, 48 bytes each */
  signature: Uint8Array;
  /** the verifier's nonce, request bytes 4..36 */
  requestNonce: Uint8Array;
  slotId: number;
  responderNonce: Uint8Array;
  /** in report order; indices are unique */
  measurements: MeasurementBlock[];
  opaque: OpaqueData;
}

function malformed(message: string): AttestationError {
  return new AttestationError("REPORT_MALFORMED", message);
}

function expectByte(actual: number, expected: number, field: string): void {
  if (actual !== expected)
    throw malformed(`${field} is 0x${actual.toString(16)}, expected 0x${expected.toString(16)}`);
}

function parseRecord(record: Uint8Array, blocks: number): MeasurementBlock[] {
  const reader = new ByteReader(record, "measurement record", "REPORT_MALFORMED");
  const out: MeasurementBlock[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < blocks; i++) {
    const index = reader.u8("measurement index");
    if (index === 0 || index === 0xff) throw malformed(`measurement index ${index} is reserved`);
    if (seen.has(index)) throw malformed(`measurement index ${index} appears twice`);
    seen.add(index);
    expectByte(reader.u8("measurement specification"), DMTF_MEASUREMENT_SPEC, `block ${index} specification`);
    const size = reader.u16("measurement size");
    const block = new ByteReader(
      reader.take(size, `measurement ${index}`),
      `measurement ${index}`,
      "REPORT_MALFORMED",
    );
    const valueType = block.u8("DMTF value type");
    const valueSize = block.u16("DMTF value size");
    if (valueSize === 0 || size !== 3 + valueSize)
      throw malformed(`measurement ${index}: size ${size} does not match value size ${valueSize} + 3`);
    out.push({ index, valueType, value: block.take(valueSize, "DMTF value") });
  }
  if (reader.remaining !== 0)
    throw malformed(`measurement record has ${reader.remaining} bytes after its ${blocks} blocks`);
  return out;
}

export function parseSpdmReport(report: Uint8Array): SpdmReport {
  const r = new ByteReader(report, "the report");
  expectByte(r.u8("request version"), SPDM_VERSION_1_1, "request SPDM version");
  expectByte(r.u8("request code"), SPDM_GET_MEASUREMENTS, "request code");
  expectByte(r.u8("request param1"), PARAM1_SIGNATURE_REQUESTED, "request param1 (signature requested)");
  expectByte(r.u8("request param2"), PARAM2_ALL_MEASUREMENTS, "request param2 (all measurements)");
  const requestNonce = r.take(NONCE_BYTES, "request nonce");
  const slotId = r.u8("request slot id");
  if (slotId > 7) throw malformed(`request slot id ${slotId} is not 0..7`);

  expectByte(r.u8("response version"), SPDM_VERSION_1_1, "response SPDM version");
  expectByte(r.u8("response code"), SPDM_MEASUREMENTS, "response code");
  r.u8("response param1"); // reserved when all measurements are requested
  const param2 = r.u8("response param2");
  if ((param2 & 0x0f) !== slotId)
    throw malformed(`response slot id ${param2 & 0x0f} is not the requested ${slotId}`);
  const blocks = r.u8("number of blocks");
  if (blocks === 0) throw malformed("the response has no measurement blocks");
  const recordLength = r.u24("measurement record length");
  const measurements = parseRecord(r.take(recordLength, "measurement record"), blocks);
  const responderNonce = r.take(NONCE_BYTES, "responder nonce");
  const opaqueLength = r.u16("opaque length");
  if (opaqueLength > MAX_OPAQUE_BYTES)
    throw malformed(`opaque length ${opaqueLength} exceeds ${MAX_OPAQUE_BYTES}`);
  const opaque = parseOpaqueData(r.take(opaqueLength, "opaque data"));
  const signedLength = r.offset;
  const signature = r.take(SIGNATURE_BYTES, "signature");
  if (r.remaining !== 0)
    throw new AttestationError(
      "REPORT_TRAILING_BYTES",
      `${r.remaining} bytes follow the report's signature (report is ${report.length} bytes, expected ${r.offset})`,
    );
  return {
    signedBytes: report.subarray(0, signedLength),
    signature,
    requestNonce,
    slotId,
    responderNonce,
    measurements,
    opaque,
  };
}
