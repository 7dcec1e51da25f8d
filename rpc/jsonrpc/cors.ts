// Which browser origins may use the JSON-RPC port, and the CORS headers that say so. The default
// (no origins) sends no CORS headers at all, so browsers cannot read answers, as in CometBFT.
// A request that carries an Origin header (only browsers send one) from an origin that is not
// allowed is refused outright rather than answered without headers: the browser would hide the
// answer from the page, but the request itself (a tx_broadcast, a WebSocket upgrade) would still
// have been executed on the page's behalf.
import { RpcError } from "../errors.js";

/** Methods a preflight may ask for (OPTIONS answers preflights itself). */
export const CORS_ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";
/** Request headers always allowed cross-origin: JSON-RPC needs only Content-Type. */
export const CORS_BASE_HEADERS: readonly string[] = ["content-type"];
/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;
/** Response headers a page may read besides the CORS-safelisted ones (Retry-After of a 503). */
export const CORS_EXPOSED_HEADERS = "Retry-After";

// scheme://host[:port], as browsers serialize an origin (no path, no trailing slash).
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/;
// An HTTP header name (RFC 9110 token).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** Splits a comma-separated config list, trimming entries and dropping empty ones. */
function splitList(text: string): string[] {
  return text
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/**
 * The origins of `rpc.cors_allowed_origins` ("https://a.example,http://localhost:3000", or "*"),
 * lowercased. Throws a RangeError naming the first entry that is not `*` or an origin.
 */
export function parseCorsOrigins(text: string): string[] {
  const origins = splitList(text).map((entry) => entry.toLowerCase());
  for (const origin of origins) {
    if (origin !== "*" && !ORIGIN.test(origin)) {
      throw new RangeError(
        `"${origin}" is not an origin: use scheme://host[:port] without a path (e.g. https://app.example), or *`,
      );
    }
  }
  return origins;
}

/** The header names of `rpc.cors_allowed_headers`, lowercased; throws on a name that is not a token. */
export function parseCorsHeaders(text: string): string[] {
  const headers = splitList(text).map((entry) => entry.toLowerCase());
  for (const header of headers) {
    if (!HEADER_NAME.test(header)) throw new RangeError(`"${header}" is not an HTTP header name`);
  }
  return headers;
}

export interface CorsOptions {
  /** Allowed origins (scheme://host[:port]) or "*"; empty: no cross-origin browser access. */
  allowedOrigins?: readonly string[];
  /** Request headers allowed besides Content-Type. */
  allowedHeaders?: readonly string[];
}

export class CorsPolicy {
  private readonly any: boolean;
  private readonly origins: ReadonlySet<string>;
  private readonly allowHeaders: string;

  constructor(opts: CorsOptions = {}) {
    const origins = parseCorsOrigins((opts.allowedOrigins ?? []).join(","));
    this.any = origins.includes("*");
    this.origins = new Set(origins);
    const headers = new Set([
      ...CORS_BASE_HEADERS,
      ...parseCorsHeaders((opts.allowedHeaders ?? []).join(",")),
    ]);
    this.allowHeaders = [...headers].join(", ");
  }

  /** Whether any cross-origin access is configured. */
  get enabled(): boolean {
    return this.origins.size > 0;
  }

  /** Whether a request may proceed: no Origin (not a browser, or same-origin GET) or an allowed one. */
  allows(origin: string | undefined): boolean {
    return origin === undefined || this.any || this.origins.has(origin.toLowerCase());
  }

  /** Headers for an answer to a request from `origin` (empty without an Origin or CORS config). */
  responseHeaders(origin: string | undefined): Record<string, string> {
    if (!this.enabled) return {};
    // With a list, the answer depends on the Origin header: shared caches must key on it.
    const vary: Record<string, string> = this.any ? {} : { Vary: "Origin" };
    if (origin === undefined || !this.allows(origin)) return vary;
    return {
      ...vary,
      "Access-Control-Allow-Origin": this.any ? "*" : origin,
      "Access-Control-Expose-Headers": CORS_EXPOSED_HEADERS,
    };
  }

  /** The error that refuses a request from `origin` (not allowed). */
  refusal(origin: string): RpcError {
    const shown = origin.slice(0, 200);
    const why = this.enabled
      ? "it is not in rpc.cors_allowed_origins"
      : "no browser origin is allowed; the node's operator can allow one with rpc.cors_allowed_origins";
    // Kind INVALID_REQUEST (-32600), like the other HTTP-level refusals, with its own stable code.
    return new RpcError(
      "INVALID_REQUEST",
      `requests from origin ${shown} are refused: ${why}`,
      { origin: shown },
      "ORIGIN_NOT_ALLOWED",
    );
  }

  /** Headers for the answer to an allowed preflight (OPTIONS with Access-Control-Request-Method). */
  preflightHeaders(origin: string): Record<string, string> {
    return {
      ...this.responseHeaders(origin),
      "Access-Control-Allow-Methods": CORS_ALLOWED_METHODS,
      "Access-Control-Allow-Headers": this.allowHeaders,
      "Access-Control-Max-Age": String(CORS_MAX_AGE_SECONDS),
    };
  }
}
