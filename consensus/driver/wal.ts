// The consensus write-ahead log: an append-only file of WalEntry protobufs, each framed as
//   [u32 BE payload length][u32 BE CRC-32 of payload][payload]
// Own proposal blocks, proposals and votes are appended with fsync before they are acted on
// (signed, sent); received messages and fired timeouts are appended without fsync (the next
// fsync carries them, and a kill -9 leaves them in the page cache). A torn tail after a crash
// fails its length or checksum and is cut off when the file is opened.
//
// Every entry carries its height; only entries of the height being decided matter on restart,
// so after a block is committed the file is truncated and restarted with an end_height marker:
// the WAL never holds more than one height.

import { type FileHandle, mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { crc32 } from "node:zlib";
import { WalEntry } from "../../proto/index.js";
import { ConsensusError } from "../errors.js";
import type { Logger } from "../logger.js";
import { fsyncDir } from "./fsync.js";

const HEADER_BYTES = 8;
/** Largest entry accepted when reading (a block of the largest allowed size, plus framing). */
export const MAX_WAL_ENTRY_BYTES = 300 * 1024 * 1024;

export interface WalOpenResult {
  wal: Wal;
  /** Every intact entry, in order. */
  entries: WalEntry[];
  /** Bytes cut from a torn or corrupt tail (0 when the file was intact). */
  truncatedBytes: number;
}

export class Wal {
  private constructor(
    readonly path: string,
    private handle: FileHandle,
    private size: number,
  ) {}

  static async open(path: string, logger?: Logger): Promise<WalOpenResult> {
    await mkdir(dirname(path), { recursive: true });
    let handle: FileHandle;
    try {
      handle = await open(path, "a+", 0o600);
    } catch (err) {
      throw new ConsensusError("WAL_IO", `cannot open WAL ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      const data = await handle.readFile();
      const { entries, validBytes } = parse(data);
      const truncatedBytes = data.length - validBytes;
      if (truncatedBytes > 0) {
        logger?.warn(
          { path, truncatedBytes, keptEntries: entries.length },
          "WAL tail torn or corrupt; truncated",
        );
        await handle.truncate(validBytes);
        await handle.sync();
      }
      await fsyncDir(dirname(path));
      return { wal: new Wal(path, handle, validBytes), entries, truncatedBytes };
    } catch (err) {
      await handle.close().catch(() => undefined);
      if (err instanceof ConsensusError) throw err;
      throw new ConsensusError("WAL_IO", `cannot read WAL ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Bytes in the file. */
  get bytes(): number {
    return this.size;
  }

  /** Appends one entry; with `sync` it is on disk (with everything before it) when this resolves. */
  async append(entry: WalEntry, sync: boolean): Promise<void> {
    const frame = encodeFrame(entry);
    try {
      await this.handle.write(frame);
      this.size += frame.length;
      if (sync) await this.handle.datasync();
    } catch (err) {
      throw new ConsensusError("WAL_IO", `cannot write WAL ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * Marks `height` as committed (its block is durably in the database) and drops everything
   * before it: the file is emptied and restarted with the end_height marker.
   */
  async endHeight(height: number): Promise<void> {
    try {
      await this.handle.truncate(0);
      this.size = 0;
      await this.append(WalEntry.create({ height, endHeight: height }), true);
    } catch (err) {
      if (err instanceof ConsensusError) throw err;
      throw new ConsensusError("WAL_IO", `cannot rotate WAL ${this.path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

export function encodeFrame(entry: WalEntry): Uint8Array {
  const payload = WalEntry.encode(entry).finish();
  const frame = new Uint8Array(HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, payload.length);
  view.setUint32(4, crc32(payload));
  frame.set(payload, HEADER_BYTES);
  return frame;
}

/** Parses frames until the first one that is incomplete or fails its checksum or decoding. */
function parse(data: Uint8Array): { entries: WalEntry[]; validBytes: number } {
  const entries: WalEntry[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const length = view.getUint32(offset);
    const checksum = view.getUint32(offset + 4);
    const end = offset + HEADER_BYTES + length;
    if (length > MAX_WAL_ENTRY_BYTES || end > data.length) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== checksum) break;
    let entry: WalEntry;
    try {
      entry = WalEntry.decode(payload);
    } catch {
      break;
    }
    entries.push(entry);
    offset = end;
  }
  return { entries, validBytes: offset };
}
