export { DEFAULT_RPC_URL, KyochiRpcClient, type KyochiRpcClientOptions } from "./client.js";
export { type ClientSideCode, RpcClientError } from "./errors.js";
export { KyochiWsClient, type NotificationOf } from "./ws-client.js";
