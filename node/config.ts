// Node configuration: defaults < config/config.toml < KYOCHI_<SECTION>_<KEY> environment
// variables < command-line flags (--<section>.<key>). Validated strictly: an unknown key or a
// wrong type is an error that names it, never a silent default.
import { existsSync, readFileSync } from "node:fs";
import { parse as parseToml, stringify as stringifyToml } from "smol-toml";
import { z } from "zod";
import { parseCorsHeaders, parseCorsOrigins } from "../rpc/jsonrpc/cors.js";
import { NodeError } from "./errors.js";

const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, "must be host:port");
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
/** A comma-separated list (as p2p.persistent_peers), each entry checked by `parse` (which throws). */
const commaList = (parse: (text: string) => unknown) =>
  z.string().superRefine((text, ctx) => {
    try {
      parse(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  });

export const configSchema = z
  .object({
    moniker: z.string().min(1).max(64),
    log: z
      .object({
        level: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]),
        format: z.enum(["json", "pretty"]),
      })
      .strict(),
    rpc: z
      .object({
        laddr: hostPort,
        max_body_bytes: int(1024, 256 * 1024 * 1024),
        max_batch: int(1, 10_000),
        broadcast_commit_timeout_ms: int(100, 600_000),
        /** Subscriptions one WebSocket connection may hold. */
        ws_max_subscriptions: int(1, 100_000),
        /** Open WebSocket connections from one IP address. */
        ws_max_connections_per_ip: int(1, 1_000_000),
        /** Largest message a WebSocket client may send. */
        ws_max_message_bytes: int(1024, 256 * 1024 * 1024),
        /** Bytes queued for one WebSocket client beyond which it is cut off as too slow. */
        ws_send_buffer_bytes: int(64 * 1024, 4 * 1024 * 1024 * 1024),
        /** JSON-RPC requests handled at once over HTTP and WebSocket; more get SERVER_BUSY (HTTP 503). */
        max_concurrent_requests: int(1, 1_000_000),
        /** Open HTTP connections from one IP address (idle keep-alive ones count); more get HTTP 429. */
        max_connections_per_ip: int(1, 1_000_000),
        /** Open connections in all (HTTP and WebSocket); more are closed as soon as accepted. */
        max_open_connections: int(1, 1_000_000),
        /** Comma-separated browser origins (`https://app.example`) or `*`; empty: browsers refused. */
        cors_allowed_origins: commaList(parseCorsOrigins),
        /** Comma-separated request headers browsers may send besides Content-Type. */
        cors_allowed_headers: commaList(parseCorsHeaders),
      })
      .strict(),
    grpc: z
      .object({
        /** Serve gRPC (chain, tx and module query services, reflection, health). */
        enabled: z.boolean(),
        /** host:port of the gRPC server (HTTP/2, no TLS); port 0 lets the system pick one. */
        laddr: hostPort,
        /** Largest message received or sent; larger ones are refused with RESOURCE_EXHAUSTED. */
        max_message_bytes: int(1024, 256 * 1024 * 1024),
        /** Unary calls handled at once; more get RESOURCE_EXHAUSTED SERVER_BUSY at once. */
        max_concurrent_requests: int(1, 1_000_000),
        /** StreamBlocks streams open at once; more get RESOURCE_EXHAUSTED TOO_MANY_STREAMS. */
        max_streams: int(1, 1_000_000),
        /** HTTP/2 streams (calls in progress) on one connection; the client holds back more. */
        max_streams_per_connection: int(1, 1_000_000),
      })
      .strict(),
    consensus: z
      .object({
        timeout_commit_ms: int(0, 600_000),
        timeout_propose_ms: int(1, 600_000),
        timeout_prevote_ms: int(1, 600_000),
        timeout_precommit_ms: int(1, 600_000),
        timeout_delta_ms: int(0, 600_000),
        create_empty_blocks: z.boolean(),
      })
      .strict(),
    mempool: z
      .object({
        max_txs: int(1, 10_000_000),
        max_bytes: int(1024, 4 * 1024 * 1024 * 1024),
        max_tx_bytes: int(128, 16 * 1024 * 1024),
        max_per_sender: int(1, 1_000_000),
        /** Txs checked at once; more are refused with MEMPOOL_BUSY (load shed, never queued). */
        max_pending_checks: int(1, 1_000_000),
      })
      .strict(),
    state: z
      .object({
        /** Versions of the state tree kept provable; 0 keeps every version. */
        keep_recent: int(0),
        /** The explorer indexes behind tx_search (by sender, recipient, event attribute). */
        search_index: z.boolean(),
        /** Comma-separated "type.key" event attributes indexed for tx_search; empty: every one. */
        search_index_events: commaList(parseIndexedEvents),
      })
      .strict(),
    p2p: z
      .object({
        /** host:port the libp2p TCP transport listens on. */
        laddr: hostPort,
        /** host:port announced to peers when it differs from laddr (NAT, containers); empty = laddr. */
        external_address: z.union([z.literal(""), hostPort]),
        /** Comma-separated `<peer id>@<host>:<port>`: always connected, redialled when lost. */
        persistent_peers: z.string(),
        /** Comma-separated `<peer id>@<host>:<port>`: dialled at start to learn about the network. */
        seeds: z.string(),
        max_connections: int(1, 10_000),
        /** Largest gossip message accepted or sent; larger blocks travel in parts. */
        max_message_bytes: int(1024, 64 * 1024 * 1024),
        /** How long a peer that sent invalid messages stays banned. */
        ban_duration_ms: int(0, 7 * 24 * 3600 * 1000),
      })
      .strict(),
    crypto: z
      .object({
        /**
         * Threads that check tx signatures; 0: one per core. Nodes sharing a machine (a devnet)
         * split its cores between them.
         */
        verify_threads: int(0, 1024),
      })
      .strict(),
    signer: z
      .object({
        /** Append every signature to data/signer_audit.jsonl (forensics; tests use it). */
        audit_log: z.boolean(),
      })
      .strict(),
    metrics: z
      .object({
        /** Serve Prometheus metrics (text format) on GET /metrics. */
        enabled: z.boolean(),
        /** host:port of the metrics server; port 0 lets the system pick one. */
        laddr: hostPort,
      })
      .strict(),
  })
  .strict();

