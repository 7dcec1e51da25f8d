// The RPC area: the JSON-RPC and gRPC servers, the backend port the node implements, the client.
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
  type SendTxOptions,
  TxWaitTimeoutError,
  type WaitForTxOptions,
} from "./client/index.js";
export { RPC_ERROR_CODES, RpcError, type RpcErrorData, type RpcErrorKind } from "./errors.js";
export type { GrpcRequestObserver } from "./grpc/define.js";
export { ERROR_CODE_METADATA, GrpcError, type GrpcErrorCode } from "./grpc/errors.js";
export { MODULE_SERVICES } from "./grpc/module-services.js";
export {
  CHAIN_SERVICE,
  DEFAULT_GRPC_HOST,
  DEFAULT_GRPC_MAX_MESSAGE_BYTES,
  DEFAULT_GRPC_PORT,
  type GrpcServer,
  type GrpcServerOptions,
  startGrpcServer,
  TX_SERVICE,
} from "./grpc/server.js";
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
