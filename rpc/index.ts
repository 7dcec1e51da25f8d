// The RPC area: the JSON-RPC server, the backend port the node implements, the client.
export type {
  AccountAtHeight,
  AccountState,
  BroadcastResult,
  NodeStatus,
  ProofAtHeight,
  RpcBackend,
  RpcBackendErrorCode,
  StoredBlock,
} from "./backend.js";
export { RpcBackendError } from "./backend.js";
export {
  DEFAULT_RPC_URL,
  KyochiRpcClient,
  type KyochiRpcClientOptions,
  RpcClientError,
} from "./client/index.js";
export { RPC_ERROR_CODES, RpcError, type RpcErrorData, type RpcErrorKind } from "./errors.js";
export {
  DEFAULT_COMMIT_TIMEOUT_MS,
  DEFAULT_MAX_BATCH,
  DEFAULT_RPC_HOST,
  DEFAULT_RPC_PORT,
  type JsonRpcServer,
  type JsonRpcServerOptions,
  startJsonRpcServer,
} from "./jsonrpc/server.js";
export type { RpcLogger } from "./logger.js";
export { TxCommitWaiter } from "./tx-commit-waiter.js";
export type * from "./types.js";
