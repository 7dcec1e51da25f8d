// node/metrics: the node's Prometheus metrics (registry, definitions), the /metrics HTTP endpoint
// and the wiring that feeds them from consensus, the mempool, p2p, the application and JSON-RPC.
export { meteredApplication } from "./metered-app.js";
export { MeteredMempool } from "./metered-mempool.js";
export {
  type CommittedBlockInfo,
  METRICS_PREFIX,
  type MetricsSources,
  NodeMetrics,
  type NodeMetricsOptions,
} from "./node-metrics.js";
export { METRICS_PATH, type MetricsServer, type MetricsServerOptions, startMetricsServer } from "./server.js";
export { type MetricsWiring, type WiredMetrics, wireNodeMetrics } from "./wire.js";
