// The content root of a dataset or model file: a Merkle root over fixed-size chunks, so anyone
// holding the bytes can recompute it, and a single chunk can later be proven against it.
//
// One file (or any byte stream):
//   - split into CONTENT_CHUNK_BYTES (1 MiB) chunks, the last one possibly shorter;
//   - leaf  = sha256(0x00 || chunk), inner = sha256(0x01 || left || right): RFC 6962's domain
//     separation, so a leaf can never be passed off as an inner node;
//   - leaves are paired level by level, an odd last node is promoted unchanged to the next level
//     (the same tree as RFC 6962's "split at the largest power of two");
//   - no bytes at all: root = sha256("") (RFC 6962's hash of the empty tree).
// A directory:
//   - every regular file below it, named by its path relative to the directory with "/"
//     separators, sorted by the UTF-8 bytes of that path;
//   - one entry leaf per file: sha256(0x02 || u32be(path bytes) || path || u64be(size) || file root),
//     where 0x02 keeps entry leaves apart from chunk leaves (a directory's root can never equal a
//     file's), and the path and size pin names and boundaries (concatenating the files would not);
//   - the entry leaves are combined with the same inner rule and odd promotion; no files at all:
//     sha256("").
//   Empty sub-directories carry no bytes and are not part of the root. Symbolic links and other
//   non-regular files are refused rather than followed, so the root never depends on what a link
//   points to at hashing time.
// Everything streams: a file is read one chunk at a time and the tree keeps one hash per level.
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { u32be, u64be } from "./bytes.js";
import { CryptoError } from "./errors.js";

export const CONTENT_CHUNK_BYTES = 1 << 20;

const LEAF = Uint8Array.of(0x00);
const INNER = Uint8Array.of(0x01);
const ENTRY = Uint8Array.of(0x02);

function digestOf(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** sha256 of the empty string: the root of no bytes and of a directory without files. */
export const EMPTY_CONTENT_ROOT: Uint8Array = digestOf();

/**
 * Builds a Merkle root from leaf hashes given one at a time, keeping one pending subtree per
 * level (at most 64 hashes). Merging equal-sized subtrees as they complete and folding the rest
 * right to left at the end gives exactly the level-by-level tree with odd nodes promoted.
 */
export class MerkleBuilder {
  private readonly stack: { size: number; hash: Uint8Array }[] = [];
  private count = 0;

  get leaves(): number {
    return this.count;
  }

  addLeafHash(hash: Uint8Array): void {
    this.count++;
    let node = { size: 1, hash };
    for (let top = this.stack.at(-1); top !== undefined && top.size === node.size; top = this.stack.at(-1)) {
      this.stack.pop();
      node = { size: top.size * 2, hash: digestOf(INNER, top.hash, node.hash) };
    }
    this.stack.push(node);
  }

  root(): Uint8Array {
    let acc = this.stack.at(-1)?.hash;
    if (acc === undefined) return EMPTY_CONTENT_ROOT;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = digestOf(INNER, this.stack[i]!.hash, acc);
    return acc;
  }
}

export interface StreamRoot {
  root: Uint8Array;
  sizeBytes: number;
  chunks: number;
}

/** The content root of a byte stream fed in pieces of any size (one file's bytes). */
export class ContentRootHasher {
  private readonly chunkSize: number;
  private readonly tree = new MerkleBuilder();
  private readonly pending: Uint8Array;
  private pendingBytes = 0;
  private total = 0;
  private done = false;

  /** `chunkSize` other than CONTENT_CHUNK_BYTES gives a different root: meant for tests. */
  constructor(chunkSize = CONTENT_CHUNK_BYTES) {
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
      throw new CryptoError("INVALID_ARGUMENT", `chunk size must be a positive integer, got ${chunkSize}`);
    }
    this.chunkSize = chunkSize;
    this.pending = new Uint8Array(chunkSize);
  }

  update(bytes: Uint8Array): this {
    if (this.done) throw new CryptoError("INVALID_ARGUMENT", "update after digest");
    this.total += bytes.length;
    let off = 0;
    while (off < bytes.length) {
      // A whole chunk at a chunk boundary is hashed in place; anything else goes through `pending`.
      if (this.pendingBytes === 0 && bytes.length - off >= this.chunkSize) {
        this.tree.addLeafHash(digestOf(LEAF, bytes.subarray(off, off + this.chunkSize)));
        off += this.chunkSize;
        continue;
      }
      const take = Math.min(this.chunkSize - this.pendingBytes, bytes.length - off);
      this.pending.set(bytes.subarray(off, off + take), this.pendingBytes);
      this.pendingBytes += take;
      off += take;
      if (this.pendingBytes === this.chunkSize) this.flush();
    }
    return this;
  }

  digest(): StreamRoot {
    if (!this.done) {
      if (this.pendingBytes > 0) this.flush();
      this.done = true;
    }
    return { root: this.tree.root(), sizeBytes: this.total, chunks: this.tree.leaves };
  }

  private flush(): void {
    this.tree.addLeafHash(digestOf(LEAF, this.pending.subarray(0, this.pendingBytes)));
    this.pendingBytes = 0;
  }
}

