// The node process: opens the database, the state tree and the block store, brings up the
// application, mempool, consensus and JSON-RPC, and takes them down again in reverse order.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { createConsensus, validatorInfosAt } from "../consensus/index.js";
import { addressFromPublicKey } from "../crypto/address.js";
import { fromHex, sha256 } from "../crypto/hash.js";
import { VerifyPool } from "../crypto/verify-pool.js";
import { KyochiApp } from "../execution/app.js";
import { genesisTimeMs, toAppState } from "../genesis/app-state.js";
import { loadGenesisFile } from "../genesis/load.js";
import type { CheckTxMode } from "../proto/application.js";
import { KeyType, TxRecord, TxResult, ValidatorInfo } from "../proto/index.js";
import { startGrpcServer } from "../rpc/grpc/server.js";
import { parseCorsHeaders, parseCorsOrigins } from "../rpc/jsonrpc/cors.js";
import { startJsonRpcServer } from "../rpc/jsonrpc/server.js";
import { CommitFeed } from "../rpc/subscriptions/commit-feed.js";
import { TxCommitWaiter } from "../rpc/tx-commit-waiter.js";
import { BlockStore } from "../state/block-store.js";
import { KyochiDb } from "../state/db.js";
import { openStateTree } from "../state/tree/index.js";
import { TxIndex } from "../state/tx-index.js";
import { TxSearchIndex } from "../state/tx-search-index.js";
import { type NodeConfig, parseHostPort, parseIndexedEvents } from "./config.js";
import { NodeError } from "./errors.js";
import { homePaths } from "./home.js";
import { readKeyFile } from "./key-file.js";
import type { Logger } from "./logger.js";
import { connectTxGossip } from "./mempool/gossip.js";
import { Mempool } from "./mempool/mempool.js";
import {
  MeteredMempool,
  type MetricsServer,
  meteredApplication,
  NodeMetrics,
  startMetricsServer,
  wireNodeMetrics,
} from "./metrics/index.js";
import { P2PHost, readNodeKey } from "./p2p/index.js";
import { appValidatorSets, createRpcBackend } from "./rpc-backend.js";
import { blockStoreSyncProvider } from "./sync-provider.js";

export const NODE_VERSION = "0.1.0";

export interface RunningNode {
  readonly rpcUrl: string;
  /** host:port of the gRPC server (absent when grpc.enabled is false). */
  readonly grpcAddress?: string;
  /** http://host:port/metrics of the Prometheus endpoint (absent when metrics.enabled is false). */
  readonly metricsUrl?: string;
  /** Resolves when the node stopped, by `stop()` or by a fatal error (then with that error). */
  readonly done: Promise<Error | undefined>;
  stop(): Promise<void>;
}

