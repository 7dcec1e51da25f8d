// The SDK: the JSON-RPC client (HTTP) and its WebSocket twin, typed errors, and the builders that
// make and sign a tx of every message type.
export {
  DEFAULT_RPC_URL,
  KyochiRpcClient,
  type KyochiRpcClientOptions,
  type SendTxOptions,
  type WaitForTxOptions,
} from "./client.js";
export { type ClientSideCode, RpcClientError, TxWaitTimeoutError } from "./errors.js";
export * from "./msgs-compute.js";
export * from "./msgs-data.js";
export * from "./msgs-gov.js";
export * from "./msgs-models.js";
export * from "./tx-builder.js";
export { KyochiWsClient, type NotificationOf } from "./ws-client.js";
