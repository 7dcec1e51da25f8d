// Development evidence: the exact byte layout and JSON of NVIDIA's nvidia-cc evidence, over a
// development CA instead of NVIDIA's. The chain verifies it with the same verifier (class `dev`,
// accepted only where genesis allows it); tests use it to build nvidia-cc-layout evidence with a
// test root, and the worker daemon uses it on a devnet. Never evidence of real hardware.
//
// The chain mirrors NVIDIA's five levels, leaf first: FMC LF (leaf, signs the report, carries the
// FWID) <- BROM (the device certificate: its key is the GPU's identity) <- Provisioner ICA <-
// Identity <- root. By default signatures alternate high-S and low-S (certificates 0, 2, 4 and the
// report high-S), as real NVIDIA chains mix both.
import { hash, type KeyObject, randomBytes } from "node:crypto";
import { derOctetString, derOid, derSequence, tlv } from "./der.js";
import { buildCertificate, KeyUsageFlags, spkiDer } from "./dev/certificate-builder.js";
import { generateP384Key, type SForm, signP384Raw } from "./dev/p384-sign.js";
import { buildReport } from "./dev/report-builder.js";
import { AttestationError } from "./errors.js";
import { type NvidiaGpuEvidenceJson, nvidiaEvidenceJson } from "./nvidia-cc/evidence-json.js";
import { FWID_BYTES, OPAQUE_DRIVER_VERSION, OPAQUE_FWID, OPAQUE_VBIOS_VERSION } from "./nvidia-cc/opaque.js";
import { pemFromDer } from "./nvidia-cc/pem.js";
import { NONCE_BYTES } from "./nvidia-cc/report.js";

/** NVIDIA's certificates run to the end of 9999; so do dev certificates unless told otherwise. */
export const FOREVER_MS = Date.UTC(9999, 11, 31, 23, 59, 59);
const HOUR_MS = 3_600_000;
export const DEV_MEASUREMENT_COUNT = 64;
const SHA384_OID = "2.16.840.1.101.3.4.2.2";

export interface DevCa {
  privateKey: KeyObject;
  certificateDer: Uint8Array;
  certificatePem: string;
  commonName: string;
}

export interface DevCertificateOverride {
  notBeforeMs?: number;
  notAfterMs?: number;
  /** "absent" drops the extension; {cA: false} keeps it with cA false */
  basicConstraints?: { cA: boolean; pathLen?: number } | "absent";
  keyUsage?: number;
}

export interface MakeDevEvidenceOptions {
  /** the 32-byte nonce to answer (attestationNonce(...) on chain) */
  nonce: Uint8Array;
  /** issuance time, unix ms: certificates are valid from an hour before it */
  timeMs: number;
  /** the development root CA; a fresh one is generated when absent */
  root?: DevCa;
  /** the GPU's identity key (the device certificate's key); keep it to attest the same GPU again */
  deviceKey?: KeyObject;
  /** measurement values by index; default defaultDevMeasurements() */
  measurements?: ReadonlyMap<number, Uint8Array>;
  /** the report's FWID field (48 bytes); null: no FWID field, as older firmware; default devFwid() */
  fwid?: Uint8Array | null;
  /** the leaf certificate's FWID; default: the report's (null: no FWID extension) */
  certificateFwid?: Uint8Array | null;
  arch?: "HOPPER" | "BLACKWELL";
  driverVersion?: string;
  /** per position 0..4 (leaf first) then the report; default high, low, high, low, high, report high */
  signatureForms?: { certificates?: readonly SForm[]; report?: SForm };
  /** per chain position 0..3 (the root is options.root / generateDevRootCa's) */
  certificates?: Partial<Record<0 | 1 | 2 | 3, DevCertificateOverride>>;
}

export interface DevEvidence {
  /** NVIDIA's export entry for this GPU (wrap it in an array for a file) */
  json: NvidiaGpuEvidenceJson;
  report: Uint8Array;
  /** PEM text, leaf first, the root's certificate last */
  certificateChain: string;
  certificateDers: Uint8Array[];
  root: DevCa;
  deviceKey: KeyObject;
  measurements: Map<number, Uint8Array>;
  fwid?: Uint8Array;
}

const sha384 = (text: string) => new Uint8Array(hash("sha384", text, "buffer") as unknown as Buffer);

/** Deterministic dev measurement values for indices 1..64 (what a devnet genesis allows). */
export function defaultDevMeasurements(): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let i = 1; i <= DEV_MEASUREMENT_COUNT; i++) out.set(i, sha384(`kyochi/dev-measurement/${i}`));
  return out;
}

export function devFwid(): Uint8Array {
  return sha384("kyochi/dev-fwid");
}

export function generateDevRootCa(
  opts: { timeMs: number; commonName?: string; notAfterMs?: number; signatureForm?: SForm } = { timeMs: 0 },
): DevCa {
  const commonName = opts.commonName ?? "Kyochi Dev Device Identity CA";
  const privateKey = generateP384Key();
  const certificateDer = buildCertificate({
    subject: commonName,
    issuer: commonName,
    subjectKey: privateKey,
    issuerKey: privateKey,
    notBeforeMs: opts.timeMs - HOUR_MS,
    notAfterMs: opts.notAfterMs ?? FOREVER_MS,
    basicConstraints: { cA: true },
    keyUsage: KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign,
    signatureForm: opts.signatureForm ?? "high",
  });
  return { privateKey, certificateDer, certificatePem: pemFromDer(certificateDer), commonName };
}

