// The driver's public surface: how a node creates it, what it reports (status, commits,
// evidence, rejected messages) and the handle it holds on the engine.
import type { SigningKey } from "../../crypto/keys.js";
import type { Block, BlockResults, Commit, ValidatorInfo, Vote } from "../../proto/index.js";
import type { KyochiDb } from "../../state/db.js";
import type { Application } from "../application.js";
import type { VoteType as CoreVoteType, Step } from "../core/types.js";
import type { Logger } from "../logger.js";
import type { TxSource } from "../mempool-port.js";
import type { BlockStorePort } from "./block-store-port.js";
import type { Clock } from "./clock.js";
import type { ConsensusConfig } from "./config.js";
import type { InboundMessage, SyncNetwork, Transport } from "./transport.js";

export interface ConsensusOptions {
  chainId: string;
  db: KyochiDb;
  blockStore: BlockStorePort;
  app: Application;
  txSource: TxSource;
  /** Genesis validators, sorted by address. */
  validatorSet: readonly ValidatorInfo[];
  /** This node's Ed25519 consensus key; null or absent for a node that follows without voting. */
  privValidatorKey?: SigningKey | null;
  /** The home's data/ directory: the signer state and the WAL live there. */
  homeDataDir: string;
  config?: Partial<ConsensusConfig>;
  logger?: Logger;
  /** Defaults to a LocalTransport (a single node). */
  transport?: Transport;
  clock?: Clock;
  /** Genesis time (unix ms): the first block's time is after it. */
  genesisTimeMs?: number;
  /** Appends every new signature to this file (JSON lines) for audits and crash tests. */
  signerAuditLogPath?: string;
  /** Block sync over the network; without it the node only follows consensus messages. */
  syncNetwork?: SyncNetwork;
  /** How often to compare heights with peers for block sync (default 1000 ms). */
  blockSyncIntervalMs?: number;
}

export interface ConsensusStatus {
  /** Height being decided (last committed + 1). */
  height: number;
  round: number;
  step: Step | "new_height";
  /** Last committed height (0 before the first block). */
  lastHeight: number;
  lastBlockHash: Uint8Array;
  lastBlockTimeMs: number;
  /** App hash after the last committed height. */
  latestAppHash: Uint8Array;
  /** This node's validator address, or null when it does not sign. */
  validatorAddress: Uint8Array | null;
}

export interface CommitEvent {
  height: number;
  round: number;
  block: Block;
  blockHash: Uint8Array;
  commit: Commit;
  results: BlockResults;
}

export interface EvidenceEvent {
  type: CoreVoteType;
  height: number;
  round: number;
  validatorAddress: Uint8Array;
  first: Vote;
  second: Vote;
}

export interface RejectedMessage {
  kind: InboundMessage["kind"];
  from: string;
  reason: string;
}

/** The handle a node holds on its consensus engine. */
export interface Consensus {
  /** Opens the signer and WAL, runs the handshake, then starts deciding blocks (resolves once running). */
  start(): Promise<void>;
  /** Stops timers and intake, finishes a commit in progress (or abandons a block being built), resolves when idle. */
  stop(): Promise<void>;
  /** Called after each block is durably committed. Returns an unsubscribe function. */
  onCommit(cb: (event: CommitEvent) => void): () => void;
  /** A fatal error (a block could not be written): the node must exit; the handshake repairs on restart. */
  onError(cb: (err: Error) => void): () => void;
  status(): ConsensusStatus;
}
