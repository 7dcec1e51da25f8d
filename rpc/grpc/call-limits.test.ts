// The gRPC server's limits: a unary call over grpc.max_concurrent_requests is refused at once with
// RESOURCE_EXHAUSTED / SERVER_BUSY while the others finish (and health checks still pass), a
// StreamBlocks over grpc.max_streams is refused while the open one keeps receiving blocks, both
// caps free up once calls end, and the per-connection stream cap is announced in HTTP/2 SETTINGS.
import { connect, type Settings } from "node:http2";
import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kyochi } from "../../proto/index.js";
import { MemoryChain } from "../testing/memory-chain.js";
import { failureOf, RawGrpcClient } from "./client-fixture.js";
import { CHAIN_SERVICE, type GrpcServer, startGrpcServer } from "./server.js";

const pb = kyochi.chain.v1;
const GET_STATUS = `/${CHAIN_SERVICE}/GetStatus`;
const STREAM = `/${CHAIN_SERVICE}/StreamBlocks`;
const MAX_CALLS = 3;
const PER_CONNECTION = 7;

let chain: MemoryChain;
let server: GrpcServer;
let client: RawGrpcClient;
/** While set, GetStatus waits for it: a slow call holding its slot. */
let hold: Promise<void> | undefined;
let held = 0;

const getStatus = () => client.call(GET_STATUS, pb.GetStatusRequest, {}, pb.GetStatusResponse);

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

/** A StreamBlocks call, its messages' heights as they come, and how it ended (status code). */
function openStream(fromHeight: number) {
  const stream = client.stream(STREAM, pb.StreamBlocksRequest.encode({ fromHeight }).finish());
  const heights: number[] = [];
  const first = new Promise<void>((resolve) => {
    stream.on("data", (bytes: Buffer) => {
      heights.push(pb.StreamBlocksResponse.decode(bytes).height);
      resolve();
    });
  });
  const ended = failureOf(new Promise((resolve, reject) => stream.on("error", reject).on("end", resolve)));
  return { stream, heights, first, ended };
}

beforeAll(async () => {
  chain = new MemoryChain({ chainId: "kyochi-limits" });
  await chain.commitBlock();
  const status = chain.status.bind(chain);
  chain.status = async () => {
    if (hold !== undefined) {
      held++;
      await hold;
    }
    return status();
  };
  server = await startGrpcServer({
    backend: chain,
    port: 0,
    maxConcurrentRequests: MAX_CALLS,
    maxStreams: 1,
    maxStreamsPerConnection: PER_CONNECTION,
  });
  client = new RawGrpcClient(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("gRPC limits", () => {
  it("refuses the call over max_concurrent_requests with SERVER_BUSY, never queues it, then serves again", async () => {
    let release = () => {};
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const outcomes = Array.from({ length: MAX_CALLS + 1 }, () =>
      getStatus().then(
        () => "ok",
        (err: unknown) => failureOf(Promise.reject(err)),
      ),
    );
    let refused: unknown;
    for (const o of outcomes)
      void o.then((r) => {
        if (r !== "ok") refused = r;
      });
    // The refusal comes while the others are still held: it did not wait for a slot.
    await until(() => held === MAX_CALLS && refused !== undefined);
    expect(refused).toMatchObject({ code: status.RESOURCE_EXHAUSTED, stable: "SERVER_BUSY" });
    // Health checks are not counted: a load balancer still sees SERVING (status 1) on a busy node.
    expect([...(await client.bytes("/grpc.health.v1.Health/Check", new Uint8Array()))]).toEqual([8, 1]);
    hold = undefined;
    release();
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => r === "ok")).toHaveLength(MAX_CALLS);
    // Every slot was given back: a full round of calls at once is served.
    const again = await Promise.all(Array.from({ length: MAX_CALLS }, getStatus));
    expect(again.map((s) => s.chainId)).toEqual(Array(MAX_CALLS).fill("kyochi-limits"));
  });

  it("refuses a stream over max_streams while the open one keeps receiving blocks", async () => {
    const open = openStream(1);
    await open.first;
    const refused = openStream(1);
    expect(await refused.ended).toMatchObject({
      code: status.RESOURCE_EXHAUSTED,
      stable: "TOO_MANY_STREAMS",
    });
    const next = await chain.commitBlock();
    await until(() => open.heights.includes(next));
    expect(open.heights).toEqual([1, next]);
    // Unary calls have their own cap: a stream does not take their slots.
    expect((await getStatus()).latestHeight).toBe(next);
    open.stream.cancel();
    expect((await open.ended).code).toBe(status.CANCELLED);
    // The slot is back once the server has seen the cancel (a moment after the client did).
    let accepted = false;
    for (let i = 0; i < 50 && !accepted; i++) {
      const after = openStream(next);
      const outcome = await Promise.race([
        after.ended.then((e) => e.stable),
        after.first.then(() => "served"),
      ]);
      after.stream.cancel();
      await after.ended;
      accepted = outcome === "served";
      if (!accepted) expect(outcome).toBe("TOO_MANY_STREAMS");
    }
    expect(accepted).toBe(true);
  });

  it("announces max_streams_per_connection as the connection's HTTP/2 stream limit", async () => {
    const session = connect(`http://${server.address}`);
    try {
      const settings = await new Promise<Settings>((resolve, reject) => {
        session.once("remoteSettings", resolve);
        session.once("error", reject);
      });
      expect(settings.maxConcurrentStreams).toBe(PER_CONNECTION);
    } finally {
      session.close();
    }
  });
});
