// ChainService.StreamBlocks: the stored blocks from `from_height` on, then every block as it
// commits, each exactly once and in height order. One cursor (`next`) drives it: whatever is
// committed at or below the latest height is sent, from the commit feed's recent blocks when it
// has them, else from the block store; when the cursor reaches the tip, it waits for the feed to
// announce the next commit. Nothing is buffered per subscriber beyond a few recent blocks shared
// with the feed: a slow reader holds the stream back (HTTP/2 flow control), never the node, and
// one that falls behind the node's pruning gets FAILED_PRECONDITION.
import type { ServerWritableStream } from "@grpc/grpc-js";
import { kyochi } from "../../proto/index.js";
import type { CommittedBlock } from "../backend.js";
import type { GrpcContext } from "./context.js";
import { GrpcError } from "./errors.js";
import { pruned } from "./heights.js";

type Response = kyochi.chain.v1.StreamBlocksResponse;
const Response = kyochi.chain.v1.StreamBlocksResponse;

/** Recent commits kept to answer a live subscriber without reading the store back. */
const RECENT_COMMITS = 16;

export async function streamBlocks(
  ctx: GrpcContext,
  fromHeight: number,
  call: ServerWritableStream<kyochi.chain.v1.StreamBlocksRequest, Response>,
): Promise<void> {
  const { backend } = ctx;
  const latestAtStart = backend.latestHeight();
  if (fromHeight > latestAtStart + 1) {
    throw new GrpcError(
      "HEIGHT_NOT_COMMITTED",
      `from_height ${fromHeight} is beyond the next block (latest is ${latestAtStart})`,
    );
  }
  let next = fromHeight === 0 ? latestAtStart + 1 : fromHeight;
  const recent = new Map<number, CommittedBlock>();
  let announced = 0;
  let wake: (() => void) | undefined;
  let ended = false;
  const end = () => {
    ended = true;
    wake?.();
  };
  // Subscribed before the first read, so no commit between the read and the wait is missed.
  const unsubscribe = backend.onCommitted((committed) => {
    recent.set(committed.height, committed);
    recent.delete(committed.height - RECENT_COMMITS);
    announced = Math.max(announced, committed.height);
    wake?.();
  });
  call.on("cancelled", end);
  call.on("close", end);
  void ctx.closing.then(end);
  try {
    while (!ended) {
      // The feed may announce a block before the backend's latest height moves on.
      if (next > Math.max(backend.latestHeight(), announced)) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const message = await blockAt(ctx, next, recent.get(next));
      if (ended) break;
      if (!call.write(message)) {
        // Wait for the client to read (or to go away) before producing more.
        let onDrain = () => {};
        await new Promise<void>((resolve) => {
          wake = resolve;
          onDrain = resolve;
          call.once("drain", onDrain);
        });
        call.off("drain", onDrain);
        wake = undefined;
      }
      next++;
    }
  } finally {
    unsubscribe();
  }
}

async function blockAt(
  ctx: GrpcContext,
  height: number,
  live: CommittedBlock | undefined,
): Promise<Response> {
  if (live !== undefined) {
    return Response.create({
      height,
      blockHash: live.block.blockHash,
      block: live.block.block,
      results: live.results,
    });
  }
  const [stored, results] = await Promise.all([
    ctx.backend.getBlock(height),
    ctx.backend.getBlockResults(height),
  ]);
  if (stored === undefined || results === undefined) throw pruned("the block", height);
  return Response.create({ height, blockHash: stored.blockHash, block: stored.block, results });
}