/** The content root of bytes held in memory (the same as feeding them to a ContentRootHasher). */
export function contentRootOf(bytes: Uint8Array, chunkSize = CONTENT_CHUNK_BYTES): StreamRoot {
  return new ContentRootHasher(chunkSize).update(bytes).digest();
}

/** The leaf of one file in a directory's root. */
export function directoryEntryLeaf(
  relativePath: string,
  sizeBytes: number,
  fileRoot: Uint8Array,
): Uint8Array {
  const name = new TextEncoder().encode(relativePath);
  return digestOf(ENTRY, u32be(name.length), name, u64be(sizeBytes), fileRoot);
}

export interface ContentRootResult extends StreamRoot {
  chunkSize: number;
  /** Regular files hashed (1 for a single file). */
  files: number;
}

/** Called after each chunk read: bytes hashed so far and the total to hash. */
export type ContentProgress = (doneBytes: number, totalBytes: number) => void;

interface FileEntry {
  absolute: string;
  /** Relative to the hashed directory, "/"-separated. */
  relative: string;
  size: number;
}

function notRegular(where: string): CryptoError {
  return new CryptoError(
    "INVALID_ARGUMENT",
    `${where} is not a regular file or directory (symbolic links and devices are not hashed)`,
  );
}

async function collectFiles(root: string, relative: string, out: FileEntry[]): Promise<void> {
  const dir = relative === "" ? root : path.join(root, relative);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) await collectFiles(root, rel, out);
    else if (entry.isFile()) {
      const absolute = path.join(root, rel);
      out.push({ absolute, relative: rel, size: (await fs.stat(absolute)).size });
    } else throw notRegular(path.join(root, rel));
  }
}

const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");

async function hashFile(
  file: FileEntry,
  buffer: Uint8Array,
  progress: { done: number; total: number; report?: ContentProgress },
): Promise<StreamRoot> {
  const hasher = new ContentRootHasher();
  const handle = await fs.open(file.absolute, "r");
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hasher.update(buffer.subarray(0, bytesRead));
      progress.done += bytesRead;
      progress.report?.(progress.done, progress.total);
    }
  } finally {
    await handle.close();
  }
  const result = hasher.digest();
  if (result.sizeBytes !== file.size) {
    throw new CryptoError(
      "INVALID_ARGUMENT",
      `${file.absolute} changed while it was hashed (${file.size} bytes at the start, ${result.sizeBytes} read)`,
    );
  }
  return result;
}

/** The content root of a file or a directory on disk (see the top of this file), streaming. */
export async function contentRootOfPath(
  target: string,
  onProgress?: ContentProgress,
): Promise<ContentRootResult> {
  const stat = await fs.lstat(target);
  const buffer = new Uint8Array(CONTENT_CHUNK_BYTES);
  if (stat.isFile()) {
    const progress = { done: 0, total: stat.size, ...(onProgress ? { report: onProgress } : {}) };
    const r = await hashFile({ absolute: target, relative: "", size: stat.size }, buffer, progress);
    return { ...r, chunkSize: CONTENT_CHUNK_BYTES, files: 1 };
  }
  if (!stat.isDirectory()) throw notRegular(target);
  const files: FileEntry[] = [];
  await collectFiles(target, "", files);
  files.sort((a, b) => Buffer.compare(utf8(a.relative), utf8(b.relative)));
  const total = files.reduce((n, f) => n + f.size, 0);
  const progress = { done: 0, total, ...(onProgress ? { report: onProgress } : {}) };
  const tree = new MerkleBuilder();
  let chunks = 0;
  for (const file of files) {
    const r = await hashFile(file, buffer, progress);
    chunks += r.chunks;
    tree.addLeafHash(directoryEntryLeaf(file.relative, r.sizeBytes, r.root));
  }
  return { root: tree.root(), sizeBytes: total, chunks, chunkSize: CONTENT_CHUNK_BYTES, files: files.length };
}
