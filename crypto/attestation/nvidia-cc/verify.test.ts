import { createPublicKey } from "node:crypto";
import { p384 } from "@noble/curves/nist.js";
import { beforeAll, describe, expect, it } from "vitest";
import { bytesEqual } from "../../../proto/canonical.js";
import { sha256 } from "../../hash.js";
import { readChildren, readSingle } from "../der.js";
import { type DevCa, type DevEvidence, generateDevRootCa, makeDevEvidence } from "../dev-evidence.js";
import { AttestationError } from "../errors.js";
import { parseNvidiaEvidenceJson } from "./evidence-json.js";
import { measurementPolicy, UNCHECKED_MEASUREMENTS } from "./measurements.js";
import { pemFromDer } from "./pem.js";
import { isHighS, P384_ORDER } from "./report-signature.js";
import { assertVerdict, type GpuVerdict } from "./verdict.js";
import { type VerifyGpuEvidenceInput, verifyGpuEvidence } from "./verify.js";

const T = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const NONCE = new Uint8Array(32).fill(0xab);
let root: DevCa;
let good: DevEvidence;

beforeAll(() => {
  root = generateDevRootCa({ timeMs: T - 30 * DAY });
  good = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root });
});

function input(ev: DevEvidence, over: Partial<VerifyGpuEvidenceInput> = {}): VerifyGpuEvidenceInput {
  return {
    report: ev.report,
    certificateChain: ev.certificateChain,
    arch: "HOPPER",
    expectedNonce: NONCE,
    trustedRoots: [root.certificateDer],
    timeMs: T,
    measurements: measurementPolicy([...ev.measurements].map(([index, value]) => ({ index, value }))),
    ...over,
  };
}

/** The codes of the failed checks: a single fault must fail exactly one check, with its own code. */
const failures = (v: GpuVerdict) => v.checks.filter((c) => c.status === "fail").map((c) => c.code);

