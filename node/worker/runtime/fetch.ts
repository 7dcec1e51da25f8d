// Fetches a job's model weights or input by URI and accepts the bytes only if they hash (sha256)
// to what the chain names: the URI is a hint where to look, the hash is what the job is about, so
// any server (or a file someone swapped) can only make a fetch fail, never change a result.
// Schemes: file:, http:, https:, data:. HTTP has a size limit enforced while streaming, an overall
// timeout, and follows a bounded number of redirects that stay on http(s) (never to file: or data:,
// which would let a remote server read local files). Verified bytes go to a content-addressed
// cache (one file per hash, written to a temp name then renamed, so a crash never leaves a partial
// file under a hash name) and a cache hit is re-verified before use.
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256, toHex } from "../../../crypto/hash.js";
import { WorkerRuntimeError } from "./errors.js";

export interface FetchOptions {
  /** Most bytes accepted (default 1 GiB). */
  maxBytes?: number;
  /** Overall time for an http(s) fetch, redirects and body included (default 60 s). */
  timeoutMs?: number;
  /** Most http(s) redirects followed (default 5). */
  maxRedirects?: number;
  /** Content-addressed cache folder (created when missing); no caching without it. */
  cacheDir?: string;
}

export const DEFAULT_FETCH_MAX_BYTES = 1 << 30;
export const DEFAULT_FETCH_TIMEOUT_MS = 60_000;
export const DEFAULT_FETCH_MAX_REDIRECTS = 5;

function fail(
  code: ConstructorParameters<typeof WorkerRuntimeError>[0],
  message: string,
  cause?: unknown,
): never {
  throw new WorkerRuntimeError(code, message, cause === undefined ? undefined : { cause });
}

function tooLarge(uri: string, maxBytes: number): never {
  fail("FETCH_TOO_LARGE", `${shortUri(uri)}: more than ${maxBytes} bytes`);
}

/** URIs in messages: data: URIs can be long, and a log line does not need all of it. */
function shortUri(uri: string): string {
  return uri.length > 120 ? `${uri.slice(0, 117)}...` : uri;
}

/** Where the cache keeps the bytes of `hash`. */
export function cachePath(cacheDir: string, hash: Uint8Array): string {
  return join(cacheDir, toHex(hash));
}

async function readCached(cacheDir: string, hash: Uint8Array): Promise<Uint8Array | undefined> {
  const path = cachePath(cacheDir, hash);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
  if (Buffer.compare(sha256(bytes), hash) === 0) return bytes;
  // A damaged cache entry (disk error, someone edited it): drop it and fetch again.
  await rm(path, { force: true });
  return undefined;
}

async function writeCached(cacheDir: string, hash: Uint8Array, bytes: Uint8Array): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const final = cachePath(cacheDir, hash);
  const temp = `${final}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, final);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

async function readFileLimited(uri: string, url: URL, maxBytes: number): Promise<Uint8Array> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (e) {
    fail("FETCH_BAD_URI", `${uri}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  try {
    const info = await stat(path);
    if (!info.isFile()) fail("FETCH_FAILED", `${uri}: not a regular file`);
    if (info.size > maxBytes) tooLarge(uri, maxBytes);
    // Read at most maxBytes + 1: the file may grow between stat and read.
    const handle = await open(path, "r");
    try {
      const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > maxBytes) tooLarge(uri, maxBytes);
        if (length === buffer.length) break;
      }
      return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
    } finally {
      await handle.close();
    }
  } catch (e) {
    if (e instanceof WorkerRuntimeError) throw e;
    fail("FETCH_FAILED", `${uri}: ${e instanceof Error ? e.message : String(e)}`, e);
  }
}

/** RFC 2397: data:[<mediatype>][;base64],<data>. The media type is not checked: the hash is. */
function decodeDataUri(uri: string, maxBytes: number): Uint8Array {
  const comma = uri.indexOf(",");
  if (comma < 0) fail("FETCH_BAD_URI", `${shortUri(uri)}: a data: URI needs a comma`);
  const meta = uri.slice("data:".length, comma);
  const octets = percentDecodeOctets(uri, uri.slice(comma + 1));
  let bytes = octets;
  if (/;base64$/i.test(meta)) {
    const text = Buffer.from(octets).toString("latin1");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
      fail("FETCH_BAD_URI", `${shortUri(uri)}: invalid base64 (padded, no whitespace)`);
    }
    bytes = new Uint8Array(Buffer.from(text, "base64"));
  }
  if (bytes.length > maxBytes) tooLarge(uri, maxBytes);
  return bytes;
}

