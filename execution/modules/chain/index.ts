// Chain-wide settings: the chain id the state was created for, and the tx and block limits.
// Keys: [0x04, 0x00] chain id (UTF-8), [0x04, 0x01] TxParams, [0x04, 0x02] BlockParams (params.ts).
import { type KvReader, stateKey } from "../../store.js";
import type { Module } from "../types.js";
import {
  blockParamSpace,
  CHAIN_PREFIX,
  checkBlockParams,
  checkTxFitsBlock,
  checkTxParams,
  txParamSpace,
  writeBlockParams,
  writeTxParams,
} from "./params.js";

export {
  BLOCK_PARAMS_KEY,
  blockParamSpace,
  CHAIN_PREFIX,
  loadBlockLimits,
  loadTxLimits,
  TX_PARAMS_KEY,
  txParamSpace,
} from "./params.js";

export const CHAIN_ID_KEY = stateKey(Uint8Array.of(CHAIN_PREFIX, 0x00));

/** The chain id stored at genesis, or undefined before initChain. */
export async function loadChainId(reader: KvReader): Promise<string | undefined> {
  const bytes = await reader.get(CHAIN_ID_KEY);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

export const chainModule: Module = {
  name: "chain",
  prefix: CHAIN_PREFIX,
  async initGenesis(ctx, genesis) {
    const { tx, block } = genesis.params;
    ctx.store.set(CHAIN_ID_KEY, new TextEncoder().encode(ctx.chainId));
    const txParams = checkTxParams(tx);
    writeTxParams(ctx.store, txParams);
    const blockParams = checkBlockParams(block);
    checkTxFitsBlock(txParams.maxTxBytes, blockParams.maxBytes);
    writeBlockParams(ctx.store, blockParams);
  },
  paramSpaces: [txParamSpace, blockParamSpace],
};
