// What the driver needs from state/block-store.ts (BlockStore satisfies it structurally). Reads
// may be synchronous or asynchronous and may answer null or undefined for "not stored".
import type { Block, BlockResults, Commit } from "../../proto/index.js";
import type { WriteBatch } from "../../state/db.js";

type Maybe<T> = T | null | undefined;
type MaybePromise<T> = T | Promise<T>;

export interface BlockStorePort {
  /** Highest stored height (0 when empty). */
  readonly height: number;
  /** Lowest stored height (pruning moves it up). */
  readonly base: number;
  /** Adds the block, its hash index and its commit to `batch` (written by the caller, atomically). */
  putBlock(batch: WriteBatch, block: Block, blockHash: Uint8Array, commit: Commit): MaybePromise<void>;
  putBlockResults(batch: WriteBatch, results: BlockResults): MaybePromise<void>;
  getBlock(height: number): MaybePromise<Maybe<Block>>;
  getBlockHash(height: number): MaybePromise<Maybe<Uint8Array>>;
  getCommit(height: number): MaybePromise<Maybe<Commit>>;
  getBlockResults(height: number): MaybePromise<Maybe<BlockResults>>;
}
