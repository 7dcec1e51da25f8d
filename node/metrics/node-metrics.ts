// The node's Prometheus metrics (CometBFT names under the `kyochi_` namespace, every series
// labelled with the chain id). Each node owns its registry: several nodes in one process (tests)
// never share or overwrite series, and nothing lands in prom-client's global registry.
//
// Values the node already holds (height, round, mempool size, peers) are read when Prometheus
// scrapes, through `MetricsSources`; events (commits, RPC requests, rejections) are pushed by the
// node through the `observe*` methods, which take plain values so callers need no prom-client.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export const METRICS_PREFIX = "kyochi_";

/** What the node can tell at any moment; read at scrape time. */
export interface MetricsSources {
  /** Last committed height and the round in progress of the next one. */
  consensus(): { lastHeight: number; round: number };
  mempool(): { txs: number; bytes: number };
  /** Connected p2p peers. */
  peers(): number;
}

/** A committed block, as the metrics need it. */
export interface CommittedBlockInfo {
  height: number;
  /** Header time (unix ms): chain time, never this node's clock. */
  timeMs: number;
  txs: number;
  sizeBytes: number;
}

export interface NodeMetricsOptions {
  chainId: string;
  version: string;
  /** Process metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
}

// Block intervals: from fast test chains (tens of ms) to stalled rounds (minutes).
const INTERVAL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120];
// Request and commit durations of a node that answers from LevelDB and memory.
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class NodeMetrics {
  readonly registry = new Registry();

  private readonly blockInterval: Histogram;
  private readonly blockTxs: Gauge;
  private readonly blockSize: Gauge;
  private readonly txsTotal: Counter;
  private readonly validators: Gauge;
  private readonly validatorsPower: Gauge;
  private readonly isValidator: Gauge;
  private readonly validatorPower: Gauge;
  private readonly missedBlocks: Counter;
  private readonly rejectedMessages: Counter<"kind">;
  private readonly mempoolRejected: Counter<"reason">;
  private readonly p2pReceived: Counter<"kind">;
  private readonly rpcRequests: Counter<"method" | "result">;
  private readonly rpcDuration: Histogram<"method">;
  private readonly grpcRequests: Counter<"method" | "code">;
  private readonly grpcDuration: Histogram<"method">;
  private readonly stateCommit: Histogram;
  private readonly blockExecution: Histogram;
  /** The last block seen, to measure the interval to the next by header times. */
  private last: { height: number; timeMs: number } | undefined;

