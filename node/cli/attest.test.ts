import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type DevCa,
  type DevEvidence,
  generateDevRootCa,
  makeDevEvidence,
} from "../../crypto/attestation/dev-evidence.js";
import { toHex } from "../../crypto/hash.js";
import { registerAttestCommands } from "./attest.js";

const T = Date.UTC(2026, 0, 1);
const NONCE = new Uint8Array(32).fill(0x5a);
const dirs: string[] = [];
let root: DevCa;
let good: DevEvidence;

beforeAll(() => {
  root = generateDevRootCa({ timeMs: T - 86_400_000 });
  good = makeDevEvidence({ nonce: NONCE, timeMs: T - 3_600_000, root });
});

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

interface Files {
  evidence: string;
  root: string;
  allowed: string;
}

function writeFiles(evidence: unknown, allowed: unknown = {}): Files {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-attest-"));
  dirs.push(dir);
  const files = {
    evidence: path.join(dir, "evidence.json"),
    root: path.join(dir, "root.pem"),
    allowed: path.join(dir, "allowed.json"),
  };
  fs.writeFileSync(files.evidence, JSON.stringify(evidence));
  fs.writeFileSync(files.root, root.certificatePem);
  fs.writeFileSync(files.allowed, JSON.stringify(allowed));
  return files;
}

function allowedOf(ev: DevEvidence): Record<string, string[]> {
  return Object.fromEntries([...ev.measurements].map(([i, v]) => [String(i), [`0x${toHex(v)}`]]));
}

async function run(
  args: string[],
): Promise<{ out: Record<string, unknown>; exitCode: number | string | undefined }> {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
  const program = new Command().exitOverride();
  registerAttestCommands(program);
  try {
    await program.parseAsync(["attest", "verify", ...args], { from: "user" });
  } finally {
    vi.restoreAllMocks();
  }
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { out: JSON.parse(out.join("")) as Record<string, unknown>, exitCode };
}

type GpuOut = { ok: boolean; code?: string; checks: { name: string; status: string; code?: string }[] };
const gpus = (out: Record<string, unknown>) => out.gpus as GpuOut[];
const failed = (g: GpuOut) => g.checks.filter((c) => c.status === "fail").map((c) => c.code);

describe("kyochi attest verify", () => {
  it("passes good evidence: every check passes, exit code 0", async () => {
    const f = writeFiles([good.json], allowedOf(good));
    const { out, exitCode } = await run([
      f.evidence,
      "--nonce",
      toHex(NONCE),
      "--root",
      f.root,
      "--time",
      "2026-01-01T00:00:00Z",
      "--allowed",
      f.allowed,
    ]);
    expect(out.ok).toBe(true);
    expect(out.time).toBe("2026-01-01T00:00:00.000Z");
    expect(gpus(out)[0]!.checks.every((c) => c.status === "pass")).toBe(true);
    expect(exitCode).toBeUndefined();
  });

  it("gives the verifier's verdicts for faults, with exit code 2", async () => {
    const other = new Uint8Array(32).fill(1);
    const wrongNonce = await run([
      writeFiles([good.json]).evidence,
      "--nonce",
      toHex(other),
      "--root",
      writeFiles([]).root,
      "--time",
      "2026-01-01T00:00:00Z",
    ]);
    expect(failed(gpus(wrongNonce.out)[0]!)).toEqual(["NONCE_MISMATCH"]);
    expect(wrongNonce.exitCode).toBe(2);

    const allowed = { ...allowedOf(good), "7": [`0x${"00".repeat(48)}`] };
    const f = writeFiles([good.json], allowed);
    const measured = await run([
      f.evidence,
      "--nonce",
      toHex(NONCE),
      "--root",
      f.root,
      "--time",
      "2026-01-01T00:00:00Z",
      "--allowed",
      f.allowed,
    ]);
    expect(failed(gpus(measured.out)[0]!)).toEqual(["MEASUREMENT_NOT_ALLOWED"]);

    const expired = makeDevEvidence({
      nonce: NONCE,
      timeMs: T - 3_600_000,
      root,
      certificates: { 1: { notAfterMs: T - 1000 } },
    });
    const g = writeFiles([expired.json]);
    const late = await run([
      g.evidence,
      "--nonce",
      toHex(NONCE),
      "--root",
      g.root,
      "--time",
      "2026-01-01T00:00:00Z",
    ]);
    expect(failed(gpus(late.out)[0]!)).toEqual(["CERT_EXPIRED"]);
    expect(late.exitCode).toBe(2);
  });

  it("checks each GPU of a multi-GPU file against its own nonce", async () => {
    const n2 = new Uint8Array(32).fill(0x77);
    const second = makeDevEvidence({ nonce: n2, timeMs: T - 3_600_000, root });
    const f = writeFiles([good.json, second.json]);
    const both = await run([
      f.evidence,
      "--nonce",
      toHex(NONCE),
      "--nonce",
      toHex(n2),
      "--root",
      f.root,
      "--time",
      "2026-01-01",
    ]);
    expect(gpus(both.out).map((g) => g.ok)).toEqual([true, true]);
    const one = await run([f.evidence, "--nonce", toHex(NONCE), "--root", f.root, "--time", "2026-01-01"]);
    expect(gpus(one.out).map((g) => g.code ?? null)).toEqual([null, "NONCE_MISMATCH"]);
  });

  it("refuses a bad file or flag with CONFIG_INVALID", async () => {
    const f = writeFiles([good.json]);
    const cases: [string[], RegExp][] = [
      [[f.evidence, "--nonce", "zz", "--root", f.root], /not hex/],
      [[f.evidence, "--nonce", "abcd", "--root", f.root], /32 bytes/],
      [[f.evidence, "--root", f.root], /--nonce is required/],
      [[f.evidence, "--nonce", toHex(NONCE)], /--root is required/],
      [[f.evidence, "--nonce", toHex(NONCE), "--root", f.root, "--time", "yesterday"], /ISO 8601/],
      [[f.evidence, "--nonce", toHex(NONCE), "--root", f.evidence], /root file/],
      [[f.root, "--nonce", toHex(NONCE), "--root", f.root], /not JSON/],
      [
        [path.join(path.dirname(f.root), "missing.json"), "--nonce", toHex(NONCE), "--root", f.root],
        /cannot read/,
      ],
    ];
    for (const [args, message] of cases)
      await expect(run(args), args.join(" ")).rejects.toMatchObject({ code: "CONFIG_INVALID", message });

    const malformed = writeFiles([{ arch: "HOPPER", evidence: "not base64!", certificate: "" }]);
    await expect(run([malformed.evidence, "--nonce", toHex(NONCE), "--root", f.root])).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: /EVIDENCE_MALFORMED/,
    });
    const badAllowed = writeFiles([good.json], { "0": ["0x00"] });
    await expect(
      run([badAllowed.evidence, "--nonce", toHex(NONCE), "--root", f.root, "--allowed", badAllowed.allowed]),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID", message: /measurement index/ });
  });
});
