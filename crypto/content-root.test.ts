import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CONTENT_CHUNK_BYTES,
  ContentRootHasher,
  contentRootOf,
  contentRootOfPath,
  EMPTY_CONTENT_ROOT,
} from "./content-root.js";
import { sha256, toHex } from "./hash.js";

const MiB = CONTENT_CHUNK_BYTES;

// ---- an independent, deliberately naive implementation (whole input in memory, level by level) ----

function naiveRoot(bytes: Uint8Array, chunk = MiB): string {
  if (bytes.length === 0) return toHex(sha256(new Uint8Array(0)));
  const level: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += chunk) {
    level.push(sha256(Uint8Array.of(0), bytes.slice(off, off + chunk)));
  }
  return toHex(fold(level));
}

function fold(leaves: Uint8Array[]): Uint8Array {
  let level = leaves;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right === undefined ? level[i]! : sha256(Uint8Array.of(1), level[i]!, right));
    }
    level = next;
  }
  return level[0]!;
}

function naiveDirectoryRoot(files: { rel: string; bytes: Uint8Array }[]): string {
  if (files.length === 0) return toHex(sha256(new Uint8Array(0)));
  const leaves = files.map(({ rel, bytes }) => {
    const name = Buffer.from(rel, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(name.length);
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE(BigInt(bytes.length));
    return sha256(Uint8Array.of(2), len, name, size, Buffer.from(naiveRoot(bytes), "hex"));
  });
  return toHex(fold(leaves));
}

/** Deterministic pseudo-random bytes (xorshift), so every size has distinct chunks. */
function bytesOf(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-content-root-"));
  dirs.push(d);
  return d;
}

describe("content root of a byte stream", () => {
  it("empty input is sha256 of nothing (RFC 6962's empty tree)", () => {
    expect(toHex(EMPTY_CONTENT_ROOT)).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(contentRootOf(new Uint8Array(0))).toEqual({ root: EMPTY_CONTENT_ROOT, sizeBytes: 0, chunks: 0 });
  });

  it("one byte is a single leaf sha256(0x00 || byte)", () => {
    // RFC 6962's leaf hash of the empty string is a published vector: sha256(0x00).
    expect(toHex(sha256(Uint8Array.of(0)))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
    const r = contentRootOf(Uint8Array.of(0x61));
    expect(toHex(r.root)).toBe(toHex(sha256(Uint8Array.of(0x00, 0x61))));
    expect(r.chunks).toBe(1);
  });

  it.each([
    ["1 byte", 1],
    ["exactly one chunk", MiB],
    ["one chunk and a byte", MiB + 1],
    ["two chunks", 2 * MiB],
    ["three chunks and a tail", 3 * MiB + 17],
    ["five chunks", 5 * MiB - 3],
  ])("%s: matches the naive tree, streamed in any pieces", (_name, size) => {
    const bytes = bytesOf(size, size);
    const expected = naiveRoot(bytes);
    const oneShot = contentRootOf(bytes);
    expect(toHex(oneShot.root)).toBe(expected);
    expect(oneShot.sizeBytes).toBe(size);
    expect(oneShot.chunks).toBe(Math.ceil(size / MiB));
    // pieces that straddle chunk boundaries, and pieces larger than a chunk
    for (const piece of [1, 4093, MiB - 1, MiB + 7, 3 * MiB]) {
      if (piece === 1 && size > 4096) continue; // byte-at-a-time only for tiny inputs (speed)
      const h = new ContentRootHasher();
      for (let off = 0; off < size; off += piece) h.update(bytes.subarray(off, off + piece));
      expect(toHex(h.digest().root), `pieces of ${piece}`).toBe(expected);
    }
  });

  it("every tree shape from 1 to 70 leaves matches level-by-level pairing with odd promotion", () => {
    for (let leaves = 1; leaves <= 70; leaves++) {
      const bytes = bytesOf(leaves * 4 - (leaves % 3), leaves);
      expect(toHex(contentRootOf(bytes, 4).root), `${leaves} leaves`).toBe(naiveRoot(bytes, 4));
    }
  });

  it("any change of content or length changes the root", () => {
    const bytes = bytesOf(MiB + 100, 9);
    const base = toHex(contentRootOf(bytes).root);
    const flipped = bytes.slice();
    flipped[MiB + 50] = flipped[MiB + 50]! ^ 1;
    expect(toHex(contentRootOf(flipped).root)).not.toBe(base);
    expect(toHex(contentRootOf(bytes.subarray(0, MiB + 99)).root)).not.toBe(base);
  });
});

describe("content root of files on disk", () => {
  it("a file's root is its bytes' root, read in a stream, with progress up to the total", async () => {
    const dir = tempDir();
    const file = path.join(dir, "weights.bin");
    const bytes = bytesOf(2 * MiB + 5, 3);
    fs.writeFileSync(file, bytes);
    const seen: [number, number][] = [];
    const r = await contentRootOfPath(file, (done, total) => seen.push([done, total]));
    expect(toHex(r.root)).toBe(naiveRoot(bytes));
    expect(r).toMatchObject({ sizeBytes: 2 * MiB + 5, chunks: 3, files: 1, chunkSize: MiB });
    expect(seen.at(-1)).toEqual([2 * MiB + 5, 2 * MiB + 5]);
    expect(seen.every(([d], i) => i === 0 || d > seen[i - 1]![0])).toBe(true);

    const empty = path.join(dir, "empty");
    fs.writeFileSync(empty, "");
    expect(await contentRootOfPath(empty)).toMatchObject({
      root: EMPTY_CONTENT_ROOT,
      sizeBytes: 0,
      chunks: 0,
    });
  });

  it("a directory: its files by UTF-8 path order, each named and sized in its entry", async () => {
    const dir = tempDir();
    const files = {
      "a/x": bytesOf(MiB + 1, 11),
      "a-b": bytesOf(10, 12), // "-" (0x2d) sorts before "/" (0x2f)
      B: bytesOf(3, 13), // uppercase sorts before lowercase
      "a/y/z.txt": new Uint8Array(0),
      "é.txt": bytesOf(5, 14),
    };
    for (const [rel, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), bytes);
    }
    fs.mkdirSync(path.join(dir, "empty-dir"));
    const order = ["B", "a-b", "a/x", "a/y/z.txt", "é.txt"] as const;
    const r = await contentRootOfPath(dir);
    expect(toHex(r.root)).toBe(naiveDirectoryRoot(order.map((rel) => ({ rel, bytes: files[rel] }))));
    expect(r).toMatchObject({ files: 5, sizeBytes: MiB + 1 + 10 + 3 + 5, chunks: 2 + 1 + 1 + 1 });

    // a renamed file, or the same bytes as one file, give other roots
    fs.renameSync(path.join(dir, "B"), path.join(dir, "C"));
    expect(toHex((await contentRootOfPath(dir)).root)).not.toBe(toHex(r.root));
    const one = tempDir();
    fs.writeFileSync(path.join(one, "only"), files["a-b"]);
    const single = await contentRootOfPath(one);
    expect(toHex(single.root)).not.toBe(naiveRoot(files["a-b"]));
    expect(toHex(single.root)).toBe(naiveDirectoryRoot([{ rel: "only", bytes: files["a-b"] }]));

    expect(await contentRootOfPath(tempDir())).toMatchObject({
      root: EMPTY_CONTENT_ROOT,
      files: 0,
      sizeBytes: 0,
    });
  });

  it("symbolic links are refused, not followed", async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "real"), "data");
    fs.symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
    await expect(contentRootOfPath(dir)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(contentRootOfPath(path.join(dir, "link"))).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(contentRootOfPath(path.join(dir, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
