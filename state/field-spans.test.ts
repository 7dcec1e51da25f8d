import { describe, expect, it } from "vitest";
import { encode } from "../proto/canonical.js";
import { Block, BlockResults } from "../proto/index.js";
import { StateError } from "./errors.js";
import { RecentFieldSpans, repeatedFieldSpans } from "./field-spans.js";

describe("repeatedFieldSpans", () => {
  it("finds each element of a repeated field between the message's other fields", () => {
    const txs = [Uint8Array.of(1, 2, 3), new Uint8Array(0), new Uint8Array(200).fill(9)];
    const bytes = encode(
      Block,
      Block.create({
        header: { chainId: "c", height: 5 },
        txs,
        lastCommit: { height: 4, blockHash: new Uint8Array(32).fill(2) },
      }),
    );
    const spans = repeatedFieldSpans(bytes, 2, "block");
    expect(spans.starts.map((s, i) => Buffer.from(bytes.subarray(s, spans.ends[i])))).toEqual(
      txs.map((t) => Buffer.from(t)),
    );
  });

  it("reports bytes that are not a protobuf message as corrupt data", () => {
    const bytes = encode(
      BlockResults,
      BlockResults.create({ height: 1, txResults: [{ code: 1, log: "x" }] }),
    );
    for (const bad of [bytes.subarray(0, bytes.length - 1), Uint8Array.of(0x12, 0x7f, 1)]) {
      let caught: unknown;
      try {
        repeatedFieldSpans(bad, 2, "block results 1");
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StateError);
      expect((caught as StateError).code).toBe("CORRUPT_DATA");
    }
  });
});

describe("RecentFieldSpans", () => {
  it("reads each of the last records once for every element looked up in it, and copies what it returns", async () => {
    const bytes = encode(
      Block,
      Block.create({ txs: [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)] }),
    );
    const loads: number[] = [];
    const loader = (height: number) => async () => {
      loads.push(height);
      return bytes;
    };
    const recent = new RecentFieldSpans(2, "block", 2);
    const got = [
      await recent.element(8, 0, loader(8)),
      await recent.element(8, 2, loader(8)),
      await recent.element(8, 3, loader(8)),
    ];
    expect(got.map((g) => (g ? [...g] : undefined))).toEqual([[1], [3], undefined]);
    expect(loads).toEqual([8]);
    got[0]![0] = 99;
    expect(bytes.includes(99)).toBe(false);
    // Two records are kept: 8 and 9 alternate without reloads; a third (10) displaces the first in.
    await recent.element(9, 0, loader(9));
    await recent.element(8, 1, loader(8));
    await recent.element(9, 1, loader(9));
    expect(loads).toEqual([8, 9]);
    await recent.element(10, 0, loader(10));
    await recent.element(9, 0, loader(9));
    await recent.element(8, 0, loader(8));
    expect(loads).toEqual([8, 9, 10, 8]);
    expect(await recent.element(11, 0, async () => undefined)).toBeUndefined();
  });

  it("keeps fewer records when they are large, but always the last one read", async () => {
    const big = encode(Block, Block.create({ txs: [new Uint8Array(600).fill(1), Uint8Array.of(2)] }));
    const loads: number[] = [];
    const loader = (height: number) => async () => {
      loads.push(height);
      return big;
    };
    // Room for 4 records by count, but only for one of these by bytes.
    const recent = new RecentFieldSpans(2, "block", 4, big.length + 10);
    await recent.element(1, 1, loader(1));
    await recent.element(2, 1, loader(2));
    await recent.element(2, 0, loader(2));
    await recent.element(1, 0, loader(1));
    expect(loads).toEqual([1, 2, 1]);
    const tiny = new RecentFieldSpans(2, "block", 4, 1);
    expect([...((await tiny.element(5, 1, loader(5))) ?? [])]).toEqual([2]);
    expect([...((await tiny.element(5, 1, loader(5))) ?? [])]).toEqual([2]);
    expect(loads).toEqual([1, 2, 1, 5]);
  });
});
