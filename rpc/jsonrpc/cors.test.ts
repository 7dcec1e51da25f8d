// Browser origins on the JSON-RPC port, over real HTTP and WebSocket on 127.0.0.1: without
// configuration no origin is allowed (no CORS headers; browser requests and upgrades refused with
// 403), a configured list or `*` gets CORS headers and preflight answers, and clients that send no
// Origin (CLI, SDK, servers) are always served. The server answers normally after each refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MemoryChain } from "../testing/memory-chain.js";
import { parseCorsHeaders, parseCorsOrigins } from "./cors.js";
import type { JsonRpcFailure } from "./protocol.js";
import { type JsonRpcServer, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-cors";
const APP = "https://app.example";
const LOCAL = "http://localhost:3000";
const EVIL = "https://evil.example";

let closed: JsonRpcServer;
let listed: JsonRpcServer;
let wildcard: JsonRpcServer;

beforeAll(async () => {
  const chain = new MemoryChain({ chainId: CHAIN_ID });
  const start = (cors?: { allowedOrigins: string[]; allowedHeaders?: string[] }) =>
    startJsonRpcServer({
      backend: chain,
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: 64 * 1024,
      ...(cors !== undefined ? { cors } : {}),
    });
  closed = await start();
  listed = await start({ allowedOrigins: [APP, LOCAL], allowedHeaders: ["X-Api-Key"] });
  wildcard = await start({ allowedOrigins: ["*"] });
});

afterAll(async () => {
  await Promise.all([closed, listed, wildcard].map((server) => server.close()));
});

const STATUS = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chain_status", params: {} });

async function send(server: JsonRpcServer, method: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url, {
    method,
    headers: method === "POST" ? { "content-type": "application/json", ...headers } : headers,
    ...(method === "POST" ? { body: STATUS } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text === "" ? undefined : (JSON.parse(text) as unknown),
  };
}

const preflight = (server: JsonRpcServer, origin: string) =>
  send(server, "OPTIONS", {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type",
  });

async function expectServing(server: JsonRpcServer): Promise<void> {
  const reply = await send(server, "POST");
  expect(reply.status).toBe(200);
  expect(reply.json).toHaveProperty("result.chainId", CHAIN_ID);
}

/** Opens a WebSocket with `origin` (none when undefined); the HTTP status if the upgrade is refused. */
function upgrade(server: JsonRpcServer, origin?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl, {
      perMessageDeflate: false,
      ...(origin !== undefined ? { origin } : {}),
    });
    ws.once("open", () => {
      ws.send(STATUS);
      ws.once("message", (data: Buffer) => {
        ws.close();
        resolve({ status: 101, body: data.toString("utf8") });
      });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once("error", reject);
  });
}

describe("CORS over HTTP", () => {
  it("serves clients without an Origin and sends no CORS headers by default", async () => {
    const reply = await send(closed, "POST");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("access-control-allow-origin")).toBeNull();
    expect(reply.headers.get("vary")).toBeNull();
  });

  it("refuses browser requests and preflights by default with 403 ORIGIN_NOT_ALLOWED", async () => {
    const post = await send(closed, "POST", { origin: APP });
    expect(post.status).toBe(403);
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    const error = (post.json as JsonRpcFailure).error;
    expect(error.code).toBe(-32600);
    expect(error.data).toMatchObject({ code: "ORIGIN_NOT_ALLOWED", origin: APP });
    expect(error.message).toMatch(/rpc\.cors_allowed_origins/);

    const pre = await preflight(closed, APP);
    expect(pre.status).toBe(403);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect((pre.json as JsonRpcFailure).error.data).toMatchObject({ code: "ORIGIN_NOT_ALLOWED" });
    await expectServing(closed);
  });

  it("answers an allowed origin with its own Access-Control-Allow-Origin and Vary: Origin", async () => {
    for (const origin of [APP, LOCAL]) {
      const reply = await send(listed, "POST", { origin });
      expect(reply.status).toBe(200);
      expect(reply.json).toHaveProperty("result.chainId", CHAIN_ID);
      expect(reply.headers.get("access-control-allow-origin")).toBe(origin);
      expect(reply.headers.get("vary")).toMatch(/Origin/);
    }
    // Errors carry the headers too, so the page can read why its request failed.
    const put = await send(listed, "PUT", { origin: APP });
    expect(put.status).toBe(405);
    expect(put.headers.get("access-control-allow-origin")).toBe(APP);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });

  it("answers an allowed origin's preflight with 204 and the allowed methods, headers and max age", async () => {
    const reply = await preflight(listed, APP);
    expect(reply.status).toBe(204);
    expect(reply.headers.get("access-control-allow-origin")).toBe(APP);
    expect(reply.headers.get("access-control-allow-methods")).toBe("GET, HEAD, POST, OPTIONS");
    expect(reply.headers.get("access-control-allow-headers")).toBe("content-type, x-api-key");
    expect(Number(reply.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(reply.headers.get("vary")).toMatch(/Origin/);
  });

  it("refuses an origin that is not in the list, request and preflight, and keeps serving", async () => {
    const post = await send(listed, "POST", { origin: EVIL });
    expect(post.status).toBe(403);
    expect(post.headers.get("access-control-allow-origin")).toBeNull();
    expect((post.json as JsonRpcFailure).error.message).toMatch(/not in rpc\.cors_allowed_origins/);
    const pre = await preflight(listed, EVIL);
    expect(pre.status).toBe(403);
    expect((pre.json as JsonRpcFailure).error.data).toMatchObject({
      code: "ORIGIN_NOT_ALLOWED",
      origin: EVIL,
    });
    // A different port is a different origin.
    expect((await send(listed, "POST", { origin: "http://localhost:3001" })).status).toBe(403);
    await expectServing(listed);
  });

  it("allows every origin with *, answering Access-Control-Allow-Origin: *", async () => {
    const reply = await send(wildcard, "POST", { origin: EVIL });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("access-control-allow-origin")).toBe("*");
    const pre = await preflight(wildcard, "http://anything.test:8080");
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-headers")).toBe("content-type");
  });

  it("answers a plain OPTIONS (no Origin) with 204 and Allow", async () => {
    const reply = await send(closed, "OPTIONS");
    expect(reply.status).toBe(204);
    expect(reply.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
  });
});

describe("WebSocket origin check", () => {
  it("refuses an upgrade from a browser origin that is not allowed with 403, before the handshake", async () => {
    for (const [server, origin] of [
      [closed, APP],
      [listed, EVIL],
    ] as const) {
      const refused = await upgrade(server, origin);
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toMatchObject({
        error: { code: -32600, data: { code: "ORIGIN_NOT_ALLOWED", origin } },
      });
      expect(server.websocketStats().connections).toBe(0);
      await expectServing(server);
    }
  });

  it("accepts an allowed origin, any origin with *, and clients without an Origin", async () => {
    for (const [server, origin] of [
      [listed, APP],
      [wildcard, EVIL],
      [closed, undefined],
      [listed, undefined],
    ] as const) {
      const opened = await upgrade(server, origin);
      expect(opened.status).toBe(101);
      expect(JSON.parse(opened.body)).toHaveProperty("result.chainId", CHAIN_ID);
    }
  });
});

describe("CORS config lists", () => {
  it("parses comma-separated origins and header names, lowercased", () => {
    expect(parseCorsOrigins(" https://App.example , http://localhost:3000,")).toEqual([
      "https://app.example",
      "http://localhost:3000",
    ]);
    expect(parseCorsOrigins("")).toEqual([]);
    expect(parseCorsOrigins("*")).toEqual(["*"]);
    expect(parseCorsOrigins("http://[::1]:8080")).toEqual(["http://[::1]:8080"]);
    expect(parseCorsHeaders("X-Api-Key, Authorization")).toEqual(["x-api-key", "authorization"]);
  });

  it("refuses entries that are not origins or header names, naming them", () => {
    expect(() => parseCorsOrigins("https://app.example/path")).toThrow(
      /"https:\/\/app\.example\/path" is not an origin/,
    );
    expect(() => parseCorsOrigins("app.example")).toThrow(/"app\.example" is not an origin/);
    expect(() => parseCorsOrigins("https://app.example/")).toThrow(/not an origin/);
    expect(() => parseCorsHeaders("x api key")).toThrow(/"x api key" is not an HTTP header name/);
  });
});
