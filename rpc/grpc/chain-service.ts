// kyochi.chain.v1.ChainService: the node's status, blocks (by height or hash), block results,
// commits, validator sets and state proofs, as the project's protobuf messages; StreamBlocks is
// in block-stream.ts.
import { fromHex } from "../../crypto/hash.js";
import { kyochi } from "../../proto/index.js";
import type { ValidatorEntry } from "../backend.js";
import { chainGetBlocks } from "../jsonrpc/methods/chain-blocks.js";
import type { RpcLogger } from "../logger.js";
import type { BlockSummaryJson } from "../types.js";
import { streamBlocks } from "./block-stream.js";
import type { GrpcContext } from "./context.js";
import { type DefinedService, defineService, serverStream, unary } from "./define.js";
import { GrpcError } from "./errors.js";
import { committedHeight, optionalCommittedHeight, pruned } from "./heights.js";
import { paramsOf } from "./request-params.js";

const pb = kyochi.chain.v1;
export const CHAIN_SERVICE = "kyochi.chain.v1.ChainService";

const HASH_BYTES = 32;
/** State keys are short (a prefix byte and an id); anything longer cannot be in the tree. */
const MAX_KEY_BYTES = 1024;

export function chainService(ctx: GrpcContext, logger?: RpcLogger): DefinedService {
  const { backend } = ctx;
  return defineService(
    CHAIN_SERVICE,
    {
      GetStatus: unary(pb.GetStatusRequest, pb.GetStatusResponse, async () => {
        const s = await backend.status();
        return pb.GetStatusResponse.create({
          chainId: s.chainId,
          nodeVersion: s.nodeVersion,
          latestHeight: s.latestHeight,
          latestBlockHash: s.latestBlockHash,
          latestAppHash: s.latestAppHash,
          latestBlockTimeMs: s.latestBlockTimeMs,
          earliestHeight: s.earliestHeight,
          catchingUp: s.catchingUp,
          validatorAddress: s.validatorAddress,
          mempoolSize: s.mempool?.size ?? 0,
          mempoolBytes: s.mempool?.bytes ?? 0,
        });
      }),

      GetBlock: unary(pb.GetBlockRequest, pb.GetBlockResponse, async (req) => {
        if (req.hash.length > 0) {
          if (req.height !== 0)
            throw new GrpcError("INVALID_ARGUMENT", "give either height or hash, not both");
          if (req.hash.length !== HASH_BYTES)
            throw new GrpcError(
              "INVALID_ARGUMENT",
              `hash must be ${HASH_BYTES} bytes, got ${req.hash.length}`,
            );
          const stored = await backend.getBlockByHash(req.hash);
          if (stored === undefined)
            throw new GrpcError(
              "NOT_FOUND",
              `no stored block with hash ${Buffer.from(req.hash).toString("hex")}`,
            );
          return pb.GetBlockResponse.create({
            height: stored.block.header?.height ?? 0,
            blockHash: stored.blockHash,
            block: stored.block,
          });
        }
        const height = committedHeight(backend, req.height);
        const stored = await backend.getBlock(height);
        if (stored === undefined) throw pruned("the block", height);
        return pb.GetBlockResponse.create({ height, blockHash: stored.blockHash, block: stored.block });
      }),

      // chain_getBlocks checks the params (heights, order, limit, cursor) and reads the page; its
      // summaries are answered with bytes where the JSON has hex.
      GetBlocks: unary(pb.GetBlocksRequest, pb.GetBlocksResponse, async (req) => {
        const page = await chainGetBlocks(paramsOf(pb.GetBlocksRequest, req), ctx);
        return pb.GetBlocksResponse.create({
          blocks: page.blocks.map(blockSummaryMessage),
          ...(page.nextCursor !== null ? { nextCursor: page.nextCursor } : {}),
        });
      }),

      GetBlockResults: unary(pb.GetBlockResultsRequest, pb.GetBlockResultsResponse, async (req) => {
        const height = committedHeight(backend, req.height);
        const results = await backend.getBlockResults(height);
        if (results === undefined) throw pruned("the results", height);
        return pb.GetBlockResultsResponse.create({ results });
      }),

      GetValidators: unary(pb.GetValidatorsRequest, pb.GetValidatorsResponse, async (req) => {
        const latest = backend.latestHeight();
        // The set of the next height is decided by the last commit; anything later is not.
        if (req.height > latest + 1) {
          throw new GrpcError(
            "HEIGHT_NOT_COMMITTED",
            `the validators of height ${req.height} are not decided yet (sets are known up to ${latest + 1})`,
          );
        }
        const answer = await backend.getValidators(req.height === 0 ? Math.max(latest, 1) : req.height);
        return pb.GetValidatorsResponse.create({
          height: answer.height,
          validators: answer.validators.map(validatorMessage),
        });
      }),

      GetCommit: unary(pb.GetCommitRequest, pb.GetCommitResponse, async (req) => {
        const height = committedHeight(backend, req.height);
        const commit = await backend.getCommit(height);
        if (commit === undefined) throw pruned("the commit", height);
        return pb.GetCommitResponse.create({ commit });
      }),

      GetProof: unary(pb.GetProofRequest, pb.GetProofResponse, async (req) => {
        if (req.key.length === 0 || req.key.length > MAX_KEY_BYTES)
          throw new GrpcError("INVALID_ARGUMENT", `key must be 1 to ${MAX_KEY_BYTES} bytes`);
        const answer = await backend.getProof(req.key, optionalCommittedHeight(backend, req.height));
        const { proof } = answer;
        return pb.GetProofResponse.create({
          height: answer.height,
          key: answer.key,
          exists: answer.value !== undefined,
          value: answer.value ?? new Uint8Array(),
          appHash: answer.appHash,
          proof: pb.TreeProof.create({
            keyHash: proof.keyHash,
            kind: proof.kind,
            valueHash: proof.valueHash ?? "",
            siblings: proof.siblings,
            ...(proof.otherLeaf !== undefined ? { otherLeaf: pb.OtherLeaf.create(proof.otherLeaf) } : {}),
          }),
        });
      }),

      StreamBlocks: serverStream(pb.StreamBlocksRequest, pb.StreamBlocksResponse, (req, call) =>
        streamBlocks(ctx, req.fromHeight, call),
      ),
    },
    logger,
    ctx,
  );
}

/** Every field of the JSON summary but `time` (the ISO form of time_ms). */
function blockSummaryMessage(s: BlockSummaryJson): kyochi.chain.v1.BlockSummary {
  return pb.BlockSummary.create({
    height: s.height,
    blockHash: fromHex(s.hash),
    timeMs: s.timeMs,
    proposerAddress: fromHex(s.proposerAddress),
    txCount: s.txCount,
    appHash: fromHex(s.appHash),
    lastBlockHash: fromHex(s.lastBlockHash),
  });
}

function validatorMessage(v: ValidatorEntry): kyochi.chain.v1.Validator {
  return pb.Validator.create({
    address: v.address,
    pubKey: v.pubKey,
    votingPower: v.votingPower.toString(),
    proposerPriority: v.proposerPriority.toString(),
  });
}
