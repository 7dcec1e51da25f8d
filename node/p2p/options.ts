// The host's options and the shapes it hands out (to the node, the mempool, the net_info RPC).
import type { PrivateKey } from "@libp2p/interface";
import type { SyncedBlock } from "../../consensus/driver/transport.js";
import type { NodeConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { DEFAULT_BAN_THRESHOLD, DEFAULT_HALF_LIFE_MS } from "./peer-scores.js";

/** What this node can serve to block sync; the node wires it to its block store. */
export interface SyncProvider {
  /** Lowest and highest block this node can serve. */
  status(): { base: number; height: number };
  /** Blocks `from` .. `from + count - 1` with their commits, fewer when it has fewer. */
  getBlocks(from: number, count: number): Promise<SyncedBlock[]>;
}

export interface P2PTiming {
  /** How often every connected peer is asked for its status. */
  statusIntervalMs: number;
  /** Time limit of one status or blocks request. */
  requestTimeoutMs: number;
  redialBaseMs: number;
  redialMaxMs: number;
  /**
   * How long txs are collected into one gossip batch. Each gossip message costs every node a
   * signature check, relays, frames and socket writes whatever it carries; clients mostly send one
   * tx at a time, so at 5 ms a loaded 4-validator devnet gossiped about one tx per message. 50 ms
   * (CometBFT flushes its connections every 100 ms) is small next to a 1 s block.
   */
  txBatchDelayMs: number;
  /**
   * Time limit of one request for a block's missing txs. A compact block waits on it, so it is
   * short next to a round's timeouts: a peer that is slow to answer is given up for the next.
   */
  txFetchTimeoutMs: number;
}

export interface P2PLimits {
  /** Most blocks asked for or served in one blocks request. */
  maxBlocksPerRequest: number;
  /** Most bytes of one blocks response. */
  maxBlocksResponseBytes: number;
  /** Largest block joined from parts. */
  maxBlockBytes: number;
  maxPartialSets: number;
  maxBufferedPartBytes: number;
  banThreshold: number;
  scoreHalfLifeMs: number;
  /** Bytes of recently seen txs kept to rebuild compact blocks and answer peers' tx requests. */
  seenTxsBytes: number;
  /** Most txs asked for in one request for a block's missing txs. */
  maxTxsPerRequest: number;
}

export const DEFAULT_TIMING: P2PTiming = {
  statusIntervalMs: 2000,
  requestTimeoutMs: 15_000,
  redialBaseMs: 500,
  redialMaxMs: 30_000,
  txBatchDelayMs: 50,
  txFetchTimeoutMs: 2000,
};

export const DEFAULT_LIMITS: P2PLimits = {
  maxBlocksPerRequest: 64,
  maxBlocksResponseBytes: 32 * 1024 * 1024,
  maxBlockBytes: 32 * 1024 * 1024,
  maxPartialSets: 8,
  maxBufferedPartBytes: 64 * 1024 * 1024,
  banThreshold: DEFAULT_BAN_THRESHOLD,
  scoreHalfLifeMs: DEFAULT_HALF_LIFE_MS,
  seenTxsBytes: 32 * 1024 * 1024,
  maxTxsPerRequest: 16_384,
};

export interface P2PHostOptions {
  privateKey: PrivateKey;
  chainId: string;
  config: NodeConfig["p2p"];
  logger: Logger;
  sync: SyncProvider;
  timing?: Partial<P2PTiming>;
  limits?: Partial<P2PLimits>;
}

/**
 * What the mempool made of a peer's tx. A tx batch is relayed only when one of its txs was
 * admitted (new to this node and valid), and refused as invalid when one was forged.
 */
export type GossipTxVerdict = "admitted" | "not-admitted" | "forged";

export interface TxGossip {
  /**
   * Gossips a tx this node accepted (txs received by gossip are relayed by gossipsub already);
   * `hash` is its sha256 when the caller has it.
   */
  broadcastTx(bytes: Uint8Array, hash?: Uint8Array): void;
  /** Observes peers' txs (each tx of a batch, before the batch is relayed). */
  onTx(handler: (bytes: Uint8Array, from: string) => void): () => void;
  /**
   * Sets what decides on peers' txs (the mempool; `hash` is the tx's sha256): a batch is relayed
   * only once its txs have their verdicts. Without it every decodable batch is relayed. Returns a
   * function that unsets it.
   */
  admitWith(
    admit: (bytes: Uint8Array, from: string, hash: Uint8Array) => Promise<GossipTxVerdict>,
  ): () => void;
  /**
   * Sets where txs are found by sha256 besides the host's own record of recent ones (the
   * mempool): compact blocks are rebuilt from them and peers' requests for txs answered.
   */
  findWith(find: (hash: Uint8Array) => Uint8Array | undefined): () => void;
  reportInvalid(peer: string, reason: string): void;
}

export interface NetInfoPeer {
  peerId: string;
  address: string;
  direction: "inbound" | "outbound";
  height: number | null;
  score: number;
}

export interface NetInfo {
  peerId: string;
  listenAddresses: string[];
  peers: NetInfoPeer[];
}