function flipLastByte(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** s of a certificate's DER ECDSA signature. */
function certificateS(der: Uint8Array): bigint {
  const [, , bits] = readChildren(readSingle(der).contents);
  const [, s] = readChildren(readSingle(bits!.contents.subarray(1)).contents);
  return BigInt(`0x${Buffer.from(s!.contents).toString("hex")}`);
}

describe("nvidia-cc verifier: accepted evidence", () => {
  it("accepts a 5-level P-384 chain and signed report, high-S signatures included", () => {
    const v = verifyGpuEvidence(input(good));
    expect(failures(v)).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.checks.map((c) => c.status)).toEqual(Array(11).fill("pass"));
    // high-S by construction: the report and certificates 0, 2 and 4; low-S at 1 and 3
    expect(isHighS(good.report.subarray(good.report.length - 96))).toBe(true);
    const highS = good.certificateDers.map((d) => certificateS(d) > P384_ORDER >> 1n);
    expect(highS).toEqual([true, false, true, false, true]);
  });

  it("reports the GPU's identity, measurements, FWID and versions", () => {
    const v = verifyGpuEvidence(input(good));
    const jwk = createPublicKey(good.deviceKey).export({ format: "jwk" });
    const point = Buffer.concat([
      Buffer.of(4),
      Buffer.from(jwk.x!, "base64url"),
      Buffer.from(jwk.y!, "base64url"),
    ]);
    expect(Buffer.from(v.deviceIdentityKey!).equals(point)).toBe(true);
    expect(v.attestationKey).toHaveLength(97);
    expect(v.reportDigest).toEqual(sha256(good.report.subarray(0, good.report.length - 96)));
    expect(v.nonce).toEqual(NONCE);
    expect(v.fwid).toEqual(good.fwid);
    expect(v.measurements).toHaveLength(64);
    expect(v.measurements![4]).toEqual({ index: 5, valueType: 1, value: good.measurements.get(5) });
    expect(v.driverVersion).toBe("550.90.07");
    expect(v.vbiosVersion).toBe("96.00.9F.00.01");
  });

  it("accepts a high-S report signature that a low-S-only verifier (noble's default) refuses", () => {
    const sig = good.report.subarray(good.report.length - 96);
    const signed = good.report.subarray(0, good.report.length - 96);
    const leaf = verifyGpuEvidence(input(good)).attestationKey!;
    expect(p384.verify(sig, signed, leaf)).toBe(false);
    expect(p384.verify(sig, signed, leaf, { lowS: false })).toBe(true);
  });

  it("accepts NVIDIA's JSON export form, for Hopper and Blackwell encodings", () => {
    for (const arch of ["HOPPER", "BLACKWELL"] as const) {
      const ev = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root, arch });
      const [gpu] = parseNvidiaEvidenceJson(JSON.parse(JSON.stringify([ev.json])));
      const v = verifyGpuEvidence(
        input(ev, {
          report: gpu!.report,
          certificateChain: gpu!.certificateChain,
          arch: gpu!.arch,
          declaredNonce: gpu!.nonce!,
        }),
      );
      expect(failures(v)).toEqual([]);
      expect(v.arch).toBe(arch);
      expect(v.checks.find((c) => c.name === "fwid")!.status).toBe("pass");
    }
  });

  it("keeps the same device identity when the same GPU attests again, and the same verdict for the same input", () => {
    const again = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root, deviceKey: good.deviceKey });
    const a = verifyGpuEvidence(input(good));
    const b = verifyGpuEvidence(input(again));
    expect(b.ok).toBe(true);
    expect(b.deviceIdentityKey).toEqual(a.deviceIdentityKey);
    expect(b.attestationKey).not.toEqual(a.attestationKey);
    expect(verifyGpuEvidence(input(good))).toEqual(a);
  });

  it("gives a malleated signature (s -> n - s) the same report digest: signatures are no dedupe key", () => {
    const report = Uint8Array.from(good.report);
    const s = BigInt(`0x${Buffer.from(report.subarray(report.length - 48)).toString("hex")}`);
    report.set(Buffer.from((P384_ORDER - s).toString(16).padStart(96, "0"), "hex"), report.length - 48);
    const a = verifyGpuEvidence(input(good));
    const b = verifyGpuEvidence(input(good, { report }));
    expect(b.ok).toBe(true);
    expect(b.reportDigest).toEqual(a.reportDigest);
  });

  it("skips the FWID check when the report has no FWID field (older firmware)", () => {
    const ev = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root, fwid: null });
    const v = verifyGpuEvidence(input(ev));
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.name === "fwid")!.status).toBe("skipped");
  });
});