export type NodeConfig = z.infer<typeof configSchema>;

export function defaultConfig(moniker = "kyochi-node"): NodeConfig {
  return {
    moniker,
    log: { level: "info", format: "json" },
    rpc: {
      laddr: "127.0.0.1:26657",
      max_body_bytes: 1024 * 1024,
      max_batch: 100,
      broadcast_commit_timeout_ms: 30_000,
      ws_max_subscriptions: 100,
      ws_max_connections_per_ip: 100,
      ws_max_message_bytes: 1024 * 1024,
      ws_send_buffer_bytes: 16 * 1024 * 1024,
      max_concurrent_requests: 256,
      max_connections_per_ip: 100,
      max_open_connections: 900,
      cors_allowed_origins: "",
      cors_allowed_headers: "",
    },
    grpc: {
      enabled: true,
      laddr: "127.0.0.1:9090",
      max_message_bytes: 4 * 1024 * 1024,
      max_concurrent_requests: 256,
      max_streams: 100,
      max_streams_per_connection: 100,
    },
    consensus: {
      timeout_commit_ms: 1000,
      timeout_propose_ms: 3000,
      timeout_prevote_ms: 1000,
      timeout_precommit_ms: 1000,
      timeout_delta_ms: 500,
      create_empty_blocks: true,
    },
    mempool: {
      max_txs: 50_000,
      max_bytes: 256 * 1024 * 1024,
      max_tx_bytes: 65_536,
      max_per_sender: 256,
      max_pending_checks: 10_000,
    },
    state: { keep_recent: 0, search_index: true, search_index_events: "" },
    p2p: {
      laddr: "0.0.0.0:26656",
      external_address: "",
      persistent_peers: "",
      seeds: "",
      max_connections: 64,
      max_message_bytes: 1024 * 1024,
      ban_duration_ms: 10 * 60 * 1000,
    },
    crypto: { verify_threads: 0 },
    signer: { audit_log: false },
    metrics: { enabled: true, laddr: "127.0.0.1:26660" },
  };
}