  constructor(opts: NodeMetricsOptions, sources: MetricsSources) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ chain_id: opts.chainId });
    const name = (n: string) => `${METRICS_PREFIX}${n}`;

    new Gauge({
      name: name("node_info"),
      help: "Always 1; the labels tell the node's version.",
      labelNames: ["version"],
      registers,
    }).set({ version: opts.version }, 1);

    new Gauge({
      name: name("consensus_height"),
      help: "Height of the last committed block.",
      registers,
      collect() {
        this.set(sources.consensus().lastHeight);
      },
    });
    new Gauge({
      name: name("consensus_round"),
      help: "Round in progress of the height being decided.",
      registers,
      collect() {
        this.set(sources.consensus().round);
      },
    });
    this.blockInterval = new Histogram({
      name: name("consensus_block_interval_seconds"),
      help: "Time between a block and the previous one, by their header times.",
      buckets: INTERVAL_BUCKETS,
      registers,
    });
    this.blockTxs = new Gauge({
      name: name("consensus_num_txs"),
      help: "Transactions in the last committed block.",
      registers,
    });
    this.blockSize = new Gauge({
      name: name("consensus_block_size_bytes"),
      help: "Size of the last committed block (protobuf encoding).",
      registers,
    });
    this.txsTotal = new Counter({
      name: name("consensus_txs_total"),
      help: "Transactions in the blocks committed since this node started.",
      registers,
    });
    this.validators = new Gauge({
      name: name("consensus_validators"),
      help: "Validators deciding the next height.",
      registers,
    });
    this.validatorsPower = new Gauge({
      name: name("consensus_validators_power"),
      help: "Total voting power of the validators deciding the next height.",
      registers,
    });
    this.isValidator = new Gauge({
      name: name("consensus_is_validator"),
      help: "1 when this node's key is in the validator set deciding the next height, else 0.",
      registers,
    });
    this.validatorPower = new Gauge({
      name: name("consensus_validator_power"),
      help: "Voting power of this node's validator (0 when it is not in the set).",
      registers,
    });
    this.missedBlocks = new Counter({
      name: name("consensus_validator_missed_blocks_total"),
      help: "Blocks whose commit (carried by the next block) lacks this validator's precommit, since start.",
      registers,
    });
    this.rejectedMessages = new Counter({
      name: name("consensus_rejected_messages_total"),
      help: "Consensus messages from peers rejected as invalid, by kind.",
      labelNames: ["kind"],
      registers,
    });
    new Gauge({
      name: name("mempool_size"),
      help: "Transactions waiting in the mempool.",
      registers,
      collect() {
        this.set(sources.mempool().txs);
      },
    });
    new Gauge({
      name: name("mempool_size_bytes"),
      help: "Total size of the transactions waiting in the mempool.",
      registers,
      collect() {
        this.set(sources.mempool().bytes);
      },
    });
    this.mempoolRejected = new Counter({
      name: name("mempool_rejected_txs_total"),
      help: "Transactions refused by the mempool, by reason (mempool code or the application's codename).",
      labelNames: ["reason"],
      registers,
    });
    new Gauge({
      name: name("p2p_peers"),
      help: "Connected peers.",
      registers,
      collect() {
        this.set(sources.peers());
      },
    });
    this.p2pReceived = new Counter({
      name: name("p2p_messages_received_total"),
      help: "Gossip received, by kind: consensus messages (proposal, vote, block, evidence) and transactions (tx).",
      labelNames: ["kind"],
      registers,
    });
    this.rpcRequests = new Counter({
      name: name("rpc_requests_total"),
      help: 'JSON-RPC requests, by method and result ("ok" or the JSON-RPC error code).',
      labelNames: ["method", "result"],
      registers,
    });
    this.rpcDuration = new Histogram({
      name: name("rpc_request_duration_seconds"),
      help: "Time to answer a JSON-RPC request, by method.",
      labelNames: ["method"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.grpcRequests = new Counter({
      name: name("grpc_requests_total"),
      help: 'gRPC calls of the kyochi services, by method ("/package.Service/Method") and status code name; streams once they end.',
      labelNames: ["method", "code"],
      registers,
    });
    this.grpcDuration = new Histogram({
      name: name("grpc_request_duration_seconds"),
      help: "Time to answer a gRPC call (a stream: from its start to its end), by method.",
      labelNames: ["method"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.stateCommit = new Histogram({
      name: name("state_commit_duration_seconds"),
      help: "Time the application takes to commit a block's state (tree update and batch).",
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.blockExecution = new Histogram({
      name: name("state_block_execution_duration_seconds"),
      help: "Time the application takes to execute a decided block (finalizeBlock).",
      buckets: DURATION_BUCKETS,
      registers,
    });
    if (opts.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
    }
  }

  /** The Prometheus text exposition of every metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  observeBlock(block: CommittedBlockInfo): void {
    this.blockTxs.set(block.txs);
    this.blockSize.set(block.sizeBytes);
    this.txsTotal.inc(block.txs);
    if (this.last !== undefined && this.last.height === block.height - 1) {
      // A header time earlier than the previous one cannot pass block checks; clamp anyway.
      this.blockInterval.observe(Math.max(0, block.timeMs - this.last.timeMs) / 1000);
    }
    this.last = { height: block.height, timeMs: block.timeMs };
  }

  /** The header time of the block before the first one this node will commit (on start). */
  seedLastBlock(height: number, timeMs: number): void {
    if (this.last === undefined || this.last.height < height) this.last = { height, timeMs };
  }

  /** The validator set deciding the next height, and this node's place in it. */
  observeValidatorSet(set: { count: number; totalPower: number; ownPower: number | undefined }): void {
    this.validators.set(set.count);
    this.validatorsPower.set(set.totalPower);
    this.isValidator.set(set.ownPower === undefined ? 0 : 1);
    this.validatorPower.set(set.ownPower ?? 0);
  }

  observeMissedBlock(): void {
    this.missedBlocks.inc();
  }

  observeRejectedMessage(kind: string): void {
    this.rejectedMessages.inc({ kind });
  }

  observeMempoolRejection(reason: string): void {
    this.mempoolRejected.inc({ reason });
  }

  observeGossipReceived(kind: string, count = 1): void {
    this.p2pReceived.inc({ kind }, count);
  }

  /** `code` 0 for a result, else the JSON-RPC error code. */
  observeRpcRequest(method: string, code: number, seconds: number): void {
    this.rpcRequests.inc({ method, result: code === 0 ? "ok" : String(code) });
    this.rpcDuration.observe({ method }, seconds);
  }

  /** `method` "/package.Service/Method", `code` the gRPC status name (OK, NOT_FOUND...). */
  observeGrpcRequest(method: string, code: string, seconds: number): void {
    this.grpcRequests.inc({ method, code });
    this.grpcDuration.observe({ method }, seconds);
  }

  observeStateCommit(seconds: number): void {
    this.stateCommit.observe(seconds);
  }

  observeBlockExecution(seconds: number): void {
    this.blockExecution.observe(seconds);
  }
}
