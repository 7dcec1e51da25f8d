import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WalEntry } from "../../proto/index.js";
import { encodeFrame, Wal } from "./wal.js";

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kyochi-wal-"));
  path = join(dir, "data", "consensus.wal");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const vote = (height: number, byte: number) =>
  WalEntry.create({ height, vote: new Uint8Array(40).fill(byte) });

describe("WAL", () => {
  it("returns the entries appended before a restart, in order", async () => {
    const { wal } = await Wal.open(path);
    await wal.append(vote(7, 1), true);
    await wal.append(WalEntry.create({ height: 7, proposalBlock: new Uint8Array(1000).fill(2) }), false);
    await wal.append(vote(7, 3), true);
    await wal.close();
    const { entries, truncatedBytes, wal: again } = await Wal.open(path);
    await again.close();
    expect(truncatedBytes).toBe(0);
    expect(entries.map((e) => [Number(e.height), e.sum])).toEqual([
      [7, "vote"],
      [7, "proposalBlock"],
      [7, "vote"],
    ]);
    expect(entries[2]!.vote![0]).toBe(3);
  });

  it("cuts a torn tail (a partial frame) and keeps appending after it", async () => {
    const { wal } = await Wal.open(path);
    await wal.append(vote(2, 1), true);
    await wal.append(vote(2, 2), true);
    await wal.close();
    const intact = statSync(path).size;
    // A crash in the middle of writing the third frame: header and half of the payload.
    const frame = encodeFrame(vote(2, 3));
    appendFileSync(path, frame.subarray(0, frame.length - 17));

    const reopened = await Wal.open(path);
    expect(reopened.truncatedBytes).toBe(frame.length - 17);
    expect(reopened.entries).toHaveLength(2);
    expect(statSync(path).size).toBe(intact);
    await reopened.wal.append(vote(2, 4), true);
    await reopened.wal.close();
    const last = await Wal.open(path);
    await last.wal.close();
    expect(last.entries.map((e) => e.vote![0])).toEqual([1, 2, 4]);
  });

  it("drops a last frame whose checksum does not match (a torn write of the right length)", async () => {
    const { wal } = await Wal.open(path);
    await wal.append(vote(2, 1), true);
    await wal.append(vote(2, 2), true);
    await wal.close();
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    const { entries, truncatedBytes, wal: again } = await Wal.open(path);
    await again.close();
    expect(entries.map((e) => e.vote![0])).toEqual([1]);
    expect(truncatedBytes).toBe(encodeFrame(vote(2, 2)).length);
  });

  it("keeps only the end_height marker after a height is committed", async () => {
    const { wal } = await Wal.open(path);
    for (let i = 0; i < 50; i++) await wal.append(vote(9, i), false);
    await wal.endHeight(9);
    await wal.append(vote(10, 1), true);
    await wal.close();
    const { entries, wal: again } = await Wal.open(path);
    await again.close();
    expect(entries.map((e) => [Number(e.height), e.sum])).toEqual([
      [9, "endHeight"],
      [10, "vote"],
    ]);
  });
});