export function renderConfigToml(config: NodeConfig): string {
  return `# Kyochi node configuration. Every key can be overridden by the environment variable
# KYOCHI_<SECTION>_<KEY> (e.g. KYOCHI_RPC_LADDR) or the flag --<section>.<key> (e.g. --rpc.laddr).
${stringifyToml(config)}
`;
}

type Overrides = Record<string, string | number | boolean>;

/** Loads and validates the config: file (if present) over defaults, then env, then flags. */
export function loadConfig(
  path: string | undefined,
  env: NodeJS.ProcessEnv = {},
  flags: Overrides = {},
): NodeConfig {
  const base = defaultConfig() as unknown as Record<string, unknown>;
  let merged: Record<string, unknown> = base;
  if (path !== undefined) {
    if (!existsSync(path))
      throw new NodeError("CONFIG_NOT_FOUND", `config file ${path} not found (run kyochi init)`);
    let fromFile: Record<string, unknown>;
    try {
      fromFile = parseToml(readFileSync(path, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new NodeError("CONFIG_INVALID", `${path}: ${(err as Error).message}`);
    }
    merged = deepMerge(base, fromFile);
  }
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("KYOCHI_") || raw === undefined || name === "KYOCHI_HOME") continue;
    const key = envKeyToPath(name.slice("KYOCHI_".length), merged);
    if (key) setPath(merged, key, coerce(raw, getPath(base, key)));
  }
  for (const [dotted, value] of Object.entries(flags)) {
    const key = dotted.split(".");
    if (getPath(base, key) === undefined)
      throw new NodeError("CONFIG_INVALID", `unknown config key ${dotted}`);
    setPath(merged, key, typeof value === "string" ? coerce(value, getPath(base, key)) : value);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new NodeError("CONFIG_INVALID", `config ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  return result.data;
}

/** Every `section.key` path, for generating CLI flags. */
export function configKeys(): { path: string; example: unknown }[] {
  const out: { path: string; example: unknown }[] = [];
  const walk = (obj: Record<string, unknown>, prefix: string[]) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v !== null && typeof v === "object") walk(v as Record<string, unknown>, [...prefix, k]);
      else out.push({ path: [...prefix, k].join("."), example: v });
    }
  };
  walk(defaultConfig() as unknown as Record<string, unknown>, []);
  return out;
}

/**
 * state.search_index_events as a set of "type.key" names, or undefined for every attribute (the
 * empty list). Throws on an entry that is not a type and a key joined by one dot.
 */
export function parseIndexedEvents(text: string): ReadonlySet<string> | undefined {
  const entries = text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
  if (entries.length === 0) return undefined;
  for (const entry of entries) {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(entry))
      throw new Error(`"${entry}" is not an event attribute as type.key (e.g. transfer.recipient)`);
  }
  return new Set(entries);
}

export function parseHostPort(laddr: string): { host: string; port: number } {
  const i = laddr.lastIndexOf(":");
  return { host: laddr.slice(0, i), port: Number(laddr.slice(i + 1)) };
}

// KYOCHI_RPC_MAX_BODY_BYTES -> ["rpc", "max_body_bytes"]; unknown names are ignored (other tools
// share the KYOCHI_ namespace, e.g. KYOCHI_HOME).
function envKeyToPath(name: string, config: Record<string, unknown>): string[] | undefined {
  const lower = name.toLowerCase();
  if (lower in config && typeof config[lower] !== "object") return [lower];
  for (const [section, value] of Object.entries(config)) {
    if (value !== null && typeof value === "object" && lower.startsWith(`${section}_`)) {
      const key = lower.slice(section.length + 1);
      if (key in (value as Record<string, unknown>)) return [section, key];
    }
  }
  return undefined;
}

function coerce(raw: string, example: unknown): unknown {
  if (typeof example === "number") return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof example === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
  return raw;
}

function getPath(obj: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const p of path.slice(0, -1)) {
    if (cur[p] === null || typeof cur[p] !== "object") cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v !== null && typeof v === "object" && !Array.isArray(v) && b !== null && typeof b === "object"
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
