import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../crypto/hash.js";
import { WorkerRuntimeError, type WorkerRuntimeErrorCode } from "./errors.js";
import { cachePath, fetchBytes, fetchVerified } from "./fetch.js";

const dir = mkdtempSync(join(tmpdir(), "kyochi-fetch-"));
const content = new TextEncoder().encode("model weights, or a job input, byte for byte\n");
const contentHash = sha256(content);
const filePath = join(dir, "weights.bin");
writeFileSync(filePath, content);
const fileUri = pathToFileURL(filePath).href;

let server: Server;
let base = "";
const hanging: import("node:http").ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    switch (req.url) {
      case "/ok":
        res.writeHead(200, { "content-length": content.length }).end(content);
        return;
      case "/redirect":
        res.writeHead(302, { location: "/ok" }).end();
        return;
      case "/to-file":
        res.writeHead(302, { location: fileUri }).end();
        return;
      case "/loop":
        res.writeHead(301, { location: "/loop" }).end();
        return;
      case "/big-declared":
        res.writeHead(200, { "content-length": 10_000 }).end(Buffer.alloc(10_000));
        return;
      case "/big-chunked":
        res.writeHead(200); // no content-length: the limit must hold while streaming
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000, i));
        res.end();
        return;
      case "/hang":
        res.writeHead(200);
        res.write("x"); // starts the body, never finishes it
        hanging.push(res);
        return;
      default:
        res.writeHead(404).end("no");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<WorkerRuntimeErrorCode | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WorkerRuntimeError) return e.code;
    throw e;
  }
  return undefined;
}

describe("fetching job content by URI", () => {
  it("returns file: content whose hash matches and refuses content that does not", async () => {
    expect(toHex(await fetchVerified(fileUri, contentHash))).toBe(toHex(content));
    const wrong = sha256(new TextEncoder().encode("something else"));
    const err = await fetchVerified(fileUri, wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkerRuntimeError);
    expect((err as WorkerRuntimeError).code).toBe("FETCH_HASH_MISMATCH");
    expect((err as Error).message).toContain(toHex(contentHash));
    expect(await codeOf(fetchVerified(fileUri, contentHash.subarray(0, 31)))).toBe("FETCH_BAD_HASH");
    expect(await codeOf(fetchVerified(pathToFileURL(join(dir, "missing")).href, contentHash))).toBe(
      "FETCH_FAILED",
    );
    expect(await codeOf(fetchVerified(pathToFileURL(dir).href, contentHash))).toBe("FETCH_FAILED");
    expect(await codeOf(fetchVerified(fileUri, contentHash, { maxBytes: content.length - 1 }))).toBe(
      "FETCH_TOO_LARGE",
    );
  });

  it("caches verified bytes by hash and re-verifies what it finds there", async () => {
    const cacheDir = join(dir, "cache");
    const source = join(dir, "once.bin");
    const bytes = new TextEncoder().encode("fetched once");
    const hash = sha256(bytes);
    writeFileSync(source, bytes);
    const uri = pathToFileURL(source).href;

    expect(toHex(await fetchVerified(uri, hash, { cacheDir }))).toBe(toHex(bytes));
    expect(readdirSync(cacheDir)).toEqual([toHex(hash)]); // no temp file left behind
    rmSync(source);
    // the source is gone: the cache answers
    expect(toHex(await fetchVerified(uri, hash, { cacheDir }))).toBe(toHex(bytes));
    // a damaged cache entry is not trusted
    writeFileSync(cachePath(cacheDir, hash), "damaged");
    expect(await codeOf(fetchVerified(uri, hash, { cacheDir }))).toBe("FETCH_FAILED");
    writeFileSync(source, bytes);
    expect(toHex(await fetchVerified(uri, hash, { cacheDir }))).toBe(toHex(bytes));
    expect(toHex(new Uint8Array(readFileSync(cachePath(cacheDir, hash))))).toBe(toHex(bytes));
    // bytes with the wrong hash never enter the cache
    writeFileSync(source, "tampered");
    const other = sha256(new TextEncoder().encode("another"));
    expect(await codeOf(fetchVerified(uri, other, { cacheDir }))).toBe("FETCH_HASH_MISMATCH");
    expect(readdirSync(cacheDir)).toEqual([toHex(hash)]);
  });

  it("decodes data: URIs, base64 and percent-encoded", async () => {
    const b64 = `data:application/octet-stream;base64,${Buffer.from(content).toString("base64")}`;
    expect(toHex(await fetchVerified(b64, contentHash))).toBe(toHex(content));
    expect(toHex(await fetchBytes("data:,a%FFb%20c"))).toBe("61ff622063");
    expect(toHex(await fetchBytes("data:text/plain,\u00e9"))).toBe("c3a9");
    expect(await codeOf(fetchBytes("data:;base64,a b"))).toBe("FETCH_BAD_URI");
    expect(await codeOf(fetchBytes("data:;base64,abc"))).toBe("FETCH_BAD_URI");
    expect(await codeOf(fetchBytes("data:,%G1"))).toBe("FETCH_BAD_URI");
    expect(await codeOf(fetchBytes("data:;base64,AAAAAAAA", { maxBytes: 5 }))).toBe("FETCH_TOO_LARGE");
  });

  it("refuses schemes it does not fetch and strings that are not URIs", async () => {
    expect(await codeOf(fetchVerified("ftp://example.com/w.bin", contentHash))).toBe(
      "FETCH_UNSUPPORTED_SCHEME",
    );
    expect(await codeOf(fetchVerified("ipfs://bafy/w.bin", contentHash))).toBe("FETCH_UNSUPPORTED_SCHEME");
    expect(await codeOf(fetchVerified("weights.bin", contentHash))).toBe("FETCH_BAD_URI");
  });

  it("fetches over http with redirects, size limits and a timeout", async () => {
    expect(toHex(await fetchVerified(`${base}/ok`, contentHash))).toBe(toHex(content));
    expect(toHex(await fetchVerified(`${base}/redirect`, contentHash))).toBe(toHex(content));
    expect(await codeOf(fetchVerified(`${base}/to-file`, contentHash))).toBe("FETCH_UNSUPPORTED_SCHEME");
    expect(await codeOf(fetchVerified(`${base}/loop`, contentHash))).toBe("FETCH_FAILED");
    expect(await codeOf(fetchVerified(`${base}/missing`, contentHash))).toBe("FETCH_FAILED");
    expect(await codeOf(fetchBytes(`${base}/big-declared`, { maxBytes: 5000 }))).toBe("FETCH_TOO_LARGE");
    expect(await codeOf(fetchBytes(`${base}/big-chunked`, { maxBytes: 5000 }))).toBe("FETCH_TOO_LARGE");
    expect((await fetchBytes(`${base}/big-chunked`, { maxBytes: 10_000 })).length).toBe(10_000);
    expect(await codeOf(fetchBytes(`${base}/hang`, { timeoutMs: 200 }))).toBe("FETCH_TIMEOUT");
    // nothing listens there
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await codeOf(fetchBytes(`http://127.0.0.1:${port}/x`))).toBe("FETCH_FAILED");
  });
});
