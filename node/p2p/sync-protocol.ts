// The messages of the two request/response protocols, /kyochi/<chain>/status/1 and
// /kyochi/<chain>/blocks/1, and the rules both ends apply to them. Everything is decoded
// canonically; anything malformed throws, and the host scores the peer that sent it.
import type { SyncedBlock } from "../../consensus/driver/transport.js";
import { decodeCanonical, encode } from "../../proto/canonical.js";
import { BlocksRequest, BlocksResponse, StatusRequest, StatusResponse, SyncedBlockMsg } from "./wire.js";

export const STATUS_REQUEST_MAX_BYTES = 64;
export const STATUS_RESPONSE_MAX_BYTES = 1024;
export const BLOCKS_REQUEST_MAX_BYTES = 64;

export interface ChainStatus {
  chainId: string;
  base: number;
  height: number;
}

export function encodeStatusRequest(): Uint8Array {
  return encode(StatusRequest, StatusRequest.create());
}

export function answerStatus(request: Uint8Array, status: ChainStatus): Uint8Array {
  decodeCanonical<StatusRequest>(StatusRequest, request, "status request");
  return encode(StatusResponse, StatusResponse.create(status));
}

export function parseStatus(bytes: Uint8Array): ChainStatus {
  const s = decodeCanonical<StatusResponse>(StatusResponse, bytes, "status response");
  // base = height + 1 is a node with no blocks yet (base 1, height 0).
  if (s.base > s.height + 1) throw new Error(`status base ${s.base} above height ${s.height}`);
  return { chainId: s.chainId, base: s.base, height: s.height };
}

export function encodeBlocksRequest(from: number, count: number): Uint8Array {
  return encode(BlocksRequest, BlocksRequest.create({ from, count }));
}

export function parseBlocksRequest(bytes: Uint8Array): { from: number; count: number } {
  const r = decodeCanonical<BlocksRequest>(BlocksRequest, bytes, "blocks request");
  return { from: r.from, count: r.count };
}

/**
 * The response to a blocks request: the provider's blocks in order, at most `maxBlocks` and about
 * `maxBytes` (always at least one block, so a block bigger than the cap still syncs).
 */
export function encodeBlocksResponse(blocks: SyncedBlock[], maxBlocks: number, maxBytes: number): Uint8Array {
  const out: SyncedBlockMsg[] = [];
  let bytes = 0;
  for (const b of blocks.slice(0, maxBlocks)) {
    const size = b.block.length + b.commit.length + 16;
    if (out.length > 0 && bytes + size > maxBytes) break;
    out.push(SyncedBlockMsg.create({ block: b.block, commit: b.commit }));
    bytes += size;
  }
  return encode(BlocksResponse, BlocksResponse.create({ blocks: out }));
}

/** Decodes a blocks response to a request for `asked` blocks; throws when it is malformed. */
export function parseBlocksResponse(bytes: Uint8Array, asked: number): SyncedBlock[] {
  const r = decodeCanonical<BlocksResponse>(BlocksResponse, bytes, "blocks response");
  const blocks = r.blocks ?? [];
  if (blocks.length > asked) throw new Error(`${blocks.length} blocks for ${asked} asked`);
  return blocks.map((b) => ({ block: plain(b.block), commit: plain(b.commit) }));
}

// protobufjs decodes bytes as Node Buffers; callers get plain Uint8Array views (no copy).
function plain(bytes: Uint8Array | null | undefined): Uint8Array {
  return bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : new Uint8Array(0);
}
