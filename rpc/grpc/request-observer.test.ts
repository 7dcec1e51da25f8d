// The gRPC server's request observer (what the node's metrics count): every call of a kyochi
// method is reported once, when answered, with its path, its status name and a duration; a stream
// once it ends (cancelled by the client, failed, or ended by the server closing); malformed bytes
// too; unknown methods never; and an observer that throws costs the client nothing.
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kyochi } from "../../proto/index.js";
import type { RpcLogger } from "../logger.js";
import { MemoryChain } from "../testing/memory-chain.js";
import { failureOf, RawGrpcClient } from "./client-fixture.js";
import { CHAIN_SERVICE, type GrpcServer, startGrpcServer } from "./server.js";

const pb = kyochi.chain.v1;
const GET_STATUS = `/${CHAIN_SERVICE}/GetStatus`;
const GET_BLOCK = `/${CHAIN_SERVICE}/GetBlock`;
const STREAM = `/${CHAIN_SERVICE}/StreamBlocks`;

interface Seen {
  method: string;
  code: string;
  seconds: number;
}

let chain: MemoryChain;
let server: GrpcServer;
let client: RawGrpcClient;
const seen: Seen[] = [];
const errors: string[] = [];
let throwing = false;

const logger: RpcLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (_obj, msg) => {
    errors.push(msg ?? "");
  },
};

/** Waits (briefly) until `n` calls were reported: a stream's end is reported after the client saw it. */
async function reported(n: number): Promise<Seen[]> {
  for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  return seen.splice(0);
}

/** Opens StreamBlocks from `fromHeight` and resolves with the first message's height and the stream. */
function firstBlock(fromHeight: number) {
  const stream = client.stream(STREAM, pb.StreamBlocksRequest.encode({ fromHeight }).finish());
  const ended = new Promise<number>((resolve) => {
    stream.on("error", (err: { code: number }) => resolve(err.code));
    stream.on("end", () => resolve(status.OK));
  });
  const first = new Promise<number>((resolve) => {
    stream.once("data", (bytes: Buffer) => resolve(pb.StreamBlocksResponse.decode(bytes).height));
  });
  return { stream, first, ended };
}

beforeAll(async () => {
  chain = new MemoryChain({ chainId: "kyochi-observer" });
  await chain.commitBlock();
  server = await startGrpcServer({
    backend: chain,
    port: 0,
    logger,
    onRequest: (method, code, seconds) => {
      seen.push({ method, code, seconds });
      if (throwing) throw new Error("observer bug");
    },
  });
  client = new RawGrpcClient(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("the gRPC request observer", () => {
  it("reports unary calls once each, with their status name and a duration", async () => {
    await client.call(GET_STATUS, pb.GetStatusRequest, {}, pb.GetStatusResponse);
    expect(
      (await failureOf(client.call(GET_BLOCK, pb.GetBlockRequest, { height: 9 }, pb.GetBlockResponse))).code,
    ).toBe(status.OUT_OF_RANGE);
    await failureOf(client.bytes(GET_BLOCK, new Uint8Array([0x12, 0x7f, 0x01])));
    await failureOf(client.bytes(`/${CHAIN_SERVICE}/NoSuchMethod`, new Uint8Array()));
    const calls = await reported(3);
    expect(calls.map(({ method, code }) => ({ method, code }))).toEqual([
      { method: GET_STATUS, code: "OK" },
      { method: GET_BLOCK, code: "OUT_OF_RANGE" },
      { method: GET_BLOCK, code: "INVALID_ARGUMENT" },
    ]);
    for (const c of calls) expect(c.seconds).toBeGreaterThanOrEqual(0);
  });

  it("reports a stream once, when it ends: cancelled by the client, or refused", async () => {
    const { stream, first, ended } = firstBlock(1);
    expect(await first).toBe(1);
    // Still open: nothing reported while it waits for the next block.
    await chain.commitBlock();
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([]);
    stream.cancel();
    expect(await ended).toBe(status.CANCELLED);
    const refused = firstBlock(99);
    expect(await refused.ended).toBe(status.OUT_OF_RANGE);
    expect((await reported(2)).map(({ method, code }) => ({ method, code }))).toEqual([
      { method: STREAM, code: "CANCELLED" },
      { method: STREAM, code: "OUT_OF_RANGE" },
    ]);
  });

  it("an observer that throws is logged; the client still gets its answer", async () => {
    throwing = true;
    try {
      const s = await client.call(GET_STATUS, pb.GetStatusRequest, {}, pb.GetStatusResponse);
      expect(s.chainId).toBe("kyochi-observer");
    } finally {
      throwing = false;
    }
    expect(await reported(1)).toHaveLength(1);
    expect(errors).toEqual(["grpc request observer failed"]);
  });

  it("reports a stream the server ends when it closes as OK", async () => {
    const next = chain.latestHeight() + 1;
    const { first, ended } = firstBlock(next);
    await chain.commitBlock();
    expect(await first).toBe(next);
    await server.close();
    expect(await ended).toBe(status.OK);
    expect((await reported(1)).map(({ method, code }) => ({ method, code }))).toEqual([
      { method: STREAM, code: "OK" },
    ]);
  });
});
