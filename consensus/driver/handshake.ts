// Start-up reconciliation of the block store and the application, as CometBFT's handshake:
// - same height: fine (and the app hash must be the one recorded for that height);
// - block store exactly one ahead: the app missed the last block's commit; replay that block
//   into it (finalizeBlock + commit, written atomically) and check the resulting app hash;
// - anything else cannot be repaired here: a typed error that names both heights.
// Blocks and state are written in one batch, so with a single database the heights only differ
// when the application keeps its state elsewhere; the check costs one read either way.
import { toHex } from "../../crypto/hash.js";
import { blockHeaderHash } from "../../crypto/ssz.js";
import { bytesEqual } from "../../proto/canonical.js";
import { BlockResults } from "../../proto/index.js";
import { type KyochiDb, WriteBatch } from "../../state/db.js";
import type { Application } from "../application.js";
import { ConsensusError } from "../errors.js";
import type { Logger } from "../logger.js";
import { headerOf } from "./block.js";
import { commitInfo, misbehaviorOf } from "./block-context.js";
import type { BlockStorePort } from "./block-store-port.js";
import type { ConsensusValidatorSet } from "./validator-set.js";

export interface HandshakeResult {
  storeHeight: number;
  appHeight: number;
  /** The height replayed into the application, or null when none was needed. */
  replayedHeight: number | null;
}

export async function handshake(opts: {
  app: Application;
  blockStore: BlockStorePort;
  db: KyochiDb;
  /** The validator set that decided `height` (the replayed block's commit is of its height-1). */
  validatorsAt(height: number): Promise<ConsensusValidatorSet>;
  logger?: Logger;
}): Promise<HandshakeResult> {
  const { app, blockStore, db, logger } = opts;
  const info = await app.info();
  const storeHeight = blockStore.height;
  const appHeight = info.lastHeight;

  if (storeHeight === appHeight) {
    if (storeHeight > 0) {
      const recorded = await blockStore.getBlockResults(storeHeight);
      if (recorded && !bytesEqual(recorded.appHash, info.lastAppHash)) {
        throw new ConsensusError(
          "HANDSHAKE_APP_HASH_MISMATCH",
          `app hash at height ${appHeight} is ${toHex(info.lastAppHash)} but the block results recorded ${toHex(recorded.appHash)}`,
        );
      }
    }
    return { storeHeight, appHeight, replayedHeight: null };
  }

  if (storeHeight !== appHeight + 1) {
    throw new ConsensusError(
      "HANDSHAKE_HEIGHT_MISMATCH",
      `block store height ${storeHeight} and application height ${appHeight} cannot be reconciled ` +
        "(the block store may be at most one block ahead)",
    );
  }

  const height = storeHeight;
  const block = await blockStore.getBlock(height);
  if (!block?.header) {
    throw new ConsensusError(
      "BLOCK_STORE_INCONSISTENT",
      `block store height is ${height} but block ${height} is missing`,
    );
  }
  const header = headerOf(block);
  const blockHash = (await blockStore.getBlockHash(height)) ?? blockHeaderHash(header);
  logger?.warn(
    { height, storeHeight, appHeight },
    "application is one block behind the block store; replaying it",
  );
  const result = await app.finalizeBlock({
    height,
    timeMs: Number(header.timeMs),
    proposerAddress: header.proposerAddress,
    lastBlockHash: header.lastBlockHash,
    lastCommit:
      height > 1
        ? commitInfo(block.lastCommit, await opts.validatorsAt(height - 1))
        : { round: 0, votes: [] },
    misbehavior: misbehaviorOf(block),
    txs: block.txs,
    blockHash,
  });
  const recorded = await blockStore.getBlockResults(height);
  if (recorded && !bytesEqual(recorded.appHash, result.appHash)) {
    throw new ConsensusError(
      "HANDSHAKE_APP_HASH_MISMATCH",
      `replaying block ${height} gave app hash ${toHex(result.appHash)}, the block results recorded ${toHex(recorded.appHash)}`,
    );
  }
  const batch = new WriteBatch();
  if (!recorded && !app.storesBlockResults) {
    await blockStore.putBlockResults(
      batch,
      BlockResults.create({
        height,
        txResults: result.txResults,
        finalizeEvents: result.events,
        validatorUpdates: result.validatorUpdates,
        appHash: result.appHash,
      }),
    );
  }
  await app.commit(batch);
  await db.write(batch, true);
  logger?.info({ height, appHash: toHex(result.appHash) }, "replayed block into the application");
  return { storeHeight, appHeight, replayedHeight: height };
}
