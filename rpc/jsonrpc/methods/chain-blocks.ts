// chain_getBlocks: an explorer's block list, one page of block summaries at a time over a height
// range. The range is clamped to the stored blocks ([earliest stored, latest committed]); the
// cursor is the next height to read, so a page never depends on blocks committed or pruned after
// the previous one (new blocks only extend an open range upwards).
import { RpcError } from "../../errors.js";
import type { BlockSummaryJson } from "../../types.js";
import { optionalEnum, optionalHeight, optionalInteger, type Params, readParams } from "../params.js";
import { renderBlockSummary } from "../render/block.js";
import type { MethodHandler } from "./context.js";

export const MAX_BLOCKS_PAGE = 100;
export const DEFAULT_BLOCKS_PAGE = 20;
const ORDERS = ["asc", "desc"] as const;
const CURSOR = /^[1-9][0-9]{0,15}$/;

export const chainGetBlocks: MethodHandler<"chain_getBlocks"> = async (raw, { backend }) => {
  const params = readParams(raw, ["minHeight", "maxHeight", "order", "limit", "cursor"]);
  const minHeight = optionalHeight(params, "minHeight");
  const maxHeight = optionalHeight(params, "maxHeight");
  if (minHeight !== undefined && maxHeight !== undefined && minHeight > maxHeight) {
    throw RpcError.invalidParam(
      "maxHeight",
      "CONFLICT",
      `"maxHeight" (${maxHeight}) is below "minHeight" (${minHeight})`,
    );
  }
  const order = optionalEnum(params, "order", ORDERS, "desc");
  const limit = optionalInteger(params, "limit", 1, MAX_BLOCKS_PAGE) ?? DEFAULT_BLOCKS_PAGE;
  const cursor = parseCursor(params);

  const latest = backend.latestHeight();
  if (latest < 1) return { blocks: [], nextCursor: null };
  const earliest = Math.max(1, (await backend.status()).earliestHeight);
  const low = Math.max(minHeight ?? earliest, earliest);
  const high = Math.min(maxHeight ?? latest, latest);

  const heights: number[] = [];
  if (order === "desc") {
    for (let h = Math.min(cursor ?? high, high); h >= low && heights.length < limit; h--) heights.push(h);
  } else {
    for (let h = Math.max(cursor ?? low, low); h <= high && heights.length < limit; h++) heights.push(h);
  }
  const stored = await Promise.all(heights.map((h) => backend.getBlock(h)));
  const blocks: BlockSummaryJson[] = [];
  for (const block of stored) {
    // Missing: pruned since `earliest` was read. Going down, every lower height is gone too.
    if (block === undefined) {
      if (order === "desc") return { blocks, nextCursor: null };
      continue;
    }
    blocks.push(renderBlockSummary(block.block, block.blockHash));
  }
  const last = heights.at(-1);
  let next: number | undefined;
  if (last !== undefined) next = order === "desc" ? last - 1 : last + 1;
  const more = next !== undefined && next >= low && next <= high;
  return { blocks, nextCursor: more ? String(next) : null };
};

function parseCursor(params: Params): number | undefined {
  const value = params.cursor;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw RpcError.invalidParam("cursor", "WRONG_TYPE", '"cursor" must be a string (a nextCursor)');
  }
  const height = CURSOR.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(height)) {
    throw RpcError.invalidParam(
      "cursor",
      "BAD_VALUE",
      `"cursor" must be a nextCursor of chain_getBlocks (a height), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return height;
}
