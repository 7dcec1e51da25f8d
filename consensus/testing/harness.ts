// Test harness for the consensus driver: real LevelDB in a temp dir, real keys, real signer and
// WAL, the KvApp, and helpers to wait for heights and to drive time by hand.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { addressFromPublicKey } from "../../crypto/address.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { encode } from "../../proto/canonical.js";
import { Block, Commit, KeyType, ValidatorInfo } from "../../proto/index.js";
import { BlockStore } from "../../state/block-store.js";
import { KyochiDb } from "../../state/db.js";
import { compareBytes } from "../core/proposer.js";
import type { Clock, TimerHandle } from "../driver/clock.js";
import type { ConsensusConfig } from "../driver/config.js";
import { type CommitEvent, ConsensusDriver } from "../driver/driver.js";
import type {
  ConsensusMessageKind,
  MessageHandler,
  PeerChainStatus,
  SyncedBlock,
  SyncNetwork,
  Transport,
} from "../driver/transport.js";
import type { Logger } from "../logger.js";
import { KvApp, type KvAppOptions } from "./kv-app.js";
import { TxQueue } from "./tx-queue.js";

export const CHAIN_ID = "kyochi-consensus-test";

/** Fast timeouts: 50 ms blocks, rounds that never expire in a healthy test. */
export const FAST: Partial<ConsensusConfig> = {
  timeoutCommitMs: 50,
  timeoutProposeMs: 2000,
  timeoutPrevoteMs: 500,
  timeoutPrecommitMs: 500,
  timeoutDeltaMs: 100,
};

export function validatorKeys(n: number): { keys: SigningKey[]; validators: ValidatorInfo[] } {
  const keys = Array.from({ length: n }, () => generateSigningKey(KeyType.KEY_TYPE_ED25519));
  const entries = keys
    .map((key) => ({ key, address: addressFromPublicKey(KeyType.KEY_TYPE_ED25519, key.publicKey) }))
    .sort((a, b) => compareBytes(a.address, b.address));
  return {
    keys: entries.map((e) => e.key),
    validators: entries.map((e) =>
      ValidatorInfo.create({ address: e.address, pubKey: e.key.publicKey, power: 10, proposerPriority: 0 }),
    ),
  };
}

export interface TestNode {
  dir: string;
  db: KyochiDb;
  blockStore: BlockStore;
  app: KvApp;
  txs: TxQueue;
  consensus: ConsensusDriver;
  commits: CommitEvent[];
  errors: Error[];
  /** Stops consensus and closes the database. */
  close(): Promise<void>;
}

export async function openNode(opts: {
  dir: string;
  key: SigningKey | null;
  validators: ValidatorInfo[];
  config?: Partial<ConsensusConfig>;
  app?: Omit<KvAppOptions, "db" | "resultsStore">;
  /** The app stores each block's BlockResults in the node's block store itself. */
  appStoresResults?: boolean;
  /** A separate database for the app ("own" storage). */
  appDbDir?: string;
  transport?: Transport;
  syncNetwork?: SyncNetwork;
  clock?: Clock;
  audit?: boolean;
  logger?: Logger;
}): Promise<TestNode> {
  const dataDir = join(opts.dir, "data");
  mkdirSync(dataDir, { recursive: true });
  const db = await KyochiDb.open(join(dataDir, "db"));
  const appDb = opts.appDbDir ? await KyochiDb.open(opts.appDbDir) : db;
  const blockStore = await BlockStore.open(db);
  const app = await KvApp.open({
    db: appDb,
    ...opts.app,
    ...(opts.appStoresResults ? { resultsStore: blockStore } : {}),
  });
  const txs = new TxQueue();
  const consensus = new ConsensusDriver({
    chainId: CHAIN_ID,
    db,
    blockStore,
    app,
    txSource: txs,
    validatorSet: opts.validators,
    privValidatorKey: opts.key,
    homeDataDir: dataDir,
    config: opts.config ?? FAST,
    transport: opts.transport,
    syncNetwork: opts.syncNetwork,
    blockSyncIntervalMs: 50,
    clock: opts.clock,
    logger: opts.logger,
    signerAuditLogPath: opts.audit ? join(dataDir, "signer_audit.jsonl") : undefined,
  });
  const commits: CommitEvent[] = [];
  const errors: Error[] = [];
  consensus.onCommit((e) => commits.push(e));
  consensus.onError((e) => errors.push(e));
  return {
    dir: opts.dir,
    db,
    blockStore,
    app,
    txs,
    consensus,
    commits,
    errors,
    async close() {
      await consensus.stop();
      await db.close();
      if (appDb !== db) await appDb.close();
    },
  };
}

