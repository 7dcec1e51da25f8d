// A real KyochiApp on a fresh LevelDB for tests: blocks are finalized, committed and written like
// the node does, with the previous commit's votes and evidence given per block.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CommitVoteInfo, FinalizeBlockResult, Misbehavior } from "../proto/application.js";
import { BlockStore } from "../state/block-store.js";
import { KyochiDb, WriteBatch } from "../state/db.js";
import { openStateTree } from "../state/tree/index.js";
import { TxIndex } from "../state/tx-index.js";
import { KyochiApp } from "./app.js";
import type { GenesisAppState } from "./genesis-types.js";
import { putRequestedBlock } from "./stored-block.js";
import { TEST_CHAIN_ID, type TestAccount } from "./test-helpers.js";
import type { BatchVerifier } from "./tx/verify.js";
import type { UpgradeHandler } from "./upgrades.js";

export interface BlockInput {
  txs?: Uint8Array[];
  /** The previous block's commit, one entry per validator of that height's set. */
  votes?: CommitVoteInfo[];
  misbehavior?: Misbehavior[];
  proposer?: Uint8Array;
}

export interface TestChain {
  app: KyochiApp;
  height: number;
  block(input?: BlockInput): Promise<FinalizeBlockResult>;
  /** Empty blocks until `height` is the last committed one. */
  advanceTo(height: number, input?: Omit<BlockInput, "txs" | "misbehavior">): Promise<void>;
  balance(who: TestAccount | Uint8Array): Promise<bigint>;
  nonce(who: TestAccount): Promise<number>;
  close(): Promise<void>;
}

export interface TestChainOptions {
  /** The software upgrades the app implements (default: the release's KNOWN_UPGRADES). */
  knownUpgrades?: ReadonlyMap<string, UpgradeHandler>;
  /** Signature checks on worker threads, as a node runs them (default: on the calling thread). */
  verifyPool?: BatchVerifier;
}

export async function startTestChain(
  genesis: GenesisAppState,
  opts: TestChainOptions = {},
): Promise<TestChain> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-exec-chain-"));
  const db = await KyochiDb.open(dir);
  const blockStore = await BlockStore.open(db);
  const app = await KyochiApp.create({
    db,
    tree: await openStateTree(db),
    blockStore,
    txIndex: new TxIndex(db, blockStore),
    chainId: TEST_CHAIN_ID,
    ...(opts.knownUpgrades ? { knownUpgrades: opts.knownUpgrades } : {}),
    ...(opts.verifyPool ? { verifyPool: opts.verifyPool } : {}),
  });
  try {
    await app.initChain(genesis);
  } catch (err) {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const chain: TestChain = {
    app,
    height: 0,
    async block(input = {}) {
      const height = ++chain.height;
      const req = {
        height,
        timeMs: 1_700_000_000_000 + height * 1000,
        proposerAddress: input.proposer ?? new Uint8Array(20),
        lastBlockHash: new Uint8Array(32).fill((height - 1) & 0xff),
        lastCommit: { round: 0, votes: input.votes ?? [] },
        misbehavior: input.misbehavior ?? [],
        blockHash: new Uint8Array(32).fill(height & 0xff),
        txs: input.txs ?? [],
      };
      const result = await app.finalizeBlock(req);
      const batch = new WriteBatch();
      putRequestedBlock(blockStore, batch, TEST_CHAIN_ID, req);
      await app.commit(batch);
      await db.write(batch, true);
      return result;
    },
    async advanceTo(height, input = {}) {
      while (chain.height < height) await chain.block(input);
    },
    async balance(who) {
      return BigInt((await app.getAccount(who instanceof Uint8Array ? who : who.address)).balance);
    },
    async nonce(who) {
      return (await app.getAccount(who.address)).nonce;
    },
    async close() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return chain;
}
