// The node's libp2p host: TCP + Noise + Yamux, identify, gossipsub for consensus messages, block
// parts and txs, request/response for status, block sync and txs by hash, peer scoring with bans,
// persistent peers. It is a pipe: it checks that bytes decode as what their topic says and leaves
// every judgement about their content to consensus, the mempool and block sync (which report
// back). Two things it does beyond piping: a tx batch is relayed only once the mempool's verdicts
// on its txs are in, and blocks travel compact and are rebuilt here (compact-block.ts).
import "./polyfills.js";
import { type GossipsubMessage, type Message, TopicValidatorResult } from "@libp2p/gossipsub";
import type { Connection, PeerId } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import type {
  InboundMessage,
  MessageHandler,
  PeerChainStatus,
  SyncedBlock,
  SyncNetwork,
  Transport,
} from "../../consensus/driver/transport.js";
import { sha256 } from "../../crypto/hash.js";
import { PartSetAssembler, partSizeFor, splitBlock } from "./block-parts.js";
import { BadTxsAnswer, rebuildBlock } from "./block-rebuild.js";
import { compactBlock } from "./compact-block.js";
import { P2PError } from "./errors.js";
import { type CheckedGossip, checkGossip } from "./gossip-checks.js";
import { createLibp2pNode, type Libp2pNode, RPC_OVERHEAD_BYTES } from "./libp2p-node.js";
import {
  DEFAULT_LIMITS,
  DEFAULT_TIMING,
  type GossipTxVerdict,
  type NetInfo,
  type NetInfoPeer,
  type P2PHostOptions,
  type P2PLimits,
  type P2PTiming,
  type TxGossip,
} from "./options.js";
import { announceMultiaddr, listenMultiaddr, type PeerAddress, parsePeerList } from "./peer-address.js";
import { PeerDialer } from "./peer-dialer.js";
import { PENALTY_INVALID, PeerScores } from "./peer-scores.js";
import { request, serve } from "./req-resp.js";
import { SeenTxs } from "./seen-txs.js";
import {
  answerStatus,
  BLOCKS_REQUEST_MAX_BYTES,
  type ChainStatus,
  encodeBlocksRequest,
  encodeBlocksResponse,
  encodeStatusRequest,
  parseBlocksRequest,
  parseBlocksResponse,
  parseStatus,
  STATUS_REQUEST_MAX_BYTES,
  STATUS_RESPONSE_MAX_BYTES,
} from "./sync-protocol.js";
import {
  blocksProtocol,
  GOSSIP_KINDS,
  type GossipKind,
  gossipTopic,
  statusProtocol,
  txsProtocol,
} from "./topics.js";
import { TxBatcher } from "./tx-batcher.js";
import {
  encodeTxsRequest,
  encodeTxsResponse,
  parseTxsRequest,
  parseTxsResponse,
  txsRequestMaxBytes,
} from "./txs-protocol.js";

/** Pauses before asking peers again for a block's missing txs (see block-rebuild.ts). */
const TX_FETCH_RETRY_DELAYS_MS = [100, 300, 900];

export class P2PHost {
  readonly peerId: string;
  readonly txGossip: TxGossip;

