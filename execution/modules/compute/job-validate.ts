// Field checks shared by the job messages (and by a CLI that wants to check before signing):
// content URIs, and the canonical JSON of a job's runtime parameters.
import { ExecutionError, type ResultCodeName } from "../../errors.js";

export const MAX_URI_BYTES = 2048;
export const HASH_BYTES = 32;
/** Nesting deeper than this is refused (params are a few flat options, not documents). */
export const MAX_PARAMS_DEPTH = 32;

/**
 * file://..., http://..., https://... or data:...; printable ASCII without spaces (a URI, not free
 * text), 1..2048 bytes. The chain never fetches it: workers do, and check the content hash.
 */
export function checkContentUri(uri: string, field: string, code: ResultCodeName): void {
  if (uri.length === 0 || uri.length > MAX_URI_BYTES) {
    throw new ExecutionError(code, `${field} must be 1..${MAX_URI_BYTES} bytes, got ${uri.length}`);
  }
  if (!/^[\x21-\x7e]+$/.test(uri)) {
    throw new ExecutionError(code, `${field} must be printable ASCII without spaces`);
  }
  if (!/^(?:(?:file|https?):\/\/.|data:)/.test(uri)) {
    throw new ExecutionError(code, `${field} must start with file://, http://, https:// or data:`);
  }
}

export function checkHash32(value: Uint8Array | null | undefined, field: string, code: ResultCodeName): void {
  const length = value?.length ?? 0;
  if (length !== HASH_BYTES) throw new ExecutionError(code, `${field} must be 32 bytes, got ${length}`);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The canonical text of a parsed JSON value: keys sorted, no spaces; undefined if too deep. */
function canonicalJson(value: Json, depth: number): string | undefined {
  if (depth > MAX_PARAMS_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      const text = canonicalJson(item, depth + 1);
      if (text === undefined) return undefined;
      items.push(text);
    }
    return `[${items.join(",")}]`;
  }
  if (value !== null && typeof value === "object") {
    const parts: string[] = [];
    // Default sort: by UTF-16 code units, the same on every node.
    for (const key of Object.keys(value).sort()) {
      const text = canonicalJson(value[key] as Json, depth + 1);
      if (text === undefined) return undefined;
      parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * A job's params: empty (none), or one JSON object written canonically: keys sorted, no
 * whitespace, numbers as JavaScript prints them, no duplicate keys; at most `maxBytes` UTF-8 bytes.
 * Canonical text means two submissions with the same meaning are byte-identical, so the params a
 * worker hashes and runs with are exactly what the owner signed.
 */
export function checkJobParams(text: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxBytes) {
    throw new ExecutionError(
      "COMPUTE_INVALID_JOB",
      `params are ${bytes} bytes, above compute.max_params_bytes ${maxBytes}`,
    );
  }
  if (text === "") return;
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw new ExecutionError("COMPUTE_INVALID_JOB", "params are not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ExecutionError("COMPUTE_INVALID_JOB", "params must be a JSON object");
  }
  const canonical = canonicalJson(parsed, 0);
  if (canonical === undefined) {
    throw new ExecutionError("COMPUTE_INVALID_JOB", `params nest deeper than ${MAX_PARAMS_DEPTH} levels`);
  }
  if (canonical !== text) {
    throw new ExecutionError(
      "COMPUTE_INVALID_JOB",
      `params are not canonical JSON (sorted keys, no spaces): expected ${canonical.slice(0, 200)}`,
    );
  }
}