/** The leaf's FWID extension in the architecture's encoding (see nvidia-cc/fwid.ts). */
function fwidExtension(arch: "HOPPER" | "BLACKWELL", fwid: Uint8Array, deviceKey: KeyObject) {
  const entry = (digest: Uint8Array) => derSequence(derOid(SHA384_OID), derOctetString(digest));
  if (arch === "HOPPER")
    return {
      oid: "2.23.133.5.4.1",
      critical: false,
      value: derSequence(tlv(0x02, Uint8Array.of(1)), spkiDer(deviceKey), entry(fwid)),
    };
  return {
    oid: "2.23.133.5.4.1.1",
    critical: false,
    value: derSequence(
      tlv(0x80, new TextEncoder().encode("NVIDIA")),
      tlv(0xa6, entry(fwid), entry(new Uint8Array(FWID_BYTES))),
    ),
  };
}

function checkOptions(o: MakeDevEvidenceOptions): void {
  const bad = (m: string) => new AttestationError("INVALID_ARGUMENT", m);
  if (o.nonce.length !== NONCE_BYTES) throw bad(`nonce is ${o.nonce.length} bytes, not ${NONCE_BYTES}`);
  for (const f of [o.fwid, o.certificateFwid])
    if (f && f.length !== FWID_BYTES) throw bad(`an FWID is ${f.length} bytes, not ${FWID_BYTES}`);
  for (const [i, v] of o.measurements ?? [])
    if (i < 1 || i > 254 || v.length < 1 || v.length > 0xffff - 3)
      throw bad(`measurement ${i} is out of range`);
}

export function makeDevEvidence(options: MakeDevEvidenceOptions): DevEvidence {
  checkOptions(options);
  const arch = options.arch ?? "HOPPER";
  const forms = options.signatureForms?.certificates ?? ["high", "low", "high", "low", "high"];
  const root =
    options.root ?? generateDevRootCa({ timeMs: options.timeMs, signatureForm: forms[4] ?? "high" });
  const deviceKey = options.deviceKey ?? generateP384Key();
  const fwid = options.fwid === null ? undefined : (options.fwid ?? devFwid());
  const certFwid = options.certificateFwid === null ? undefined : (options.certificateFwid ?? fwid);
  const measurements = new Map(options.measurements ?? defaultDevMeasurements());

  // Position i is signed by position i + 1; the names follow NVIDIA's chain.
  const names = [
    "Kyochi Dev GPU FMC LF",
    "Kyochi Dev GPU BROM",
    "Kyochi Dev GPU Provisioner ICA",
    "Kyochi Dev GPU Identity",
  ];
  const keys = [generateP384Key(), deviceKey, generateP384Key(), generateP384Key()];
  const ders: Uint8Array[] = [];
  for (let i = 0; i < 4; i++) {
    const o = options.certificates?.[i as 0 | 1 | 2 | 3] ?? {};
    const leaf = i === 0;
    ders.push(
      buildCertificate({
        subject: names[i]!,
        issuer: i === 3 ? root.commonName : names[i + 1]!,
        subjectKey: keys[i]!,
        issuerKey: i === 3 ? root.privateKey : keys[i + 1]!,
        notBeforeMs: o.notBeforeMs ?? options.timeMs - HOUR_MS,
        notAfterMs: o.notAfterMs ?? FOREVER_MS,
        basicConstraints: o.basicConstraints ?? (leaf ? "absent" : { cA: true }),
        keyUsage:
          o.keyUsage ??
          (leaf ? KeyUsageFlags.digitalSignature : KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
        extensions: leaf && certFwid ? [fwidExtension(arch, certFwid, deviceKey)] : [],
        signatureForm: forms[i] ?? "any",
      }),
    );
  }
  ders.push(root.certificateDer);

  const opaque = [
    { type: OPAQUE_VBIOS_VERSION, value: Uint8Array.of(0x00, 0x9f, 0x00, 0x96, 0x01, 0, 0, 0) },
    { type: 14, value: Uint8Array.of(0xb1, 0x03, 0, 0) }, // board id
    {
      type: OPAQUE_DRIVER_VERSION,
      value: new TextEncoder().encode(`${options.driverVersion ?? "550.90.07"}\0`),
    },
    { type: 11, value: Uint8Array.of(0x55) }, // NVDEC0 status
    ...(fwid ? [{ type: OPAQUE_FWID, value: fwid }] : []),
  ];
  const report = buildReport({
    nonce: options.nonce,
    responderNonce: new Uint8Array(randomBytes(NONCE_BYTES)),
    measurements: [...measurements].sort(([a], [b]) => a - b).map(([index, value]) => ({ index, value })),
    opaque,
    sign: (bytes) => signP384Raw(keys[0]!, bytes, options.signatureForms?.report ?? "high"),
  });
  const certificateChain = ders.map(pemFromDer).join("");
  return {
    json: nvidiaEvidenceJson({ arch, nonce: options.nonce, report, certificateChain }),
    report,
    certificateChain,
    certificateDers: ders,
    root,
    deviceKey,
    measurements,
    ...(fwid ? { fwid } : {}),
  };
}