  private readonly topics: Record<GossipKind, string>;
  private readonly kindOfTopic = new Map<string, GossipKind>();
  private readonly consensusHandlers = new Set<MessageHandler>();
  private readonly txHandlers = new Set<(bytes: Uint8Array, from: string) => void>();
  private txAdmission:
    | ((bytes: Uint8Array, from: string, hash: Uint8Array) => Promise<GossipTxVerdict>)
    | undefined;
  private txFinder: ((hash: Uint8Array) => Uint8Array | undefined) | undefined;
  private readonly seenTxs: SeenTxs;
  private readonly statuses = new Map<string, PeerChainStatus>();
  private readonly statusInFlight = new Set<string>();
  // The validator's decode of a message, reused when the same message is delivered.
  private readonly checked = new WeakMap<Message, CheckedGossip>();
  private readonly assembler: PartSetAssembler;
  private readonly batcher: TxBatcher;
  private readonly dialer: PeerDialer;
  private readonly partSize: number;
  private nextBroadcastId = Date.now();
  private statusTimer: NodeJS.Timeout | undefined;
  private state: "created" | "starting" | "running" | "stopped" = "created";
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly libp2p: Libp2pNode,
    private readonly opts: P2PHostOptions,
    private readonly scores: PeerScores,
    private readonly timing: P2PTiming,
    private readonly limits: P2PLimits,
    private readonly persistent: PeerAddress[],
    seeds: PeerAddress[],
  ) {
    this.peerId = libp2p.peerId.toString();
    const maxMessageBytes = opts.config.max_message_bytes;
    this.partSize = partSizeFor(maxMessageBytes);
    const topics: Partial<Record<GossipKind, string>> = {};
    for (const k of GOSSIP_KINDS) topics[k] = gossipTopic(opts.chainId, k);
    this.topics = topics as Record<GossipKind, string>;
    for (const k of GOSSIP_KINDS) this.kindOfTopic.set(this.topics[k], k);
    this.assembler = new PartSetAssembler({
      maxBlockBytes: limits.maxBlockBytes,
      maxPartialSets: limits.maxPartialSets,
      maxBufferedBytes: limits.maxBufferedPartBytes,
    });
    this.seenTxs = new SeenTxs(limits.seenTxsBytes);
    this.batcher = new TxBatcher(
      (batch) => this.publish("tx", batch),
      maxMessageBytes - 16,
      timing.txBatchDelayMs,
    );
    this.dialer = new PeerDialer(
      {
        dial: async (a) => {
          await this.libp2p.dial(a.multiaddr);
        },
        isConnected: (peer) => this.isConnected(peer),
        isBanned: (peer) => this.scores.isBanned(peer),
        logger: opts.logger,
      },
      persistent,
      seeds,
      timing,
    );
    this.txGossip = {
      broadcastTx: (bytes, hash) => this.broadcastTx(bytes, hash),
      onTx: (handler) => {
        this.txHandlers.add(handler);
        return () => this.txHandlers.delete(handler);
      },
      admitWith: (admit) => {
        this.txAdmission = admit;
        return () => {
          if (this.txAdmission === admit) this.txAdmission = undefined;
        };
      },
      findWith: (find) => {
        this.txFinder = find;
        return () => {
          if (this.txFinder === find) this.txFinder = undefined;
        };
      },
      reportInvalid: (peer, reason) => this.reportInvalid(peer, reason),
    };
  }

  /** Builds the host (not yet listening). Throws P2PError on a bad address in the config. */
  static async create(opts: P2PHostOptions): Promise<P2PHost> {
    const timing = { ...DEFAULT_TIMING, ...opts.timing };
    const limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const cfg = opts.config;
    const persistent = parsePeerList(cfg.persistent_peers, "p2p.persistent_peers");
    const seeds = parsePeerList(cfg.seeds, "p2p.seeds");
    const listen = listenMultiaddr(cfg.laddr);
    const announce = cfg.external_address === "" ? [] : [announceMultiaddr(cfg.external_address)];
    const scores = new PeerScores({
      banThreshold: limits.banThreshold,
      halfLifeMs: limits.scoreHalfLifeMs,
      banDurationMs: cfg.ban_duration_ms,
    });
    const libp2p = await createLibp2pNode({
      privateKey: opts.privateKey,
      config: cfg,
      listen,
      announce,
      scores,
    });
    const host = new P2PHost(libp2p, opts, scores, timing, limits, persistent, seeds);
    await host.install();
    return host;
  }

  // Handlers and validators go in before the host listens, so no peer ever finds a protocol
  // missing (which would look like a node of another chain).
  private async install(): Promise<void> {
    const { libp2p } = this;
    // Tagged peers are the last the connection manager prunes when max_connections is reached.
    for (const p of this.persistent) {
      await libp2p.peerStore.merge(peerIdFromString(p.peerId), {
        tags: { "kyochi-persistent-peer": { value: 100 } },
      });
    }
    const onRequestError = (peer: string, err: Error) =>
      this.opts.logger.debug({ peer, err: err.message }, "p2p request from peer failed");
    await libp2p.handle(
      statusProtocol(this.opts.chainId),
      serve(async (req) => answerStatus(req, { chainId: this.opts.chainId, ...this.opts.sync.status() }), {
        timeoutMs: this.timing.requestTimeoutMs,
        maxRequestBytes: STATUS_REQUEST_MAX_BYTES,
        onError: onRequestError,
      }),
      { maxInboundStreams: 8 },
    );
    await libp2p.handle(
      blocksProtocol(this.opts.chainId),
      serve(async (req, peer) => this.answerBlocks(req, peer), {
        timeoutMs: this.timing.requestTimeoutMs,
        maxRequestBytes: BLOCKS_REQUEST_MAX_BYTES,
        onError: onRequestError,
      }),
      { maxInboundStreams: 4 },
    );
    await libp2p.handle(
      txsProtocol(this.opts.chainId),
      serve(async (req, peer) => this.answerTxs(req, peer), {
        timeoutMs: this.timing.requestTimeoutMs,
        maxRequestBytes: txsRequestMaxBytes(this.limits.maxTxsPerRequest),
        onError: onRequestError,
      }),
      { maxInboundStreams: 8 },
    );
    const pubsub = libp2p.services.pubsub;
    for (const kind of GOSSIP_KINDS) {
      pubsub.topicValidators.set(this.topics[kind], (peer, msg) => this.validate(kind, peer, msg));
    }
    pubsub.addEventListener("gossipsub:message", (evt) => this.onGossip(evt.detail));
    libp2p.addEventListener("connection:open", (evt) => this.enforceConnectionLimit(evt.detail));
    libp2p.addEventListener("peer:connect", (evt) => {
      const peer = evt.detail.toString();
      if (this.scores.isBanned(peer)) {
        void this.disconnect(evt.detail, "banned");
        return;
      }
      this.pollStatus(evt.detail);
    });
    libp2p.addEventListener("peer:disconnect", (evt) => {
      const peer = evt.detail.toString();
      this.statuses.delete(peer);
      this.dialer.onDisconnect(peer);
    });
  }

  /** Listens, subscribes to the chain's topics and dials the configured peers. */
  async start(): Promise<void> {
    if (this.state !== "created") {
      if (this.state === "stopped")
        throw new P2PError("P2P_NOT_RUNNING", "a stopped p2p host cannot start again");
      return;
    }
    this.state = "starting";
    try {
      await this.libp2p.start();
    } catch (err) {
      this.state = "stopped";
      try {
        await this.libp2p.stop();
      } catch {
        // already failing: the listen error is the one to report
      }
      const why = (err as Error).message;
      throw new P2PError("P2P_LISTEN_FAILED", `p2p: cannot listen on ${this.opts.config.laddr}: ${why}`, {
        cause: err,
      });
    }
    for (const kind of GOSSIP_KINDS) this.libp2p.services.pubsub.subscribe(this.topics[kind]);
    this.statusTimer = setInterval(() => {
      for (const peer of this.libp2p.getPeers()) this.pollStatus(peer);
    }, this.timing.statusIntervalMs);
    this.statusTimer.unref();
    this.state = "running";
    this.dialer.start();
    this.opts.logger.info({ peerId: this.peerId, listen: this.listenAddresses() }, "p2p host started");
  }

  /** Closes every connection and stops listening. Safe to call more than once. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.state = "stopped";
      this.stopping = (async () => {
        if (this.statusTimer !== undefined) clearInterval(this.statusTimer);
        this.dialer.stop();
        this.batcher.stop();
        this.assembler.clear();
        this.statuses.clear();
        await this.libp2p.stop();
      })();
    }
    return this.stopping;
  }

  /** Addresses others can dial, each ending in /p2p/<peer id>. */
  listenAddresses(): string[] {
    return this.libp2p.getMultiaddrs().map((ma) => ma.toString());
  }

  consensusTransport(): Transport {
    return {
      broadcastProposal: (bytes) => this.publish("proposal", bytes),
      broadcastBlock: (bytes) => this.broadcastBlock(bytes),
      broadcastVote: (bytes) => this.publish("vote", bytes),
      broadcastEvidence: (bytes) => this.publish("evidence", bytes),
      onMessage: (handler) => {
        this.consensusHandlers.add(handler);
        return () => this.consensusHandlers.delete(handler);
      },
      reportInvalid: (from, reason) => this.reportInvalid(from, reason),
    };
  }

  syncNetwork(): SyncNetwork {
    return {
      peerStatuses: () => this.peerStatuses(),
      fetchBlocks: (peer, from, count) => this.fetchBlocks(peer, from, count),
      reportInvalid: (peer, reason) => this.reportInvalid(peer, reason),
    };
  }

  /** Latest status of every connected peer that answered one. */
  peerStatuses(): PeerChainStatus[] {
    return [...this.statuses.values()].filter((s) => this.isConnected(s.peer)).map((s) => ({ ...s }));
  }

  /**
   * Peers this host's gossip reaches now: subscribed to this chain's topics, and with gossipsub's
   * outbound stream to them open. gossipsub learns a subscription over the peer's stream to us and
   * sends over its own stream to the peer, which may still be opening: a publish then skips that
   * peer. Consensus re-sends its messages, so the node does not depend on this; a test that
   * publishes once waits for it.
   */
  gossipPeers(): string[] {
    const pubsub = this.libp2p.services.pubsub;
    // A public field of gossipsub's class, not of its interface (@libp2p/gossipsub 17).
    const outbound = (pubsub as unknown as { streamsOutbound?: ReadonlyMap<string, unknown> })
      .streamsOutbound;
    if (outbound === undefined)
      throw new P2PError("P2P_INTERNAL", "@libp2p/gossipsub no longer exposes streamsOutbound");
    return pubsub
      .getSubscribers(this.topics.vote)
      .map((p) => p.toString())
      .filter((p) => outbound.has(p));
  }

  netInfo(): NetInfo {
    const peers: NetInfoPeer[] = [];
    const seen = new Set<string>();
    for (const conn of this.openConnections()) {
      const id = conn.remotePeer.toString();
      if (seen.has(id)) continue;
      seen.add(id);
      peers.push({
        peerId: id,
        address: conn.remoteAddr.toString(),
        direction: conn.direction,
        height: this.statuses.get(id)?.height ?? null,
        score: this.scores.score(id),
      });
    }
    return { peerId: this.peerId, listenAddresses: this.listenAddresses(), peers };
  }

  /** Scores the peer down for an invalid message; enough of them ban it. */
  reportInvalid(peer: string, reason: string): void {
    this.penalize(peer, PENALTY_INVALID, reason);
  }

  // ---- gossip ----

  private publish(kind: GossipKind, bytes: Uint8Array): void {
    if (this.state !== "running") {
      this.opts.logger.debug({ kind }, "p2p host not running: message not sent");
      return;
    }
    if (bytes.length > this.opts.config.max_message_bytes) {
      this.opts.logger.debug(
        { kind, bytes: bytes.length },
        "message larger than p2p.max_message_bytes: not sent",
      );
      return;
    }
    this.libp2p.services.pubsub.publish(this.topics[kind], bytes).catch((err: unknown) => {
      this.opts.logger.debug({ kind, err: (err as Error).message }, "gossip publish failed");
    });
  }

  /**
   * Sends a block as a CompactBlock in parts. The txs batched for gossip go first, so peers hold
   * every tx of the block this node has, and the block's txs stay findable here for peers that ask.
   */
  private broadcastBlock(block: Uint8Array): void {
    let parts: Uint8Array[];
    try {
      const compact = compactBlock(block);
      for (const [i, tx] of compact.txs.entries()) this.seenTxs.add(tx, compact.hashes[i]);
      this.batcher.flush();
      parts = splitBlock(compact.bytes, this.partSize, this.nextBroadcastId++);
    } catch (err) {
      this.opts.logger.debug({ bytes: block.length, err: (err as Error).message }, "block not sent");
      return;
    }
    for (const part of parts) this.publish("block_part", part);
  }

  private broadcastTx(tx: Uint8Array, hash?: Uint8Array): void {
    if (this.state !== "running") return;
    this.seenTxs.add(tx, hash);
    if (!this.batcher.add(tx))
      this.opts.logger.debug({ bytes: tx.length }, "tx larger than a gossip message: not sent");
  }

  private validate(
    kind: GossipKind,
    peer: PeerId,
    msg: Message,
  ): TopicValidatorResult | Promise<TopicValidatorResult> {
    // The relaying neighbour answers for what fails these checks: it runs the same ones before it
    // relays, so only a faulty or hostile neighbour passes such bytes on.
    const from = peer.toString();
    if (msg.type === "signed" && this.scores.isBanned(msg.from.toString()))
      return TopicValidatorResult.Ignore;
    if (msg.data.length > this.opts.config.max_message_bytes) {
      this.penalize(from, PENALTY_INVALID, `oversized ${kind} message (${msg.data.length} bytes)`);
      return TopicValidatorResult.Reject;
    }
    let checked: CheckedGossip;
    try {
      checked = checkGossip(kind, msg.data);
    } catch (err) {
      this.penalize(from, PENALTY_INVALID, `invalid ${kind} message: ${(err as Error).message}`);
      return TopicValidatorResult.Reject;
    }
    if (checked.kind === "tx")
      return this.admitTxs(checked.txs, msg.type === "signed" ? msg.from.toString() : from);
    this.checked.set(msg, checked);
    return TopicValidatorResult.Accept;
  }

  /**
   * A batch of peers' txs goes to the mempool before gossipsub relays it, as CometBFT relays only
   * what its mempool admitted: forged txs stop at the first honest node, and a batch that brings
   * this node nothing new is not relayed. The checks also take long enough (signatures, on the
   * verify workers) for the IDONTWANTs of the peers that got the batch straight from its author
   * to arrive first, so the relay skips them: in a small full mesh each node would otherwise
   * receive every batch three times.
   */
  private async admitTxs(txs: readonly Uint8Array[], author: string): Promise<TopicValidatorResult> {
    // Hashed once here: the record of seen txs and the mempool both key txs by it.
    const hashes = txs.map((tx) => sha256(tx));
    for (const [i, tx] of txs.entries()) {
      this.seenTxs.add(tx, hashes[i]);
      for (const h of this.txHandlers) {
        try {
          h(tx, author);
        } catch (err) {
          this.opts.logger.error({ err }, "tx gossip handler threw");
        }
      }
    }
    const admit = this.txAdmission;
    if (admit === undefined) return TopicValidatorResult.Accept;
    const verdicts = await Promise.allSettled(txs.map((tx, i) => admit(tx, author, hashes[i]!)));
    let admitted = false;
    for (const v of verdicts) {
      if (v.status === "rejected") {
        this.opts.logger.error({ err: v.reason }, "admitting a peer's tx failed");
        continue;
      }
      if (v.value === "forged") return TopicValidatorResult.Reject;
      if (v.value === "admitted") admitted = true;
    }
    return admitted ? TopicValidatorResult.Accept : TopicValidatorResult.Ignore;
  }

  private onGossip(detail: GossipsubMessage): void {
    const { msg } = detail;
    const kind = this.kindOfTopic.get(msg.topic);
    // Txs reached the mempool while their batch was validated (admitTxs).
    if (kind === undefined || kind === "tx") return;
    // The author (the message is signed); consensus and the mempool report invalid content to it.
    const from = msg.type === "signed" ? msg.from.toString() : detail.propagationSource.toString();
    let checked = this.checked.get(msg);
    if (checked === undefined) {
      try {
        checked = checkGossip(kind, msg.data);
      } catch {
        return; // validated already; unreachable unless the message object was copied
      }
    }
    switch (checked.kind) {
      case "proposal":
      case "vote":
      case "evidence":
        this.deliver({ kind: checked.kind, bytes: msg.data, from });
        return;
      case "block_part": {
        const result = this.assembler.add(checked.part, from);
        if (result.kind === "complete") void this.deliverCompactBlock(result.block, result.from);
        else if (result.kind === "bad")
          for (const p of result.peers) this.penalize(p, PENALTY_INVALID, result.reason);
        return;
      }
    }
  }

  private async deliverCompactBlock(compact: Uint8Array, author: string): Promise<void> {
    const result = await rebuildBlock(compact, author, {
      find: (hash) => this.findTx(hash),
      peersToAsk: (first) => {
        const peers = this.libp2p.getPeers().map((p) => p.toString());
        return peers.includes(first) ? [first, ...peers.filter((p) => p !== first)] : peers;
      },
      fetchTxs: (peer, hashes) => this.fetchTxs(peer, hashes),
      reportBadAnswer: (peer, reason) => this.penalize(peer, PENALTY_INVALID, reason),
      maxBlockBytes: this.limits.maxBlockBytes,
      maxTxsPerRequest: this.limits.maxTxsPerRequest,
      retryDelaysMs: TX_FETCH_RETRY_DELAYS_MS,
    });
    if (this.state !== "running") return;
    if (result.kind === "bad") this.penalize(author, PENALTY_INVALID, result.reason);
    else if (result.kind === "incomplete")
      this.opts.logger.info({ author, missing: result.missing }, "block not rebuilt: txs found nowhere");
    else {
      if (result.fetched > 0)
        this.opts.logger.debug({ author, fetched: result.fetched }, "block txs fetched");
      this.deliver({ kind: "block", bytes: result.bytes, from: author });
    }
  }

  private findTx(hash: Uint8Array): Uint8Array | undefined {
    return this.seenTxs.get(hash) ?? this.txFinder?.(hash);
  }

  private async fetchTxs(peer: string, hashes: Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const bytes = await request(
      this.libp2p,
      peerIdFromString(peer),
      txsProtocol(this.opts.chainId),
      encodeTxsRequest(hashes),
      {
        timeoutMs: this.timing.txFetchTimeoutMs,
        maxResponseBytes: this.limits.maxBlockBytes + 1024,
      },
    );
    let txs: (Uint8Array | undefined)[];
    try {
      txs = parseTxsResponse(bytes, hashes);
    } catch (err) {
      throw new BadTxsAnswer(`bad txs response: ${(err as Error).message}`);
    }
    // Kept to answer peers further from the author, which ask this node in turn.
    for (const [i, tx] of txs.entries()) if (tx !== undefined) this.seenTxs.add(tx, hashes[i]);
    return txs;
  }

  private async answerTxs(req: Uint8Array, peer: string): Promise<Uint8Array> {
    let hashes: Uint8Array[];
    try {
      hashes = parseTxsRequest(req, this.limits.maxTxsPerRequest);
    } catch (err) {
      this.penalize(peer, PENALTY_INVALID, `malformed txs request: ${(err as Error).message}`);
      throw err;
    }
    return encodeTxsResponse(
      hashes.map((h) => this.findTx(h)),
      this.limits.maxBlockBytes,
    );
  }

  private deliver(message: InboundMessage): void {
    for (const h of this.consensusHandlers) {
      try {
        h(message);
      } catch (err) {
        this.opts.logger.error({ err, kind: message.kind }, "consensus message handler threw");
      }
    }
  }

  // ---- scoring ----

  private penalize(peer: string, points: number, reason: string): void {
    if (peer === "self" || peer === this.peerId) return;
    const banned = this.scores.penalize(peer, points);
    this.opts.logger.debug({ peer, reason, score: this.scores.score(peer) }, "peer scored down");
    if (!banned) return;
    this.opts.logger.warn({ peer, reason, banMs: this.opts.config.ban_duration_ms }, "peer banned");
    this.statuses.delete(peer);
    let id: PeerId;
    try {
      id = peerIdFromString(peer);
    } catch {
      return;
    }
    void this.disconnect(id, "banned");
  }

  private async disconnect(peer: PeerId, why: string): Promise<void> {
    try {
      await this.libp2p.hangUp(peer);
      this.opts.logger.debug({ peer: peer.toString(), why }, "disconnected peer");
    } catch (err) {
      this.opts.logger.debug({ peer: peer.toString(), err: (err as Error).message }, "hang up failed");
    }
  }

  // libp2p admits connections that were pending together past maxConnections, and its pruner
  // never closes a connection with a gossipsub stream on it; the limit is enforced here: the newest
  // connection goes, unless it is to a persistent peer, then the newest other one does.
  private enforceConnectionLimit(opened: Connection): void {
    const conns = this.openConnections();
    let excess = conns.length - this.opts.config.max_connections;
    if (excess <= 0) return;
    const persistent = new Set(this.persistent.map((p) => p.peerId));
    const candidates = conns
      .filter((c) => !persistent.has(c.remotePeer.toString()))
      .sort((a, b) => (a === opened ? -1 : b === opened ? 1 : b.timeline.open - a.timeline.open));
    for (const c of candidates) {
      if (excess-- <= 0) break;
      this.opts.logger.debug(
        { peer: c.remotePeer.toString() },
        "p2p.max_connections reached: closing a connection",
      );
      c.close().catch((err: unknown) => c.abort(err as Error));
    }
  }

  private isConnected(peer: string): boolean {
    let id: PeerId;
    try {
      id = peerIdFromString(peer);
    } catch {
      return false;
    }
    return this.openConnections(id).length > 0;
  }

  // Connections being closed (pruned, banned) stay listed by libp2p until the close completes.
  private openConnections(peer?: PeerId): Connection[] {
    return this.libp2p.getConnections(peer).filter((c) => c.status === "open");
  }

  // ---- status and block sync ----

  private async answerBlocks(req: Uint8Array, peer: string): Promise<Uint8Array> {
    let parsed: { from: number; count: number };
    try {
      parsed = parseBlocksRequest(req);
    } catch (err) {
      this.penalize(peer, PENALTY_INVALID, "malformed blocks request");
      throw err;
    }
    const count = Math.min(parsed.count, this.limits.maxBlocksPerRequest);
    const blocks = count === 0 ? [] : await this.opts.sync.getBlocks(parsed.from, count);
    return encodeBlocksResponse(blocks, count, this.limits.maxBlocksResponseBytes);
  }

  private pollStatus(peer: PeerId): void {
    const id = peer.toString();
    if (this.state !== "running" || this.statusInFlight.has(id)) return;
    this.statusInFlight.add(id);
    this.requestStatus(peer)
      .catch((err: unknown) => {
        const e = err as P2PError;
        const cause = (e.cause as Error | undefined)?.name;
        if (cause === "UnsupportedProtocolError") {
          // It speaks libp2p but not this chain's protocols: another chain or another program.
          this.opts.logger.info({ peer: id }, "peer does not serve this chain: disconnecting");
          void this.disconnect(peer, "other chain");
        } else {
          this.opts.logger.debug({ peer: id, err: e.message }, "status request failed");
        }
      })
      .finally(() => this.statusInFlight.delete(id));
  }

  private async requestStatus(peer: PeerId): Promise<void> {
    const id = peer.toString();
    const bytes = await request(this.libp2p, peer, statusProtocol(this.opts.chainId), encodeStatusRequest(), {
      timeoutMs: this.timing.requestTimeoutMs,
      maxResponseBytes: STATUS_RESPONSE_MAX_BYTES,
    });
    let status: ChainStatus;
    try {
      status = parseStatus(bytes);
    } catch (err) {
      this.penalize(id, PENALTY_INVALID, `bad status response: ${(err as Error).message}`);
      return;
    }
    if (status.chainId !== this.opts.chainId) {
      this.opts.logger.info({ peer: id, chainId: status.chainId }, "peer is on another chain: disconnecting");
      this.statuses.delete(id);
      await this.disconnect(peer, "other chain");
      return;
    }
    if (this.isConnected(id)) this.statuses.set(id, { peer: id, base: status.base, height: status.height });
  }

  /** Blocks `from` .. `from + count - 1` from `peer` (count capped). Rejects with P2PError. */
  async fetchBlocks(peer: string, from: number, count: number): Promise<SyncedBlock[]> {
    if (this.state !== "running") throw new P2PError("P2P_NOT_RUNNING", "p2p host is not running");
    const n = Math.max(0, Math.min(Math.floor(count), this.limits.maxBlocksPerRequest));
    if (n === 0) return [];
    let id: PeerId;
    try {
      id = peerIdFromString(peer);
    } catch (err) {
      throw new P2PError("P2P_REQUEST_FAILED", `not a peer id: ${peer}`, { cause: err });
    }
    if (this.scores.isBanned(peer)) throw new P2PError("P2P_PEER_BANNED", `peer ${peer} is banned`);
    const bytes = await request(
      this.libp2p,
      id,
      blocksProtocol(this.opts.chainId),
      encodeBlocksRequest(from, n),
      {
        timeoutMs: this.timing.requestTimeoutMs,
        maxResponseBytes: this.limits.maxBlocksResponseBytes + this.limits.maxBlockBytes + RPC_OVERHEAD_BYTES,
      },
    );
    try {
      return parseBlocksResponse(bytes, n);
    } catch (err) {
      this.penalize(peer, PENALTY_INVALID, "bad blocks response");
      throw new P2PError("P2P_BAD_RESPONSE", `blocks response from ${peer}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