export async function startNode(home: string, config: NodeConfig, logger: Logger): Promise<RunningNode> {
  const paths = homePaths(home);
  const genesis = loadGenesisFile(paths.genesis);
  const validatorKey = readKeyFile(paths.privValidatorKey);
  if (validatorKey.type !== KeyType.KEY_TYPE_ED25519) {
    throw new NodeError("KEY_FILE_INVALID", `${paths.privValidatorKey}: a validator key must be ed25519`);
  }

  const db = await KyochiDb.open(paths.db);
  const verifyPool = VerifyPool.create(
    config.crypto.verify_threads === 0 ? availableParallelism() : config.crypto.verify_threads,
  );
  const closeStorage = async () => {
    await verifyPool.close();
    await db.close();
  };
  try {
    const tree = await openStateTree(db);
    const blockStore = await BlockStore.open(db);
    const txIndex = new TxIndex(db, blockStore);
    // Validators usually run without the explorer indexes (they cost about as much CPU as the
    // rest of a transfer's commit); RPC nodes serving explorers keep them.
    const indexedEvents = parseIndexedEvents(config.state.search_index_events);
    const searchIndex = config.state.search_index
      ? new TxSearchIndex(db, indexedEvents ? { events: indexedEvents } : {})
      : undefined;
    const app = await KyochiApp.create({
      db,
      tree,
      blockStore,
      txIndex,
      searchIndex,
      chainId: genesis.chain_id,
      verifyPool,
      params: { keepRecentVersions: config.state.keep_recent },
      logger: logger.child({ module: "app" }),
    });
    if (!app.initialized) {
      const appHash = await app.initChain(toAppState(genesis));
      logger.info(
        { chainId: genesis.chain_id, appHash: Buffer.from(appHash).toString("hex") },
        "initialized genesis state",
      );
    }

    // The set of the chain's first height (the app holds genesis's before block 1). Consensus uses
    // it only until it has stored sets of its own (every later start reads those).
    const validatorSet = (await app.getValidators())
      .map((v) =>
        ValidatorInfo.create({
          address: fromHex(v.consensus_address),
          pubKey: fromHex(v.consensus_pubkey),
          power: v.power,
        }),
      )
      .sort((a, b) => Buffer.compare(a.address, b.address));
    // The node's own registry; values it holds are read when scraped (the parts they come from
    // are all created below, before the metrics server starts).
    const metrics: NodeMetrics | undefined = config.metrics.enabled
      ? new NodeMetrics(
          { chainId: genesis.chain_id, version: NODE_VERSION },
          {
            consensus: () => ({ lastHeight: blockStore.height, round: consensus.status().round }),
            mempool: () => ({ txs: mempool.size(), bytes: mempool.sizeBytes() }),
            peers: () => p2p.netInfo().peers.length,
          },
        )
      : undefined;
    const mempoolOptions = {
      checkTx: (tx: Uint8Array, mode: CheckTxMode, hash: Uint8Array) => app.checkTx(tx, mode, hash),
      nextNonce: (sender: string) => app.committedNonce(fromHex(sender)),
      maxTxs: config.mempool.max_txs,
      maxBytes: config.mempool.max_bytes,
      maxTxBytes: config.mempool.max_tx_bytes,
      maxPerSender: config.mempool.max_per_sender,
      maxPendingChecks: config.mempool.max_pending_checks,
      logger: logger.child({ module: "mempool" }),
    };
    const mempool: Mempool = metrics
      ? new MeteredMempool(mempoolOptions, (reason) => metrics.observeMempoolRejection(reason))
      : new Mempool(mempoolOptions);
    const waiter = new TxCommitWaiter();
    const commitFeed = new CommitFeed((err) =>
      logger.child({ module: "rpc" }).error({ err }, "commit feed listener failed"),
    );
    const p2p = await P2PHost.create({
      privateKey: readNodeKey(paths.nodeKey),
      chainId: genesis.chain_id,
      config: config.p2p,
      logger: logger.child({ module: "p2p" }),
      sync: blockStoreSyncProvider(blockStore),
    });
    const consensus = createConsensus({
      chainId: genesis.chain_id,
      db,
      blockStore,
      app: metrics ? meteredApplication(app, metrics) : app,
      txSource: mempool,
      validatorSet,
      privValidatorKey: validatorKey,
      homeDataDir: paths.data,
      genesisTimeMs: genesisTimeMs(genesis),
      config: {
        timeoutCommitMs: config.consensus.timeout_commit_ms,
        timeoutProposeMs: config.consensus.timeout_propose_ms,
        timeoutPrevoteMs: config.consensus.timeout_prevote_ms,
        timeoutPrecommitMs: config.consensus.timeout_precommit_ms,
        timeoutDeltaMs: config.consensus.timeout_delta_ms,
        createEmptyBlocks: config.consensus.create_empty_blocks,
        maxBlockBytes: genesis.consensus.block.max_bytes,
        maxBlockGas: genesis.consensus.block.max_gas,
      },
      logger: logger.child({ module: "consensus" }),
      transport: p2p.consensusTransport(),
      syncNetwork: p2p.syncNetwork(),
      ...(config.signer.audit_log ? { signerAuditLogPath: join(paths.data, "signer_audit.jsonl") } : {}),
    });
    const wiredMetrics = metrics
      ? wireNodeMetrics({
          metrics,
          consensus,
          transport: p2p.consensusTransport(),
          txGossip: p2p.txGossip,
          validatorsAt: (height) => validatorInfosAt(db, height),
          logger: logger.child({ module: "metrics" }),
        })
      : undefined;
    // Subscriptions and block streams: every commit, whether decided here or fetched by sync.
    consensus.onCommit(({ height, block, blockHash, results }) =>
      commitFeed.emit({ height, block: { block, blockHash }, results }),
    );
    consensus.onCommit(({ height, block, results }) => {
      // Hashing every tx again is only worth it when some tx_broadcast(commit) is waiting.
      if (waiter.pending === 0) return;
      waiter.notify(
        block.txs.map((tx, index) =>
          TxRecord.create({
            hash: sha256(tx),
            height,
            index,
            tx,
            result: results.txResults[index] ?? TxResult.create(),
          }),
        ),
      );
    });

    const fromApp = appValidatorSets(app, blockStore);
    // The RPC port is bound before consensus starts, so a taken port fails before any block work.
    const { host, port } = parseHostPort(config.rpc.laddr);
    const backend = createRpcBackend({
      chainId: genesis.chain_id,
      nodeVersion: NODE_VERSION,
      genesisTimeMs: genesisTimeMs(genesis),
      validatorAddress: addressFromPublicKey(KeyType.KEY_TYPE_ED25519, validatorKey.publicKey),
      app,
      blockStore,
      txIndex,
      searchIndex,
      mempool,
      waiter,
      commits: commitFeed,
      netInfo: {
        netInfo: () => {
          const info = p2p.netInfo();
          // RPC reports 0 for a peer that has not told its height yet.
          return { ...info, peers: info.peers.map((peer) => ({ ...peer, height: peer.height ?? 0 })) };
        },
      },
      validatorSets: {
        // Consensus's history of sets; before consensus first stored one (the RPC is up before
        // consensus starts), the app's view, which is the genesis set then.
        async validatorsAt(height) {
          const infos = await validatorInfosAt(db, height);
          if (!infos) return fromApp.validatorsAt(height);
          return infos.map((v) => ({
            address: v.address,
            pubKey: v.pubKey,
            votingPower: BigInt(v.power),
            proposerPriority: BigInt(v.proposerPriority),
          }));
        },
      },
    });
    const rpc = await startJsonRpcServer({
      backend,
      host,
      port,
      maxBodyBytes: config.rpc.max_body_bytes,
      maxBatch: config.rpc.max_batch,
      commitTimeoutMs: config.rpc.broadcast_commit_timeout_ms,
      websocket: {
        maxSubscriptionsPerConnection: config.rpc.ws_max_subscriptions,
        maxConnectionsPerIp: config.rpc.ws_max_connections_per_ip,
        maxMessageBytes: config.rpc.ws_max_message_bytes,
        maxSendBufferBytes: config.rpc.ws_send_buffer_bytes,
      },
      maxConcurrentRequests: config.rpc.max_concurrent_requests,
      maxConnectionsPerIp: config.rpc.max_connections_per_ip,
      maxOpenConnections: config.rpc.max_open_connections,
      cors: {
        allowedOrigins: parseCorsOrigins(config.rpc.cors_allowed_origins),
        allowedHeaders: parseCorsHeaders(config.rpc.cors_allowed_headers),
      },
      logger: logger.child({ module: "rpc" }),
      ...(metrics ? { onRequest: metrics.observeRpcRequest.bind(metrics) } : {}),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EADDRINUSE") throw err;
      throw new NodeError(
        "RPC_ADDRESS_IN_USE",
        `RPC address ${config.rpc.laddr} is in use (another node?); choose another with --rpc.laddr`,
      );
    });
    // gRPC serves the same backend; bound before consensus starts too, so a taken port fails early.
    const grpc = config.grpc.enabled
      ? await startGrpcServer({
          backend,
          ...parseHostPort(config.grpc.laddr),
          maxMessageBytes: config.grpc.max_message_bytes,
          maxConcurrentRequests: config.grpc.max_concurrent_requests,
          maxStreams: config.grpc.max_streams,
          maxStreamsPerConnection: config.grpc.max_streams_per_connection,
          commitTimeoutMs: config.rpc.broadcast_commit_timeout_ms,
          logger: logger.child({ module: "grpc" }),
          ...(metrics ? { onRequest: metrics.observeGrpcRequest.bind(metrics) } : {}),
        }).catch(async (err: unknown) => {
          await rpc.close().catch(() => {});
          if (!/EADDRINUSE|address already in use/i.test(String((err as Error).message))) throw err;
          throw new NodeError(
            "GRPC_ADDRESS_IN_USE",
            `gRPC address ${config.grpc.laddr} is in use (another node?); choose another with --grpc.laddr, or --grpc.enabled false`,
          );
        })
      : undefined;
    // Metrics likewise: a taken port fails before any block work.
    let metricsServer: MetricsServer | undefined;
    if (metrics) {
      metricsServer = await startMetricsServer({
        render: () => metrics.render(),
        ...parseHostPort(config.metrics.laddr),
        logger: logger.child({ module: "metrics" }),
      }).catch(async (err: NodeJS.ErrnoException) => {
        await rpc.close().catch(() => {});
        await grpc?.close().catch(() => {});
        if (err.code !== "EADDRINUSE") throw err;
        throw new NodeError(
          "METRICS_ADDRESS_IN_USE",
          `metrics address ${config.metrics.laddr} is in use (another node?); choose another with --metrics.laddr, or --metrics.enabled false`,
        );
      });
    }
    let resolveDone: (err: Error | undefined) => void = () => {};
    const done = new Promise<Error | undefined>((r) => {
      resolveDone = r;
    });
    let closeGossip = () => {};
    try {
      await p2p.start();
      closeGossip = connectTxGossip(mempool, p2p.txGossip, logger.child({ module: "mempool" }));
      await consensus.start();
      wiredMetrics?.primeAfterStart();
    } catch (err) {
      closeGossip();
      await p2p.stop().catch(() => {});
      await rpc.close().catch(() => {});
      await grpc?.close().catch(() => {});
      await metricsServer?.close().catch(() => {});
      waiter.close();
      throw err;
    }
    logger.info(
      {
        rpc: rpc.url,
        grpc: grpc?.address ?? "disabled",
        metrics: metricsServer?.url ?? "disabled",
        p2p: p2p.listenAddresses(),
        peerId: p2p.peerId,
        height: blockStore.height,
        chainId: genesis.chain_id,
      },
      "node started",
    );

    let stopping: Promise<void> | undefined;
    const stop = (fatal?: Error): Promise<void> => {
      stopping ??= (async () => {
        await rpc.close().catch((err: unknown) => logger.error({ err }, "closing RPC failed"));
        await grpc?.close().catch((err: unknown) => logger.error({ err }, "closing gRPC failed"));
        await metricsServer?.close().catch((err: unknown) => logger.error({ err }, "closing metrics failed"));
        wiredMetrics?.detach();
        // Pending tx_broadcast commit waits hold timers (up to their timeout) that would keep the
        // process alive after everything else has stopped.
        waiter.close();
        commitFeed.close();
        closeGossip();
        await consensus.stop().catch((err: unknown) => logger.error({ err }, "stopping consensus failed"));
        await p2p.stop().catch((err: unknown) => logger.error({ err }, "stopping p2p failed"));
        await closeStorage();
        logger.info({ height: blockStore.height }, "node stopped");
        resolveDone(fatal);
      })();
      return stopping;
    };
    consensus.onError((err) => {
      // A block could not be written: stop at once; the handshake repairs on the next start.
      logger.fatal({ err }, "consensus failed; stopping the node");
      void stop(err);
    });
    return {
      rpcUrl: rpc.url,
      ...(grpc ? { grpcAddress: grpc.address } : {}),
      ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
      done,
      stop: () => stop(),
    };
  } catch (err) {
    await closeStorage().catch(() => {});
    throw err;
  }
}
