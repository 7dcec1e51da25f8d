// Where the daemon gets attestation evidence for a nonce.
//
// - dev: evidence in NVIDIA's exact layout over the development CA a devnet declares in genesis
//   (class `dev`, accepted only where genesis allows it, never trusted). The "GPU" is a P-384 key
//   kept in the worker's home, so re-attestations come from the same device identity.
// - command: a program the provider configures that asks the real GPU for evidence (for example
//   a script around NVIDIA's attestation SDK). `{nonce}` in its arguments is replaced by the nonce
//   as 64 hex digits; it prints NVIDIA's JSON export (an array, one entry per GPU) on stdout.
import { execFile } from "node:child_process";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { generateP384Key } from "../../crypto/attestation/dev/p384-sign.js";
import { type DevCa, makeDevEvidence } from "../../crypto/attestation/dev-evidence.js";
import { AttestationError } from "../../crypto/attestation/errors.js";
import { parseNvidiaEvidenceJson } from "../../crypto/attestation/nvidia-cc/evidence-json.js";
import { derCertificatesFromPem } from "../../crypto/attestation/nvidia-cc/pem.js";
import { toHex } from "../../crypto/hash.js";
import { writeFileAtomic } from "../key-file.js";
import { WorkerError } from "./errors.js";

export interface GpuEvidence {
  evidenceClass: "nvidia-cc" | "dev";
  arch: string;
  report: Uint8Array;
  certificateChain: string;
}

export interface EvidenceSource {
  readonly evidenceClass: "nvidia-cc" | "dev";
  /** Evidence answering `nonce` for GPU `gpuIndex`; `timeMs` is the chain's latest block time. */
  evidence(nonce: Uint8Array, gpuIndex: number, timeMs: number): Promise<GpuEvidence>;
}

/** The development CA file a devnet writes: the root certificate and its private key, PEM. */
export interface DevCaFile {
  /** The CA's subject common name: the issuer name of the certificates it signs. */
  common_name: string;
  certificate_pem: string;
  private_key_pem: string;
}

export function readDevCa(path: string): DevCa {
  let file: DevCaFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as DevCaFile;
  } catch (err) {
    throw new WorkerError("WORKER_CONFIG_INVALID", `cannot read the dev CA file ${path}: ${String(err)}`);
  }
  const ders = derCertificatesFromPem(file.certificate_pem);
  if (typeof file.common_name !== "string" || file.common_name === "")
    throw new WorkerError("WORKER_CONFIG_INVALID", `${path} has no common_name`);
  if (ders.length !== 1 || ders[0] === undefined)
    throw new WorkerError("WORKER_CONFIG_INVALID", `${path} must hold exactly one CA certificate`);
  return {
    privateKey: createPrivateKey(file.private_key_pem),
    certificateDer: ders[0],
    certificatePem: file.certificate_pem,
    commonName: file.common_name,
  };
}

/** The dev "GPU": a P-384 key created once and kept at `path` (PKCS#8 PEM, 0600). */
export function loadOrCreateDeviceKey(path: string): KeyObject {
  if (existsSync(path)) return createPrivateKey(readFileSync(path, "utf8"));
  const key = generateP384Key();
  writeFileAtomic(path, key.export({ type: "pkcs8", format: "pem" }).toString());
  return key;
}

export class DevEvidenceSource implements EvidenceSource {
  readonly evidenceClass = "dev" as const;

  constructor(
    private readonly ca: DevCa,
    private readonly deviceKey: KeyObject,
  ) {}

  async evidence(nonce: Uint8Array, _gpuIndex: number, timeMs: number): Promise<GpuEvidence> {
    const e = makeDevEvidence({ nonce, timeMs, root: this.ca, deviceKey: this.deviceKey });
    return {
      evidenceClass: "dev",
      arch: e.json.arch,
      report: e.report,
      certificateChain: e.certificateChain,
    };
  }
}

const execFileAsync = promisify(execFile);

export class CommandEvidenceSource implements EvidenceSource {
  readonly evidenceClass = "nvidia-cc" as const;

  constructor(
    private readonly program: string,
    private readonly args: readonly string[],
    private readonly timeoutMs = 120_000,
  ) {}

  async evidence(nonce: Uint8Array, gpuIndex: number): Promise<GpuEvidence> {
    const nonceHex = toHex(nonce);
    const args = this.args.map((a) => a.replaceAll("{nonce}", nonceHex));
    let stdout: string;
    try {
      ({ stdout } = await execFileAsync(this.program, args, {
        timeout: this.timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
      }));
    } catch (err) {
      throw new WorkerError(
        "WORKER_EVIDENCE_FAILED",
        `evidence command ${this.program} failed: ${String(err)}`,
      );
    }
    try {
      const gpus = parseNvidiaEvidenceJson(JSON.parse(stdout) as unknown);
      const gpu = gpus[gpuIndex];
      if (gpu === undefined)
        throw new WorkerError(
          "WORKER_EVIDENCE_FAILED",
          `the evidence command returned ${gpus.length} GPU(s); GPU index ${gpuIndex} is not among them`,
        );
      return {
        evidenceClass: "nvidia-cc",
        arch: gpu.arch,
        report: gpu.report,
        certificateChain: gpu.certificateChain,
      };
    } catch (err) {
      if (err instanceof WorkerError) throw err;
      const why = err instanceof AttestationError ? `${err.code}: ${err.message}` : String(err);
      throw new WorkerError(
        "WORKER_EVIDENCE_FAILED",
        `the evidence command's output is not NVIDIA evidence JSON: ${why}`,
      );
    }
  }
}