/** Resolves when `node` has committed `height` (rejects if consensus halts first). */
export function waitForHeight(node: TestNode, height: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (node.consensus.status().lastHeight >= height) {
        offCommit();
        offError();
        resolve();
      }
    };
    const offCommit = node.consensus.onCommit(check);
    const offError = node.consensus.onError((err) => {
      offCommit();
      offError();
      reject(err);
    });
    check();
  });
}

/** Resolves when consensus halts (the way a crash-injecting test app stops it). */
export function waitForHalt(node: TestNode): Promise<Error> {
  return new Promise((resolve) => {
    if (node.errors.length > 0) return resolve(node.errors[0]!);
    const off = node.consensus.onError((err) => {
      off();
      resolve(err);
    });
  });
}

/**
 * A clock that only moves when told to: timers fire in time order during `advance`, and after
 * each one the driver's queue is drained, so a test steps consensus deterministically.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  pending(): number {
    return this.timers.size;
  }

  /** Moves time on without firing timers: a computation that took `ms` (e.g. a slow block). */
  skip(ms: number): void {
    this.time += ms;
  }

  async advance(ms: number, drivers: ConsensusDriver[]): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await settle(drivers);
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) {
        if (
          entry[1].at <= target &&
          (!next || entry[1].at < next[1].at || (entry[1].at === next[1].at && entry[0] < next[0]))
        ) {
          next = entry;
        }
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = target;
    await settle(drivers);
  }
}

/** Waits until the drivers' queues are empty and no delivery is pending. */
export async function settle(drivers: ConsensusDriver[]): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const before = drivers.map((d) => d.idle());
    await Promise.all(before);
    await new Promise((r) => setImmediate(r));
    if (drivers.every((d, j) => d.idle() === before[j])) return;
  }
}

/** An in-memory network of several nodes: what one broadcasts, the others receive (asynchronously). */
export class MemoryHub {
  private readonly members = new Map<string, Set<MessageHandler>>();
  /** What drivers reported as invalid, in order (tests check that forgeries are reported). */
  readonly invalidReports: { by: string; peer: string; reason: string }[] = [];

  transport(id: string): Transport {
    const handlers = new Set<MessageHandler>();
    this.members.set(id, handlers);
    const send = (kind: ConsensusMessageKind, bytes: Uint8Array) => {
      const copy = Uint8Array.from(bytes);
      for (const [other, hs] of this.members) {
        if (other === id) continue;
        setImmediate(() => {
          for (const h of hs) h({ kind, bytes: copy, from: id });
        });
      }
    };
    return {
      broadcastProposal: (b) => send("proposal", b),
      broadcastBlock: (b) => send("block", b),
      broadcastVote: (b) => send("vote", b),
      broadcastEvidence: (b) => send("evidence", b),
      reportInvalid: (peer, reason) => this.invalidReports.push({ by: id, peer, reason }),
      onMessage(handler) {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
    };
  }
}

/**
 * Block sync over other test nodes' block stores (what node/p2p does over the network). A peer can
 * be made to lie: `tamper` rewrites the blocks it serves.
 */
export class MemorySyncNetwork implements SyncNetwork {
  readonly invalid: { peer: string; reason: string }[] = [];
  readonly served = new Map<string, number>();
  private readonly peers: Map<string, { node: TestNode; tamper?: (block: Block) => Block }>;

  constructor(peers: Record<string, { node: TestNode; tamper?: (block: Block) => Block }>) {
    this.peers = new Map(Object.entries(peers));
  }

  peerStatuses(): PeerChainStatus[] {
    return [...this.peers].map(([peer, p]) => ({
      peer,
      base: p.node.blockStore.base,
      height: p.node.blockStore.height,
    }));
  }

  async fetchBlocks(peer: string, from: number, count: number): Promise<SyncedBlock[]> {
    const p = this.peers.get(peer);
    if (!p) throw new Error(`no peer ${peer}`);
    const out: SyncedBlock[] = [];
    for (let h = from; h < from + count && h <= p.node.blockStore.height; h++) {
      const block = await p.node.blockStore.getBlock(h);
      const commit = await p.node.blockStore.getCommit(h);
      if (!block || !commit) break;
      const served = p.tamper ? p.tamper(block) : block;
      out.push({ block: encode(Block, served), commit: encode(Commit, commit) });
    }
    this.served.set(peer, (this.served.get(peer) ?? 0) + out.length);
    return out;
  }

  reportInvalid(peer: string, reason: string): void {
    this.invalid.push({ peer, reason });
  }
}
