// `kyochi attest verify` gives the chain's verdicts: for each single fault of the list, the
// CLI refuses the evidence (exit code 2) with the verifier code that the chain turns into the
// result code a tx carrying the same evidence is refused with (execution/modules/attestation
// attest-worker.test.ts checks the chain side of the same faults).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type DevEvidence,
  generateDevRootCa,
  type MakeDevEvidenceOptions,
  makeDevEvidence,
} from "../../crypto/attestation/dev-evidence.js";
import type { AttestationErrorCode } from "../../crypto/attestation/errors.js";
import { nvidiaEvidenceJson } from "../../crypto/attestation/nvidia-cc/evidence-json.js";
import { pemFromDer } from "../../crypto/attestation/nvidia-cc/pem.js";
import { toHex } from "../../crypto/hash.js";
import { resultCodeOfVerdict } from "../../execution/modules/attestation/evidence.js";
import { registerAttestCommands } from "./attest.js";

const DAY = 86_400_000;
const T = Date.UTC(2026, 0, 1);
const NONCE = new Uint8Array(32).fill(0x5a);
const root = generateDevRootCa({ timeMs: T - DAY });
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const evidence = (over: Partial<MakeDevEvidenceOptions> = {}): DevEvidence =>
  makeDevEvidence({ nonce: NONCE, timeMs: T - 3_600_000, root, ...over });

function flipLastByte(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** The export entry of `e`, with its report or certificate chain replaced. */
function entry(e: DevEvidence, over: { report?: Uint8Array; certificateChain?: string } = {}) {
  return nvidiaEvidenceJson({
    arch: e.json.arch,
    nonce: NONCE,
    report: over.report ?? e.report,
    certificateChain: over.certificateChain ?? e.certificateChain,
  });
}

const brokenChain = (e: DevEvidence, i: number) =>
  e.certificateDers.map((der, j) => pemFromDer(j === i ? flipLastByte(der) : der)).join("");

/** Runs `kyochi attest verify` on one GPU entry; returns the verifier code and the exit code. */
async function verify(gpu: unknown, nonce: Uint8Array = NONCE, allowed?: Record<string, string[]>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-parity-"));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, "e.json"), JSON.stringify([gpu]));
  fs.writeFileSync(path.join(dir, "root.pem"), root.certificatePem);
  const args = ["attest", "verify", path.join(dir, "e.json"), "--nonce", toHex(nonce)];
  args.push("--root", path.join(dir, "root.pem"), "--time", new Date(T).toISOString());
  if (allowed) {
    fs.writeFileSync(path.join(dir, "allowed.json"), JSON.stringify(allowed));
    args.push("--allowed", path.join(dir, "allowed.json"));
  }
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
  const program = new Command().exitOverride();
  registerAttestCommands(program);
  try {
    await program.parseAsync(args, { from: "user" });
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  const result = JSON.parse(out.join("")) as { gpus: { code?: AttestationErrorCode }[] };
  return { code: result.gpus[0]?.code, exitCode };
}

describe("kyochi attest verify gives the chain's verdicts", () => {
  it("refuses each single fault with the code the chain refuses it with", { timeout: 60_000 }, async () => {
    const good = evidence();
    const allowed = Object.fromEntries(
      [...good.measurements].map(([i, v]) => [String(i), [`0x${toHex(v)}`]]),
    );
    const badMeasurement = new Map(good.measurements);
    badMeasurement.set(5, new Uint8Array(48).fill(0x5a));
    const cases: [string, unknown, Uint8Array?][] = [
      ["ATTESTATION_UNKNOWN_ROOT", entry(evidence({ root: generateDevRootCa({ timeMs: T - DAY }) }))],
      ...[0, 1, 2, 3].map((i): [string, unknown] => [
        "ATTESTATION_CERT_SIGNATURE_INVALID",
        entry(good, { certificateChain: brokenChain(good, i) }),
      ]),
      [
        "ATTESTATION_CERT_NOT_VALID",
        entry(evidence({ certificates: { 2: { notBeforeMs: T - 2 * DAY, notAfterMs: T - DAY } } })),
      ],
      ["ATTESTATION_CERT_NOT_VALID", entry(evidence({ certificates: { 1: { notBeforeMs: T + DAY } } }))],
      ["ATTESTATION_CERT_NOT_CA", entry(evidence({ certificates: { 1: { basicConstraints: "absent" } } }))],
      ["ATTESTATION_FWID_MISMATCH", entry(evidence({ certificateFwid: new Uint8Array(48).fill(7) }))],
      ["ATTESTATION_NONCE_MISMATCH", entry(good), new Uint8Array(32).fill(1)],
      ["ATTESTATION_MEASUREMENT_NOT_ALLOWED", entry(evidence({ measurements: badMeasurement }))],
      [
        "ATTESTATION_REPORT_BAD_LENGTH",
        entry(good, { report: good.report.subarray(0, good.report.length - 1) }),
      ],
      ["ATTESTATION_REPORT_BAD_LENGTH", entry(good, { report: Uint8Array.of(...good.report, 0) })],
      ["ATTESTATION_REPORT_SIGNATURE_INVALID", entry(good, { report: flipLastByte(good.report) })],
    ];
    expect(await verify(entry(good), NONCE, allowed)).toEqual({ code: undefined, exitCode: undefined });
    for (const [chainCode, gpu, nonce] of cases) {
      const { code, exitCode } = await verify(gpu, nonce ?? NONCE, allowed);
      expect(code, chainCode).toBeDefined();
      expect(resultCodeOfVerdict(code!), chainCode).toBe(chainCode);
      expect(exitCode, chainCode).toBe(2);
    }
  });
});
