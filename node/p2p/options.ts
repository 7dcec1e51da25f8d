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
}

export const DEFAULT_TIMING: P2PTiming = {
  statusIntervalMs: 2000,
  requestTimeoutMs: 15_000,
  redialBaseMs: 500,
  redialMaxMs: 30_000,
  txBatchDelayMs: 50,
};

export const DEFAULT_LIMITS: P2PLimits = {
  maxBlocksPerRequest: 64,
  maxBlocksResponseBytes: 32 * 1024 * 1024,
  maxBlockBytes: 32 * 1024 * 1024,
  maxPartialSets: 8,
  maxBufferedPartBytes: 64 * 1024 * 1024,
  banThreshold: DEFAULT_BAN_THRESHOLD,
  scoreHalfLifeMs: DEFAULT_HALF_LIFE_MS,
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

export interface TxGossip {
  /** Gossips a tx this node accepted (txs received by gossip are relayed by gossipsub already). */
  broadcastTx(bytes: Uint8Array): void;
  onTx(handler: (bytes: Uint8Array, from: string) => void): () => void;
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