describe("nvidia-cc verifier: each single fault refused with its own code", () => {
  it("unknown root", () => {
    const other = generateDevRootCa({ timeMs: T - DAY });
    const v = verifyGpuEvidence(input(good, { trustedRoots: [other.certificateDer] }));
    expect(failures(v)).toEqual(["UNKNOWN_ROOT"]);
    expect(v.code).toBe("UNKNOWN_ROOT");
    expect(() => assertVerdict(v)).toThrow(AttestationError);
  });

  it("a same-named root with another key is unknown too", () => {
    const impostor = generateDevRootCa({ timeMs: T - DAY, commonName: root.commonName });
    expect(failures(verifyGpuEvidence(input(good, { trustedRoots: [impostor.certificateDer] })))).toEqual([
      "UNKNOWN_ROOT",
    ]);
  });

  it("finds the right root among several trusted ones", () => {
    const other = generateDevRootCa({ timeMs: T - DAY });
    expect(
      verifyGpuEvidence(input(good, { trustedRoots: [other.certificateDer, root.certificateDer] })).ok,
    ).toBe(true);
  });

  it("a broken signature on any of the 5 certificates", () => {
    for (let i = 0; i < 5; i++) {
      const ders = good.certificateDers.map((d, j) => (j === i ? flipLastByte(d) : d));
      const v = verifyGpuEvidence(input(good, { certificateChain: ders.map(pemFromDer).join("") }));
      expect(failures(v), `certificate ${i}`).toEqual(["CERT_SIGNATURE_INVALID"]);
      expect(v.checks.find((c) => c.name === "chain-signatures")!.detail).toContain(`certificate ${i}`);
    }
  });

  it("a certificate expired at the given time", () => {
    const ev = makeDevEvidence({
      nonce: NONCE,
      timeMs: T - DAY,
      root,
      certificates: { 2: { notAfterMs: T - 1000 } },
    });
    expect(failures(verifyGpuEvidence(input(ev)))).toEqual(["CERT_EXPIRED"]);
    // the same evidence checked at an earlier block time is fine: time is the caller's, not the clock's
    expect(verifyGpuEvidence(input(ev, { timeMs: T - 2000 })).ok).toBe(true);
  });

  it("the given root expired at the given time", () => {
    const shortRoot = generateDevRootCa({ timeMs: T - 30 * DAY, notAfterMs: T - 1000 });
    const ev = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root: shortRoot });
    const v = verifyGpuEvidence(input(ev, { trustedRoots: [shortRoot.certificateDer] }));
    expect(failures(v)).toEqual(["CERT_EXPIRED"]);
    expect(v.checks.find((c) => c.name === "chain-validity")!.detail).toContain("given root");
  });

  it("a certificate not yet valid at the given time", () => {
    const ev = makeDevEvidence({
      nonce: NONCE,
      timeMs: T - DAY,
      root,
      certificates: { 0: { notBeforeMs: T + 1000 } },
    });
    expect(failures(verifyGpuEvidence(input(ev)))).toEqual(["CERT_NOT_YET_VALID"]);
  });

  it("a CA flag missing on an issuer (absent, false, or path length exceeded)", () => {
    for (const bc of ["absent", { cA: false }] as const) {
      const ev = makeDevEvidence({
        nonce: NONCE,
        timeMs: T - DAY,
        root,
        certificates: { 2: { basicConstraints: bc } },
      });
      expect(failures(verifyGpuEvidence(input(ev)))).toEqual(["CERT_NOT_CA"]);
    }
    const ev = makeDevEvidence({
      nonce: NONCE,
      timeMs: T - DAY,
      root,
      certificates: { 3: { basicConstraints: { cA: true, pathLen: 1 } } },
    });
    expect(failures(verifyGpuEvidence(input(ev)))).toEqual(["CERT_NOT_CA"]);
  });

  it("a key usage that forbids signing", () => {
    const ev = makeDevEvidence({
      nonce: NONCE,
      timeMs: T - DAY,
      root,
      certificates: { 0: { keyUsage: 0x20 } },
    });
    expect(failures(verifyGpuEvidence(input(ev)))).toEqual(["CERT_KEY_USAGE"]);
  });

  it("FWID mismatch (different FWID, or none in the leaf certificate)", () => {
    const other = new Uint8Array(48).fill(7);
    for (const certificateFwid of [other, null]) {
      const ev = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root, certificateFwid });
      expect(failures(verifyGpuEvidence(input(ev)))).toEqual(["FWID_MISMATCH"]);
    }
  });

  it("wrong nonce (expected, or declared in the JSON)", () => {
    const other = new Uint8Array(32).fill(0xcd);
    expect(failures(verifyGpuEvidence(input(good, { expectedNonce: other })))).toEqual(["NONCE_MISMATCH"]);
    expect(failures(verifyGpuEvidence(input(good, { declaredNonce: other })))).toEqual(["NONCE_MISMATCH"]);
  });

  it("a measurement not allowed", () => {
    const entries = [...good.measurements].map(([index, value]) => ({
      index,
      value: index === 5 ? new Uint8Array(48) : value,
    }));
    const v = verifyGpuEvidence(input(good, { measurements: measurementPolicy(entries) }));
    expect(failures(v)).toEqual(["MEASUREMENT_NOT_ALLOWED"]);
    expect(v.checks.find((c) => c.name === "measurements")!.detail).toContain("index 5");
  });

  it("an index with no entry is refused unless the allow-list lets it take any value", () => {
    const entries = [...good.measurements]
      .filter(([i]) => i !== 9)
      .map(([index, value]) => ({ index, value }));
    expect(failures(verifyGpuEvidence(input(good, { measurements: measurementPolicy(entries) })))).toEqual([
      "MEASUREMENT_NOT_ALLOWED",
    ]);
    expect(verifyGpuEvidence(input(good, { measurements: measurementPolicy(entries, [9]) })).ok).toBe(true);
    const unchecked = verifyGpuEvidence(input(good, { measurements: UNCHECKED_MEASUREMENTS }));
    expect(unchecked.ok).toBe(true);
    expect(unchecked.checks.find((c) => c.name === "measurements")!.status).toBe("skipped");
  });

  it("a pinned measurement the report leaves out", () => {
    const fewer = new Map([...good.measurements].filter(([i]) => i !== 64));
    const ev = makeDevEvidence({ nonce: NONCE, timeMs: T - DAY, root, measurements: fewer });
    expect(failures(verifyGpuEvidence(input(ev, { measurements: input(good).measurements })))).toEqual([
      "MEASUREMENT_MISSING",
    ]);
  });

  it("a truncated report", () => {
    for (const cut of [1, 96, 500, good.report.length - 10]) {
      const v = verifyGpuEvidence(input(good, { report: good.report.subarray(0, good.report.length - cut) }));
      expect(failures(v), `cut ${cut}`).toEqual(["REPORT_TRUNCATED"]);
      expect(v.checks.find((c) => c.name === "report-signature")!.status).toBe("skipped");
    }
  });

  it("a padded report", () => {
    for (const pad of [Uint8Array.of(0), new Uint8Array(96)]) {
      const report = new Uint8Array(Buffer.concat([good.report, pad]));
      expect(failures(verifyGpuEvidence(input(good, { report })))).toEqual(["REPORT_TRAILING_BYTES"]);
    }
  });

  it("a broken report signature", () => {
    expect(failures(verifyGpuEvidence(input(good, { report: flipLastByte(good.report) })))).toEqual([
      "REPORT_SIGNATURE_INVALID",
    ]);
  });

  it("a report that is not SPDM 1.1 GET_MEASUREMENTS", () => {
    const report = Uint8Array.from(good.report);
    report[0] = 0x12;
    expect(failures(verifyGpuEvidence(input(good, { report })))).toEqual(["REPORT_MALFORMED"]);
  });

  it("a chain that is not 5 P-384 certificates", () => {
    const four = good.certificateDers.slice(0, 4).map(pemFromDer).join("");
    const v = verifyGpuEvidence(input(good, { certificateChain: four }));
    expect(failures(v)).toEqual(["CHAIN_MALFORMED"]);
    expect(v.checks.find((c) => c.name === "report-signature")!.status).toBe("skipped");
    expect(
      failures(verifyGpuEvidence(input(good, { certificateChain: `junk\n${good.certificateChain}` }))),
    ).toEqual(["CHAIN_MALFORMED"]);
  });

  it("refuses a bad expected nonce or a root that is not a certificate as caller errors", () => {
    expect(() => verifyGpuEvidence(input(good, { expectedNonce: new Uint8Array(31) }))).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
    expect(() => verifyGpuEvidence(input(good, { trustedRoots: [new Uint8Array([0x30, 0])] }))).toThrow(
      expect.objectContaining({ code: "ROOT_INVALID" }),
    );
    expect(bytesEqual(good.certificateDers[4]!, root.certificateDer)).toBe(true);
  });
});
