// NVIDIA's export format for GPU evidence (what its attestation SDK and nvtrust tools write): a JSON
// array with one object per GPU,
//   { "arch": "HOPPER", "nonce": "<64 hex>", "evidence": "<base64 report>", "certificate": "<base64 PEM chain>" }
// A single object (one GPU) is accepted too. The "nonce" field is informational: the verifier reads
// the nonce from the signed report and only requires this field, when present, to agree with it.
import { AttestationError } from "../errors.js";

export interface NvidiaGpuEvidence {
  arch: string;
  /** the JSON's nonce field, when present */
  nonce?: Uint8Array;
  report: Uint8Array;
  /** the PEM text of the certificate chain, leaf first */
  certificateChain: string;
}

export interface NvidiaGpuEvidenceJson {
  arch: string;
  nonce: string;
  evidence: string;
  certificate: string;
}

const ARCH = /^[A-Z][A-Z0-9_]{0,31}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^(0x)?([0-9a-fA-F]{2})*$/;
export const MAX_GPUS_PER_EVIDENCE = 64;

function malformed(message: string): AttestationError {
  return new AttestationError("EVIDENCE_MALFORMED", message);
}

function base64Field(obj: Record<string, unknown>, key: string, at: string): Uint8Array {
  const v = obj[key];
  if (typeof v !== "string" || v.length === 0 || v.length % 4 !== 0 || !BASE64.test(v))
    throw malformed(`${at}.${key} is not a base64 string`);
  return new Uint8Array(Buffer.from(v, "base64"));
}

function parseOne(value: unknown, at: string): NvidiaGpuEvidence {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed(`${at} is not an object`);
  const obj = value as Record<string, unknown>;
  if (typeof obj.arch !== "string" || !ARCH.test(obj.arch))
    throw malformed(`${at}.arch is not an architecture name such as "HOPPER" or "BLACKWELL"`);
  const out: NvidiaGpuEvidence = {
    arch: obj.arch,
    report: base64Field(obj, "evidence", at),
    certificateChain: Buffer.from(base64Field(obj, "certificate", at)).toString("latin1"),
  };
  if (obj.nonce !== undefined) {
    if (typeof obj.nonce !== "string" || !HEX.test(obj.nonce)) throw malformed(`${at}.nonce is not hex`);
    out.nonce = new Uint8Array(Buffer.from(obj.nonce.replace(/^0x/, ""), "hex"));
  }
  return out;
}

/** Parses NVIDIA's evidence JSON (already JSON.parse'd): one entry per GPU, in file order. */
export function parseNvidiaEvidenceJson(value: unknown): NvidiaGpuEvidence[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw malformed("the evidence list is empty");
  if (list.length > MAX_GPUS_PER_EVIDENCE)
    throw malformed(`more than ${MAX_GPUS_PER_EVIDENCE} GPUs in one evidence`);
  return list.map((v, i) => parseOne(v, `evidence[${i}]`));
}

export function nvidiaEvidenceJson(e: NvidiaGpuEvidence & { nonce: Uint8Array }): NvidiaGpuEvidenceJson {
  return {
    arch: e.arch,
    nonce: Buffer.from(e.nonce).toString("hex"),
    evidence: Buffer.from(e.report).toString("base64"),
    certificate: Buffer.from(e.certificateChain, "latin1").toString("base64"),
  };
}
