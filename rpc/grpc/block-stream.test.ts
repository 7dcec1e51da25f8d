// ChainService.StreamBlocks against the in-memory chain: stored blocks then live ones, every
// height once and in order across 100 blocks, refusals of bad start heights, and a stream that
// ends when the server closes.
import { type ClientReadableStream, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { kyochi } from "../../proto/index.js";
import { MemoryChain } from "../testing/memory-chain.js";
import { failureOf, RawGrpcClient } from "./client-fixture.js";
import { CHAIN_SERVICE, type GrpcServer, startGrpcServer } from "./server.js";

const pb = kyochi.chain.v1;
const PATH = `/${CHAIN_SERVICE}/StreamBlocks`;

let chain: MemoryChain;
let server: GrpcServer;
let client: RawGrpcClient;

function open(fromHeight: number): ClientReadableStream<Buffer> {
  return client.stream(PATH, pb.StreamBlocksRequest.encode({ fromHeight }).finish());
}

/** The next `count` messages of `stream`, then cancels it. */
function take(
  stream: ClientReadableStream<Buffer>,
  count: number,
  onEach: (m: kyochi.chain.v1.StreamBlocksResponse) => void = () => {},
): Promise<kyochi.chain.v1.StreamBlocksResponse[]> {
  const got: kyochi.chain.v1.StreamBlocksResponse[] = [];
  return new Promise((resolve, reject) => {
    stream.on("data", (bytes: Buffer) => {
      const m = pb.StreamBlocksResponse.decode(bytes);
      got.push(m);
      onEach(m);
      if (got.length === count) {
        stream.cancel();
        resolve(got);
      }
    });
    stream.on("error", (err: { code: number }) => {
      if (err.code !== status.CANCELLED) reject(err);
    });
  });
}

let subscriptions = 0;

/** Resolves once a stream opened after `before` subscriptions has subscribed (it then misses nothing). */
async function subscribed(before: number): Promise<void> {
  while (subscriptions <= before) await new Promise((r) => setTimeout(r, 5));
}

/** Hex of a decoded bytes field (nested messages type their fields as optional). */
const hexOf = (bytes: Uint8Array | null | undefined) => toHex(bytes ?? new Uint8Array());

beforeAll(async () => {
  chain = new MemoryChain({ chainId: "kyochi-stream" });
  for (let i = 0; i < 3; i++) await chain.commitBlock();
  const onCommitted = chain.onCommitted.bind(chain);
  chain.onCommitted = (listener) => {
    subscriptions++;
    return onCommitted(listener);
  };
  server = await startGrpcServer({ backend: chain, port: 0 });
  client = new RawGrpcClient(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("StreamBlocks", () => {
  it("sends the stored blocks, then 100 new ones as they commit: every height once, in order, chained", async () => {
    const target = 3 + 100;
    // Commits go on while the stream replays and while it follows: 10 blocks per received one
    // at first, so the stream falls behind the tip and must catch up from the store.
    let committing = Promise.resolve();
    const got = await take(open(1), target, (m) => {
      if (m.height === 2) {
        committing = (async () => {
          while (chain.latestHeight() < target) {
            await chain.commitBlock();
            if (chain.latestHeight() % 10 === 0) await new Promise((r) => setImmediate(r));
          }
        })();
      }
    });
    await committing;
    expect(got.map((m) => m.height)).toEqual(Array.from({ length: target }, (_, i) => i + 1));
    for (let i = 1; i < got.length; i++) {
      expect(hexOf(got[i]!.block!.header!.lastBlockHash)).toBe(hexOf(got[i - 1]!.blockHash));
      expect(got[i]!.results?.height).toBe(got[i]!.height);
    }
    const stored = await chain.getBlock(50);
    expect(toHex(got[49]!.blockHash)).toBe(toHex(stored!.blockHash));
  });

  it("from_height 0 starts at the next block", async () => {
    const latest = chain.latestHeight();
    const listeners = subscriptions;
    const got = take(open(0), 2);
    await subscribed(listeners);
    await chain.commitBlock();
    await chain.commitBlock();
    expect((await got).map((m) => m.height)).toEqual([latest + 1, latest + 2]);
  });

  it("refuses a start beyond the next block, and a pruned one", async () => {
    const ahead = await failureOf(take(open(chain.latestHeight() + 2), 1));
    expect(ahead).toMatchObject({ code: status.OUT_OF_RANGE, stable: "HEIGHT_NOT_COMMITTED" });
    chain.earliestHeight = 5;
    try {
      const pruned = await failureOf(take(open(2), 1));
      expect(pruned).toMatchObject({ code: status.FAILED_PRECONDITION, stable: "HEIGHT_PRUNED" });
    } finally {
      chain.earliestHeight = 1;
    }
  });

  it("an open stream ends when the server closes", async () => {
    const other = await startGrpcServer({ backend: chain, port: 0 });
    const otherClient = new RawGrpcClient(other.address);
    try {
      const listeners = subscriptions;
      const stream = otherClient.stream(PATH, pb.StreamBlocksRequest.encode({}).finish());
      const ended = new Promise<string>((resolve) => {
        stream.on("data", () => {});
        stream.on("end", () => resolve("end"));
        stream.on("error", (err: { code: number }) => resolve(`error ${err.code}`));
      });
      await subscribed(listeners);
      await other.close();
      expect(await ended).toBe("end");
    } finally {
      otherClient.close();
    }
  });
});
