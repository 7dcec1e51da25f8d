// The RPC server's view of this node, built from the real parts: block store, tx index,
// mempool and application.

import type { KyochiApp } from "../execution/app.js";
import { ExecutionError } from "../execution/errors.js";
import { type RpcBackend, RpcBackendError } from "../rpc/backend.js";
import type { TxCommitWaiter } from "../rpc/tx-commit-waiter.js";
import type { BlockStore } from "../state/block-store.js";
import type { TxIndex } from "../state/tx-index.js";
import { broadcastToMempool } from "./mempool/broadcast.js";
import type { Mempool } from "./mempool/mempool.js";

export interface RpcBackendParts {
  chainId: string;
  nodeVersion: string;
  genesisTimeMs: number;
  validatorAddress: Uint8Array;
  app: KyochiApp;
  blockStore: BlockStore;
  txIndex: TxIndex;
  mempool: Mempool;
  waiter: TxCommitWaiter;
}

export function createRpcBackend(p: RpcBackendParts): RpcBackend {
  const getTx = (hash: Uint8Array) => p.txIndex.get(hash);
  return {
    async status() {
      const height = p.blockStore.height;
      const block = height > 0 ? await p.blockStore.getBlock(height) : undefined;
      const info = await p.app.info();
      return {
        chainId: p.chainId,
        nodeVersion: p.nodeVersion,
        latestHeight: height,
        latestBlockHash:
          (height > 0 ? await p.blockStore.getBlockHash(height) : undefined) ?? new Uint8Array(),
        latestAppHash: info.lastAppHash,
        latestBlockTimeMs: block?.header?.timeMs ?? p.genesisTimeMs,
        earliestHeight: p.blockStore.base,
        catchingUp: false,
        validatorAddress: p.validatorAddress,
        mempool: { size: p.mempool.size(), bytes: p.mempool.sizeBytes() },
      };
    },
    latestHeight: () => p.blockStore.height,
    async getBlock(height) {
      const block = await p.blockStore.getBlock(height);
      const blockHash = await p.blockStore.getBlockHash(height);
      return block && blockHash ? { block, blockHash } : undefined;
    },
    getBlockResults: (height) => p.blockStore.getBlockResults(height),
    broadcastTx: (tx) => broadcastToMempool(p.mempool, tx),
    waitForTxCommit: (hash, timeoutMs) => p.waiter.wait(hash, timeoutMs, getTx),
    getTx,
    async getAccount(address, height) {
      const view = await heightChecked(() => p.app.getAccount(address, height));
      return {
        height: view.height,
        ...(view.exists ? { account: { nonce: view.nonce, balance: BigInt(view.balance) } } : {}),
      };
    },
    async getProof(key, height) {
      const proof = await heightChecked(() => p.app.getProof(key, height));
      return {
        height: proof.height,
        key: proof.key,
        ...(proof.value ? { value: proof.value } : {}),
        proof: proof.proof,
        appHash: proof.root,
      };
    },
  };
}

async function heightChecked<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof ExecutionError && err.code === "QUERY_HEIGHT_UNAVAILABLE") {
      throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", err.message);
    }
    throw err;
  }
}
