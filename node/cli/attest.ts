// `kyochi attest verify`: checks GPU attestation evidence offline with the verifier the chain runs
// (crypto/attestation), so a GPU provider can test its evidence before paying for a transaction.
// Prints the verdict of each GPU as JSON on stdout; exit code 0 only when every GPU passes every
// check, 2 when evidence is refused, 1 (via main) when a file or flag is bad (CONFIG_INVALID).
//
// --allowed FILE: JSON object, measurement index -> allowed values (0x-hex, 1..64 bytes) or "any":
//   { "1": ["0x7f3a...", "0x91c2..."], "2": ["0x..."], "35": "any" }
// With --allowed, an index the file does not list is refused (as on chain); without it,
// measurements are not checked (shown as skipped).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  AttestationError,
  derCertificatesFromPem,
  type MeasurementPolicy,
  parseNvidiaEvidenceJson,
  parseTrustedRoot,
  UNCHECKED_MEASUREMENTS,
  verdictJson,
  verifyGpuEvidence,
} from "../../crypto/attestation/index.js";
import { fromHex, toHex } from "../../crypto/hash.js";
import { NodeError } from "../errors.js";
import { printJson } from "./output.js";

export interface AttestVerifyArgs {
  evidenceFile: string;
  nonces: string[];
  rootFile: string;
  time?: string;
  allowedFile?: string;
}

export interface AttestVerifyResult {
  ok: boolean;
  json: { ok: boolean; time: string; gpus: Record<string, unknown>[] };
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const MAX_MEASUREMENT_INDEX = 254;
const MAX_MEASUREMENT_BYTES = 64;

function invalid(message: string, cause?: unknown): NodeError {
  return new NodeError("CONFIG_INVALID", message, cause === undefined ? undefined : { cause });
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw invalid(`cannot read ${what} ${path}: ${(err as Error).message}`, err);
  }
}

function readJson(path: string, what: string): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${what} ${path} is not JSON: ${(err as Error).message}`, err);
  }
}

/** Rethrows an AttestationError (bad input file) as CONFIG_INVALID naming the file. */
function asConfig<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof AttestationError) throw invalid(`${what}: ${err.message} [${err.code}]`, err);
    throw err;
  }
}

function parseNonce(hex: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(hex);
  } catch {
    throw invalid(`--nonce ${hex} is not hex`);
  }
  if (bytes.length !== 32) throw invalid(`--nonce must be 32 bytes of hex, got ${bytes.length}`);
  return bytes;
}

export function parseTime(text: string | undefined, now: () => number = Date.now): number {
  if (text === undefined) return now();
  const ms = Date.parse(text);
  if (!ISO_TIME.test(text) || Number.isNaN(ms))
    throw invalid(`--time ${text} is not an ISO 8601 date or time with a zone (e.g. 2025-06-01T00:00:00Z)`);
  return ms;
}

/** Reads the --allowed file (format above) into a refusing measurement policy. */
export function parseAllowedFile(path: string): MeasurementPolicy {
  const value = readJson(path, "allowed measurements file");
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid(`${path}: expected an object {"<index>": ["0x..."] | "any"}`);
  const allowed = new Map<number, Set<string>>();
  const anyValue = new Set<number>();
  for (const [key, entry] of Object.entries(value)) {
    const index = /^\d{1,3}$/.test(key) ? Number(key) : Number.NaN;
    if (!(index >= 1 && index <= MAX_MEASUREMENT_INDEX))
      throw invalid(`${path}: "${key}" is not a measurement index 1..${MAX_MEASUREMENT_INDEX}`);
    if (entry === "any") {
      anyValue.add(index);
      continue;
    }
    if (!Array.isArray(entry) || entry.length === 0)
      throw invalid(`${path}: index ${key} must map to a non-empty array of hex values or "any"`);
    const set = new Set<string>();
    for (const v of entry) {
      let bytes: Uint8Array | undefined;
      try {
        bytes = typeof v === "string" ? fromHex(v) : undefined;
      } catch {
        bytes = undefined;
      }
      if (!bytes || bytes.length < 1 || bytes.length > MAX_MEASUREMENT_BYTES)
        throw invalid(
          `${path}: index ${key}: ${JSON.stringify(v)} is not 1..${MAX_MEASUREMENT_BYTES} bytes of hex`,
        );
      set.add(toHex(bytes));
    }
    allowed.set(index, set);
  }
  return { allowed, anyValue, unlisted: "refuse" };
}

export function attestVerify(args: AttestVerifyArgs, now: () => number = Date.now): AttestVerifyResult {
  const gpus = asConfig(`evidence file ${args.evidenceFile}`, () =>
    parseNvidiaEvidenceJson(readJson(args.evidenceFile, "evidence file")),
  );
  if (args.nonces.length === 0) throw invalid("--nonce is required (32 bytes of hex)");
  const nonces = args.nonces.map(parseNonce);
  if (nonces.length !== 1 && nonces.length !== gpus.length)
    throw invalid(`give one --nonce for all GPUs or one per GPU (${gpus.length}), not ${nonces.length}`);
  const roots = asConfig(`root file ${args.rootFile}`, () => {
    const ders = derCertificatesFromPem(readText(args.rootFile, "root file"), "ROOT_INVALID");
    if (ders.length === 0) throw new AttestationError("ROOT_INVALID", "no PEM certificate in it");
    return ders.map(parseTrustedRoot);
  });
  const timeMs = parseTime(args.time, now);
  const measurements =
    args.allowedFile === undefined ? UNCHECKED_MEASUREMENTS : parseAllowedFile(args.allowedFile);

  const verdicts = gpus.map((gpu, i) =>
    verifyGpuEvidence({
      report: gpu.report,
      certificateChain: gpu.certificateChain,
      arch: gpu.arch,
      ...(gpu.nonce !== undefined ? { declaredNonce: gpu.nonce } : {}),
      expectedNonce: nonces[nonces.length === 1 ? 0 : i]!,
      trustedRoots: roots,
      timeMs,
      measurements,
    }),
  );
  const ok = verdicts.every((v) => v.ok);
  return {
    ok,
    json: {
      ok,
      time: new Date(timeMs).toISOString(),
      gpus: verdicts.map((v, gpu) => ({ gpu, ...verdictJson(v) })),
    },
  };
}

export function registerAttestCommands(program: Command): void {
  const attest = program.command("attest").description("GPU attestation evidence");
  attest
    .command("verify <evidence>")
    .description(
      "check NVIDIA confidential-computing evidence (JSON as NVIDIA's tools export it) offline, with the chain's verifier",
    )
    .option(
      "--nonce <hex>",
      "the nonce the evidence must answer (32 bytes of hex); once for all GPUs, or repeated once per GPU",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option("--root <file>", "trusted root certificate(s), PEM (e.g. NVIDIA's Device Identity CA)")
    .option("--time <iso>", "verification time, ISO 8601 with zone (default: now)")
    .option("--allowed <file>", 'allowed measurements: JSON {"<index>": ["0x<value>", ...] | "any"}')
    .action((evidence: string, opts: { nonce: string[]; root?: string; time?: string; allowed?: string }) => {
      if (opts.root === undefined) throw invalid("--root is required (a PEM file with the trusted root)");
      const result = attestVerify({
        evidenceFile: evidence,
        nonces: opts.nonce,
        rootFile: opts.root,
        ...(opts.time !== undefined ? { time: opts.time } : {}),
        ...(opts.allowed !== undefined ? { allowedFile: opts.allowed } : {}),
      });
      printJson(result.json);
      if (!result.ok) process.exitCode = 2;
    });
}
