// The block a finalizeBlock request describes, stored as consensus stores a decided block (in the
// batch the app commits into). For harnesses that drive the app without consensus: test chains
// and benchmarks. The tx index points into the stored block, so a harness that looks txs up by
// hash stores it; the commit carries one signature so the record has a real commit's shape.
import type { FinalizeBlockRequest } from "../proto/application.js";
import { Block, BlockIdFlag, Commit } from "../proto/index.js";
import type { BlockStore } from "../state/block-store.js";
import type { WriteBatch } from "../state/db.js";

export function putRequestedBlock(
  blockStore: Pick<BlockStore, "putBlock">,
  batch: WriteBatch,
  chainId: string,
  req: FinalizeBlockRequest,
): void {
  const block = Block.create({
    header: {
      chainId,
      height: req.height,
      timeMs: req.timeMs,
      lastBlockHash: req.lastBlockHash,
      proposerAddress: req.proposerAddress,
    },
    txs: req.txs,
  });
  const commit = Commit.create({
    height: req.height,
    round: 0,
    blockHash: req.blockHash,
    signatures: [
      {
        flag: BlockIdFlag.BLOCK_ID_FLAG_COMMIT,
        validatorAddress: req.proposerAddress,
        timestampMs: req.timeMs,
        signature: new Uint8Array(64),
      },
    ],
  });
  blockStore.putBlock(batch, block, req.blockHash, commit);
}
