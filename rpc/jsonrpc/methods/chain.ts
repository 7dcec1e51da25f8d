// chain_status, chain_getBlock, chain_getBlockResults, chain_getCommit.
import { RpcError } from "../../errors.js";
import type { BlockTxsDetail } from "../../types.js";
import { optionalEnum, optionalHeight, readParams, requiredHeight } from "../params.js";
import { renderBlock, renderBlockResults, renderBlockTxHashes, renderCommit } from "../render/block.js";
import { hex, isoTime } from "../render/values.js";
import { assertCommitted, latestCommitted, type MethodHandler } from "./context.js";

export const chainStatus: MethodHandler<"chain_status"> = async (raw, { backend }) => {
  readParams(raw, []);
  const s = await backend.status();
  return {
    chainId: s.chainId,
    nodeVersion: s.nodeVersion,
    latestBlockHeight: s.latestHeight,
    latestBlockHash: hex(s.latestBlockHash),
    latestAppHash: hex(s.latestAppHash),
    latestBlockTimeMs: s.latestBlockTimeMs,
    latestBlockTime: isoTime(s.latestBlockTimeMs),
    earliestBlockHeight: s.earliestHeight,
    catchingUp: s.catchingUp,
    validatorAddress: hex(s.validatorAddress),
    ...(s.mempool !== undefined ? { mempool: { size: s.mempool.size, bytes: s.mempool.bytes } } : {}),
  };
};

function notStored(what: string, height: number): RpcError {
  return new RpcError("HEIGHT_NOT_AVAILABLE", `${what} of height ${height} is not stored (pruned)`, {
    height,
  });
}

const TXS_DETAIL: readonly BlockTxsDetail[] = ["full", "hashes"];

export const chainGetBlock: MethodHandler<"chain_getBlock"> = async (raw, ctx) => {
  const params = readParams(raw, ["height", "txs"]);
  const height = optionalHeight(params, "height") ?? latestCommitted(ctx);
  const detail = optionalEnum(params, "txs", TXS_DETAIL, "full");
  assertCommitted(ctx, height);
  const stored = await ctx.backend.getBlock(height);
  if (stored === undefined) throw notStored("the block", height);
  return detail === "hashes"
    ? renderBlockTxHashes(stored.block, stored.blockHash)
    : renderBlock(stored.block, stored.blockHash);
};

export const chainGetBlockResults: MethodHandler<"chain_getBlockResults"> = async (raw, ctx) => {
  const params = readParams(raw, ["height"]);
  const height = requiredHeight(params, "height");
  assertCommitted(ctx, height);
  const [results, stored] = await Promise.all([
    ctx.backend.getBlockResults(height),
    ctx.backend.getBlock(height),
  ]);
  if (results === undefined) throw notStored("the results", height);
  return renderBlockResults(results, stored?.block.txs);
};

export const chainGetCommit: MethodHandler<"chain_getCommit"> = async (raw, ctx) => {
  const params = readParams(raw, ["height"]);
  const height = optionalHeight(params, "height") ?? latestCommitted(ctx);
  assertCommitted(ctx, height);
  const commit = renderCommit(await ctx.backend.getCommit(height));
  if (commit === null) throw notStored("the commit", height);
  return commit;
};
