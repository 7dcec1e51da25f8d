// The method table: every JSON-RPC method by name (see rpc/types.ts for params and results).
import { accountGet } from "./account.js";
import { chainGetBlock, chainGetBlockResults, chainGetCommit, chainStatus } from "./chain.js";
import type { MethodTable } from "./context.js";
import { netInfo } from "./net.js";
import { stateGetProof } from "./state.js";
import { txBroadcast, txGet } from "./tx.js";
import { chainGetValidators } from "./validators.js";

export type { MethodContext, MethodHandler, MethodTable } from "./context.js";

export const METHODS: MethodTable = {
  chain_status: chainStatus,
  chain_getBlock: chainGetBlock,
  chain_getBlockResults: chainGetBlockResults,
  chain_getValidators: chainGetValidators,
  chain_getCommit: chainGetCommit,
  tx_broadcast: txBroadcast,
  tx_get: txGet,
  account_get: accountGet,
  state_getProof: stateGetProof,
  net_info: netInfo,
};
