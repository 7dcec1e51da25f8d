export { broadcastToMempool } from "./broadcast.js";
export { MempoolError, type MempoolErrorCode, type MempoolRejectionCode } from "./errors.js";
export { Mempool } from "./mempool.js";
export type {
  MempoolAddResult,
  MempoolLogger,
  MempoolOptions,
  MempoolTx,
  MempoolTxSummary,
} from "./types.js";
