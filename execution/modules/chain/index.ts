// Chain-wide settings: the chain id the state was created for, and the tx and block limits.
// Keys: [0x04, 0x00] chain id (UTF-8), [0x04, 0x01] TxParams, [0x04, 0x02] BlockParams.

import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { kyochi } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { BlockLimits, TxLimits } from "../../params.js";
import { type KvReader, stateKey } from "../../store.js";
import type { Module } from "../types.js";

export const CHAIN_PREFIX = 0x04;
export const CHAIN_ID_KEY = stateKey(Uint8Array.of(CHAIN_PREFIX, 0x00));
export const TX_PARAMS_KEY = stateKey(Uint8Array.of(CHAIN_PREFIX, 0x01));
export const BLOCK_PARAMS_KEY = stateKey(Uint8Array.of(CHAIN_PREFIX, 0x02));

const TxParams = kyochi.tx.v1.TxParams;
type TxParams = kyochi.tx.v1.TxParams;
const BlockParams = kyochi.tx.v1.BlockParams;
type BlockParams = kyochi.tx.v1.BlockParams;

/** The chain id stored at genesis, or undefined before initChain. */
export async function loadChainId(reader: KvReader): Promise<string | undefined> {
  const bytes = await reader.get(CHAIN_ID_KEY);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export async function loadTxLimits(reader: KvReader): Promise<TxLimits> {
  const bytes = await reader.get(TX_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "tx params are missing from state");
  const p = decodeCanonical<TxParams>(TxParams, bytes, "stored TxParams");
  return {
    maxTxBytes: p.maxTxBytes,
    maxMemoBytes: p.maxMemoBytes,
    maxMsgs: p.maxMsgs,
    maxNonceGap: p.maxNonceGap,
  };
}

export async function loadBlockLimits(reader: KvReader): Promise<BlockLimits> {
  const bytes = await reader.get(BLOCK_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "block params are missing from state");
  const p = decodeCanonical<BlockParams>(BlockParams, bytes, "stored BlockParams");
  return { maxBytes: p.maxBytes, maxGas: p.maxGas };
}

function positiveInt(value: number, field: string, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min || value > 0xffffffff) {
    throw new ExecutionError(
      "GENESIS_INVALID",
      `params.${field} must be an integer in ${min}..2^32-1, got ${value}`,
    );
  }
  return value;
}

export const chainModule: Module = {
  name: "chain",
  prefix: CHAIN_PREFIX,
  async initGenesis(ctx, genesis) {
    const { tx, block } = genesis.params;
    ctx.store.set(CHAIN_ID_KEY, new TextEncoder().encode(ctx.chainId));
    const txParams = TxParams.create({
      maxTxBytes: positiveInt(tx.max_tx_bytes, "tx.max_tx_bytes"),
      maxMemoBytes: positiveInt(tx.max_memo_bytes, "tx.max_memo_bytes", 0),
      maxMsgs: positiveInt(tx.max_msgs, "tx.max_msgs"),
      maxNonceGap: positiveInt(tx.max_nonce_gap, "tx.max_nonce_gap", 0),
    });
    ctx.store.set(TX_PARAMS_KEY, encode(TxParams, txParams));
    if (!Number.isSafeInteger(block.max_bytes) || block.max_bytes < 1) {
      throw new ExecutionError("GENESIS_INVALID", `params.block.max_bytes must be a positive integer`);
    }
    if (!Number.isSafeInteger(block.max_gas) || block.max_gas < 1) {
      throw new ExecutionError("GENESIS_INVALID", `params.block.max_gas must be a positive integer`);
    }
    if (tx.max_tx_bytes > block.max_bytes) {
      throw new ExecutionError(
        "GENESIS_INVALID",
        "params.tx.max_tx_bytes must not exceed params.block.max_bytes",
      );
    }
    ctx.store.set(
      BLOCK_PARAMS_KEY,
      encode(BlockParams, BlockParams.create({ maxBytes: block.max_bytes, maxGas: block.max_gas })),
    );
  },
};
