// Attestation verifications per second (one core): the full nvidia-cc verifier over dev evidence
// with NVIDIA's layout (5-level P-384 chain, 64 measurements, allow-list checked), its parts, and
// the P-384 ECDSA verify it is built on, native (node:crypto/OpenSSL) against pure JS
// (@noble/curves, low-S disabled as real evidence needs). Sizes: KYOCHI_BENCH_QUICK=1 shrinks them;
// KYOCHI_BENCH_ATTEST_N sets the number of full verifications.
import { createPublicKey, verify } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { p384 } from "@noble/curves/nist.js";
import { generateDevRootCa, makeDevEvidence } from "../../crypto/attestation/dev-evidence.js";
import {
  measurementPolicy,
  parseSpdmReport,
  parseTrustedRoot,
  type VerifyGpuEvidenceInput,
  verifyGpuEvidence,
} from "../../crypto/attestation/index.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const N = Number(process.env.KYOCHI_BENCH_ATTEST_N ?? (QUICK ? 100 : 1000));

interface Row {
  measure: string;
  count: number;
  seconds: string;
  "ops/s": string;
}

function measure(name: string, count: number, f: () => boolean): Row {
  if (!f()) throw new Error(`${name}: check failed`); // warm up, and make sure it measures a success
  const start = performance.now();
  for (let i = 0; i < count; i++) f();
  const ms = performance.now() - start;
  return {
    measure: name,
    count,
    seconds: (ms / 1000).toFixed(2),
    "ops/s": Math.round((count * 1000) / ms).toLocaleString("en-US"),
  };
}

export async function run(): Promise<void> {
  const timeMs = Date.UTC(2026, 0, 1);
  const nonce = new Uint8Array(32).fill(0x42);
  const root = generateDevRootCa({ timeMs: timeMs - 86_400_000 });
  const ev = makeDevEvidence({ nonce, timeMs: timeMs - 3_600_000, root });
  const input: VerifyGpuEvidenceInput = {
    report: ev.report,
    certificateChain: ev.certificateChain,
    expectedNonce: nonce,
    trustedRoots: [root.certificateDer],
    timeMs,
    measurements: measurementPolicy([...ev.measurements].map(([index, value]) => ({ index, value }))),
  };
  const parsedRoot = parseTrustedRoot(root.certificateDer);
  const leaf = verifyGpuEvidence(input).attestationKey!;
  const leafKey = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-384",
      x: Buffer.from(leaf.subarray(1, 49)).toString("base64url"),
      y: Buffer.from(leaf.subarray(49)).toString("base64url"),
    },
    format: "jwk",
  });
  const signed = ev.report.subarray(0, ev.report.length - 96);
  const sig = ev.report.subarray(ev.report.length - 96);
  const micro = Math.max(50, Math.round(N / 2));

  console.log(`attestation: node ${process.version}, one core${QUICK ? " (quick)" : ""}`);
  console.table([
    measure("verifyGpuEvidence (root as DER)", N, () => verifyGpuEvidence(input).ok),
    measure(
      "verifyGpuEvidence (root parsed once)",
      N,
      () => verifyGpuEvidence({ ...input, trustedRoots: [parsedRoot] }).ok,
    ),
    measure("parse SPDM report only", N * 10, () => parseSpdmReport(ev.report).measurements.length === 64),
    measure(
      "parse one certificate (X509 + asn1-x509)",
      N,
      () => parseTrustedRoot(root.certificateDer).publicKey.length === 97,
    ),
    measure("P-384 verify, node:crypto raw r||s (high-S)", micro, () =>
      verify("sha384", signed, { key: leafKey, dsaEncoding: "ieee-p1363" }, sig),
    ),
    measure("P-384 verify, node:crypto X509Certificate.verify", micro, () =>
      parsedRoot.x509.verify(parsedRoot.x509.publicKey),
    ),
    measure("P-384 verify, @noble/curves lowS:false", Math.max(20, Math.round(micro / 5)), () =>
      p384.verify(sig, signed, leaf, { lowS: false }),
    ),
  ]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