/** Percent-decoding to octets (RFC 3986; not to UTF-16): %FF is the byte 0xFF, other text is UTF-8. */
function percentDecodeOctets(uri: string, s: string): Uint8Array {
  const out: number[] = [];
  const utf8 = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) fail("FETCH_BAD_URI", `${shortUri(uri)}: invalid percent-encoding`);
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      out.push(...utf8.encode(ch));
      i += ch.length - 1;
    }
  }
  return Uint8Array.from(out);
}

async function readBodyLimited(uri: string, res: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await res.body?.cancel();
    tooLarge(uri, maxBytes);
  }
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      tooLarge(uri, maxBytes);
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

async function fetchHttp(
  uri: string,
  options: Required<Omit<FetchOptions, "cacheDir">>,
): Promise<Uint8Array> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let current = uri;
  try {
    for (let redirects = 0; ; redirects++) {
      let res: Response;
      try {
        res = await fetch(current, { redirect: "manual", signal: controller.signal });
      } catch (e) {
        if (controller.signal.aborted) throw e;
        fail("FETCH_FAILED", `${current}: ${e instanceof Error ? e.message : String(e)}`, e);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.has("location")) {
        await res.body?.cancel();
        if (redirects >= options.maxRedirects)
          fail("FETCH_FAILED", `${uri}: more than ${options.maxRedirects} redirects`);
        const next = new URL(res.headers.get("location")!, current);
        if (next.protocol !== "http:" && next.protocol !== "https:") {
          fail(
            "FETCH_UNSUPPORTED_SCHEME",
            `${current} redirects to ${next.protocol} (only http: and https: are followed)`,
          );
        }
        current = next.href;
        continue;
      }
      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel();
        fail("FETCH_FAILED", `${current}: HTTP ${res.status}`);
      }
      return await readBodyLimited(current, res, options.maxBytes);
    }
  } catch (e) {
    if (e instanceof WorkerRuntimeError) throw e;
    if (controller.signal.aborted)
      fail("FETCH_TIMEOUT", `${uri}: no complete answer within ${options.timeoutMs} ms`, e);
    fail("FETCH_FAILED", `${uri}: ${e instanceof Error ? e.message : String(e)}`, e);
  } finally {
    clearTimeout(timer);
  }
}

/** The bytes at `uri`, without any hash check (use fetchVerified for job content). */
export async function fetchBytes(uri: string, options: FetchOptions = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  let url: URL;
  try {
    url = new URL(uri);
  } catch (e) {
    fail("FETCH_BAD_URI", `${shortUri(uri)}: not a URI`, e);
  }
  switch (url.protocol) {
    case "file:":
      return readFileLimited(uri, url, maxBytes);
    case "data:":
      return decodeDataUri(uri, maxBytes);
    case "http:":
    case "https:":
      return fetchHttp(uri, {
        maxBytes,
        timeoutMs: options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
        maxRedirects: options.maxRedirects ?? DEFAULT_FETCH_MAX_REDIRECTS,
      });
    default:
      fail(
        "FETCH_UNSUPPORTED_SCHEME",
        `${shortUri(uri)}: scheme ${url.protocol} (file:, http:, https:, data:)`,
      );
  }
}

/**
 * The bytes whose sha256 is `expectedHash`: from the cache when present there, else from `uri`
 * (then cached). Throws FETCH_HASH_MISMATCH when the URI serves other bytes.
 */
export async function fetchVerified(
  uri: string,
  expectedHash: Uint8Array,
  options: FetchOptions = {},
): Promise<Uint8Array> {
  if (expectedHash.length !== 32)
    fail("FETCH_BAD_HASH", `expected hash of ${expectedHash.length} bytes (sha256: 32)`);
  if (options.cacheDir) {
    const cached = await readCached(options.cacheDir, expectedHash);
    if (cached) return cached;
  }
  const bytes = await fetchBytes(uri, options);
  const actual = sha256(bytes);
  if (Buffer.compare(actual, expectedHash) !== 0) {
    fail(
      "FETCH_HASH_MISMATCH",
      `${shortUri(uri)}: sha256 is 0x${toHex(actual)}, the chain names 0x${toHex(expectedHash)}`,
    );
  }
  if (options.cacheDir) await writeCached(options.cacheDir, expectedHash, bytes);
  return bytes;
}
