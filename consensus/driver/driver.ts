// Runs the pure consensus core for a real node. It owns everything the core must not touch:
// timers, the signer, the WAL, the network, block building and checking, and the commit of a
// decided block. All work happens in one serial task queue (messages, timeouts, the start of a
// height), so the core sees one input at a time and no state changes under an `await`.
//
// Own messages: built, signed (the signer persists before returning), appended to the WAL with
// fsync, then broadcast and fed to the core directly (not through the transport).
// Received messages: decoded canonically, signature-checked against the validator set, logged to
// the WAL (no fsync), then fed to the core. Bad ones are dropped and reported.
// Decisions: finalizeBlock, then ONE batch (block + commit + results + proposer priorities + the
// application's state and indexes) written with sync, then the WAL is reset, the mempool
// updated and listeners told. A failure there halts the node: the handshake repairs on restart.
// Upgrade halts: when the application's info or commit names a height to halt at (HaltRequest),
// the driver never starts that height: start() refuses with UPGRADE_NEEDED, and a commit of the
// height before it halts (onError) instead of scheduling the next height. Nothing of that height
// is signed, logged or executed.
import { join } from "node:path";
import { addressFromPublicKey } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { blockHeaderHash, proposalSignBytes, voteSignBytes } from "../../crypto/ssz.js";
import { bytesEqual, decodeCanonical, encode } from "../../proto/canonical.js";
import {
  Block,
  BlockResults,
  Commit,
  Evidence,
  KeyType,
  kyochi,
  Proposal,
  Vote,
  WalEntry,
} from "../../proto/index.js";
import { WriteBatch } from "../../state/db.js";
import type { CommitInfo, HaltRequest } from "../application.js";
import {
  ConsensusCore,
  MAX_FUTURE_PROPOSAL_ROUNDS,
  MAX_PROPOSALS_PER_ROUND,
  MAX_ROUND,
} from "../core/state-machine.js";
import type { CoreEffect, CoreInput, VoteType as CoreVoteType, TimeoutStep } from "../core/types.js";
import { ConsensusError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import type {
  CommitEvent,
  Consensus,
  ConsensusOptions,
  ConsensusStatus,
  EvidenceEvent,
  RejectedMessage,
} from "./api.js";
import {
  buildBlock,
  type ChainTip,
  type CheckBlockContext,
  checkBlock,
  headerOf,
  nextBlockTime,
  resultsHash,
  ZERO_HASH,
} from "./block.js";
import { commitInfo, misbehaviorOf } from "./block-context.js";
import { BlockSyncFetcher } from "./block-sync.js";
import {
  advanceChainValidators,
  type ChainValidators,
  loadChainValidators,
  putChainValidators,
  validatorSetAt,
} from "./chain-validators.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import { buildCommit, verifyCommit } from "./commit.js";
import { type ConsensusConfig, resolveConsensusConfig } from "./config.js";
import { EvidencePool } from "./evidence.js";
import { handshake } from "./handshake.js";
import {
  coreVoteType,
  type FutureMessage,
  HeightState,
  type KnownBlock,
  protoVoteType,
  TIMEOUT_STEPS,
  voteKey,
} from "./height-state.js";
import { FileSigner } from "./signer.js";
import { type InboundMessage, LocalTransport, type SyncedBlock, type Transport } from "./transport.js";
import { ConsensusValidatorSet } from "./validator-set.js";
import { Wal } from "./wal.js";

export type {
  CommitEvent,
  Consensus,
  ConsensusOptions,
  ConsensusStatus,
  EvidenceEvent,
  RejectedMessage,
} from "./api.js";

export const PRIV_VALIDATOR_STATE_FILE = "priv_validator_state.json";
export const WAL_FILE = "consensus.wal";
/** Messages kept for the next height while this node finishes the current one. */
const MAX_FUTURE_MESSAGES = 10_000;
/** Distinct blocks kept per height (own, proposed, re-proposed); more is a flood. */
const MAX_BLOCKS_PER_HEIGHT = 64;
/** How often a node waiting for txs (createEmptyBlocks = false) looks at the mempool. */
const EMPTY_BLOCKS_POLL_MS = 50;
/** setTimeout's largest delay; longer round timeouts (absurd rounds) are clamped. */
const MAX_TIMER_MS = 0x7fffffff;
/** Own messages of an undecided height are sent again at most this often. */
const REBROADCAST_MIN_MS = 250;

type Phase = "new" | "starting" | "running" | "stopping" | "stopped" | "halted";

export class ConsensusDriver implements Consensus {
  private readonly opts: ConsensusOptions;
  private readonly config: ConsensusConfig;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly transport: Transport;
  private readonly genesisValidators: ConsensusValidatorSet;
  /** The last, current and next validator sets; loaded at start, advanced at every commit. */
  private cv!: ChainValidators;
  private readonly selfAddress: Uint8Array | null;
  private readonly selfPublicKey: Uint8Array | null;

  private phase: Phase = "new";
  private queue: Promise<void> = Promise.resolve();
  private readonly timers = new Set<TimerHandle>();
  private unsubscribe: (() => void) | null = null;
  private signer: FileSigner | null = null;
  private wal: Wal | null = null;
  private core: ConsensusCore;
  private tip!: ChainTip;
  /** Height being decided; `started` once the core runs it (false during the commit pause). */
  private height = 0;
  private started = false;
  /** Between heights with createEmptyBlocks = false: polling the mempool for txs. */
  private waitingForTxs = false;
  private hs = new HeightState();
  private future: FutureMessage[] = [];
  /** True while WAL entries are fed back after a restart (they are not logged again). */
  private replaying = false;

  private readonly commitListeners = new Set<(e: CommitEvent) => void>();
  private readonly evidenceListeners = new Set<(e: EvidenceEvent) => void>();
  private readonly rejectListeners = new Set<(e: RejectedMessage) => void>();
  private readonly evidence: EvidencePool;
  private readonly fetcher: BlockSyncFetcher | null;
  private readonly syncIntervalMs: number;
  private syncTimer: TimerHandle | null = null;
  private rebroadcastTimer: TimerHandle | null = null;
  /** The (height, round) this node last proposed in, and the re-send ticks since (see below). */
  private ownProposalRound = "";
  private ticksSinceOwnProposal = 0;
  /** When the height in progress began (block sync waits a little before fetching it). */
  private heightSince = 0;
  /** When this node last started a height (its proposal or its wait for one), by the local clock. */
  private heightStartedAt: number | undefined;
  private readonly errorListeners = new Set<(e: Error) => void>();

  constructor(opts: ConsensusOptions) {
    this.opts = opts;
    this.config = resolveConsensusConfig(opts.config);
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.transport = opts.transport ?? new LocalTransport();
    this.genesisValidators = ConsensusValidatorSet.fromValidators(opts.validatorSet);
    const key = opts.privValidatorKey ?? null;
    if (key && key.type !== KeyType.KEY_TYPE_ED25519) {
      throw new ConsensusError("SIGNER_BAD_KEY", "the validator key must be an Ed25519 key");
    }
    this.selfAddress = key ? addressFromPublicKey(key.type, key.publicKey) : null;
    this.selfPublicKey = key ? key.publicKey : null;
    this.core = this.newCore();
    this.fetcher = opts.syncNetwork
      ? new BlockSyncFetcher({ network: opts.syncNetwork, logger: this.logger })
      : null;
    this.syncIntervalMs = opts.blockSyncIntervalMs ?? 1000;
    this.evidence = new EvidencePool(opts.db, {
      chainId: opts.chainId,
      validatorsAt: async (h) => (h === this.height ? this.validators : validatorSetAt(opts.db, h)),
      blockTimeAt: async (h) => {
        const block = h <= this.tip.height ? await opts.blockStore.getBlock(h) : undefined;
        return block?.header ? Number(block.header.timeMs) : undefined;
      },
    });
  }

  /** What a block of the height in progress is checked against (proposed or fetched by sync). */
  private checkContext(): CheckBlockContext {
    return {
      chainId: this.opts.chainId,
      tip: this.tip,
      lastValidators: this.cv.last,
      validators: this.validators,
      nextValidators: this.cv.next.set,
      maxBlockBytes: this.config.maxBlockBytes,
    };
  }

  /** Who signed the commit `block` carries (the set of the previous height). */
  private lastCommitInfo(block: Block): CommitInfo {
    return this.cv.last ? commitInfo(block.lastCommit, this.cv.last) : { round: 0, votes: [] };
  }

  /** The set deciding the height in progress. */
  private get validators(): ConsensusValidatorSet {
    return this.cv.current.set;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(): Promise<void> {
    if (this.phase !== "new")
      throw new ConsensusError("ALREADY_STARTED", `consensus cannot start: it is ${this.phase}`);
    this.phase = "starting";
    try {
      const dataDir = this.opts.homeDataDir;
      const key = this.opts.privValidatorKey ?? null;
      if (key) {
        this.signer = await FileSigner.open({
          key,
          chainId: this.opts.chainId,
          statePath: join(dataDir, PRIV_VALIDATOR_STATE_FILE),
          auditLogPath: this.opts.signerAuditLogPath,
        });
      }
      const { wal, entries } = await Wal.open(join(dataDir, WAL_FILE), this.logger);
      this.wal = wal;
      await handshake({
        app: this.opts.app,
        blockStore: this.opts.blockStore,
        db: this.opts.db,
        validatorsAt: async (h) => (await validatorSetAt(this.opts.db, h)) ?? this.genesisValidators,
        logger: this.logger,
      });
      this.tip = await this.loadTip();
      this.height = this.tip.height + 1;
      const haltAt = (await this.opts.app.info()).haltAt;
      if (haltAt && haltAt.height <= this.height) throw new ConsensusError("UPGRADE_NEEDED", haltAt.reason);
      this.heightSince = this.clock.now();
      this.cv = await loadChainValidators(this.opts.db, this.height, this.genesisValidators);
      this.unsubscribe = this.transport.onMessage((m) => this.onTransportMessage(m));
      this.phase = "running";
      this.scheduleSync(0);
      this.scheduleRebroadcast();
      const replay = entries.filter((e) => Number(e.height) === this.height);
      this.logger.info(
        {
          height: this.height,
          validator: this.selfAddress ? toHex(this.selfAddress) : null,
          validators: this.validators.size,
          walEntries: replay.length,
        },
        "consensus starting",
      );
      this.enqueue(() => this.startHeight(replay));
    } catch (err) {
      this.phase = "stopped";
      await this.closeResources();
      throw err;
    }
  }

  /** Stops timers and intake, lets the task in progress finish (a commit always completes), then closes. */
  async stop(): Promise<void> {
    if (this.phase === "stopped") return;
    if (this.phase === "new") {
      this.phase = "stopped";
      return;
    }
    if (this.phase !== "halted") this.phase = "stopping";
    this.clearTimers();
    this.clearSyncTimer();
    this.clearRebroadcastTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.queue;
    await this.closeResources();
    this.phase = "stopped";
    this.logger.info({ lastHeight: this.tip?.height ?? 0 }, "consensus stopped");
  }

  onCommit(cb: (e: CommitEvent) => void): () => void {
    this.commitListeners.add(cb);
    return () => this.commitListeners.delete(cb);
  }

  onEvidence(cb: (e: EvidenceEvent) => void): () => void {
    this.evidenceListeners.add(cb);
    return () => this.evidenceListeners.delete(cb);
  }

  /** Messages dropped as malformed or forged (for peer scoring later; logged either way). */
  onReject(cb: (e: RejectedMessage) => void): () => void {
    this.rejectListeners.add(cb);
    return () => this.rejectListeners.delete(cb);
  }

  /** A fatal error (the block could not be committed, the WAL failed): the node must exit. */
  onError(cb: (e: Error) => void): () => void {
    this.errorListeners.add(cb);
    return () => this.errorListeners.delete(cb);
  }

  status(): ConsensusStatus {
    const snap = this.core.snapshot();
    const current = this.started && snap.height === this.height;
    return {
      height: this.height,
      round: current ? snap.round : 0,
      step: current ? snap.step : "new_height",
      lastHeight: this.tip?.height ?? 0,
      lastBlockHash: this.tip?.blockHash ?? ZERO_HASH,
      lastBlockTimeMs: this.tip?.timeMs ?? 0,
      latestAppHash: this.tip?.appHash ?? new Uint8Array(0),
      validatorAddress: this.selfAddress,
    };
  }

  /** Resolves once every queued task has run (tests and shutdown). */
  idle(): Promise<void> {
    return this.queue;
  }

  // ---------------------------------------------------------------- start-up

  private newCore(): ConsensusCore {
    return new ConsensusCore({
      selfAddress: this.selfAddress,
      timeouts: {
        proposeMs: this.config.timeoutProposeMs,
        prevoteMs: this.config.timeoutPrevoteMs,
        precommitMs: this.config.timeoutPrecommitMs,
        deltaMs: this.config.timeoutDeltaMs,
      },
    });
  }

  private async loadTip(): Promise<ChainTip> {
    const { blockStore, app } = this.opts;
    const info = await app.info();
    const height = blockStore.height;
    if (height === 0) {
      return {
        height: 0,
        blockHash: ZERO_HASH,
        timeMs: this.opts.genesisTimeMs ?? 0,
        appHash: info.lastAppHash,
        headerAppHash: info.lastAppHash,
        lastCommit: null,
        resultsHash: ZERO_HASH,
      };
    }
    const missing = (what: string) =>
      new ConsensusError(
        "BLOCK_STORE_INCONSISTENT",
        `block store height is ${height} but its ${what} is missing`,
      );
    const block = await blockStore.getBlock(height);
    if (!block) throw missing("block");
    const header = headerOf(block);
    const blockHash = (await blockStore.getBlockHash(height)) ?? blockHeaderHash(header);
    const commit = await blockStore.getCommit(height);
    if (!commit) throw missing("commit");
    const results = await blockStore.getBlockResults(height);
    if (!results) throw missing("block results");
    return {
      height,
      blockHash,
      timeMs: Number(header.timeMs),
      appHash: info.lastAppHash,
      headerAppHash: header.appHash,
      lastCommit: commit,
      resultsHash: resultsHash(results.txResults),
    };
  }

  /** Starts the core on `this.height`, replaying WAL entries of that height after a restart. */
  private async startHeight(walEntries: WalEntry[] = []): Promise<void> {
    this.started = true;
    this.heightStartedAt = this.clock.now();
    this.hs = new HeightState();
    this.clearTimers();
    this.collectOwnFromWal(walEntries);
    await this.apply({ kind: "start_height", height: this.height, validators: this.cv.current.priorities });
    if (walEntries.length > 0) {
      this.replaying = true;
      try {
        await this.replayWal(walEntries);
      } finally {
        this.replaying = false;
      }
      this.logger.info(
        { height: this.height, entries: walEntries.length, ...this.roundInfo() },
        "replayed WAL",
      );
    }
    const buffered = this.future;
    this.future = [];
    for (const m of buffered) {
      if (this.phase !== "running") return;
      if (m.height === this.height) await this.dispatch(m);
      else if (m.height > this.height) this.future.push(m);
    }
  }

  /** Pass 1: own blocks, proposals and votes, so the core's re-made decisions reuse what was signed. */
  private collectOwnFromWal(entries: WalEntry[]): void {
    if (!this.selfAddress) return;
    for (const entry of entries) {
      try {
        if (entry.proposalBlock) {
          const block = decodeCanonical<Block>(Block, entry.proposalBlock, "WAL block");
          const header = headerOf(block);
          if (bytesEqual(header.proposerAddress, this.selfAddress) && Number(header.height) === this.height) {
            const hash = blockHeaderHash(header);
            const kb: KnownBlock = {
              block,
              bytes: entry.proposalBlock,
              hash,
              own: true,
              verdict: true,
              logged: true,
            };
            this.hs.blocks.set(toHex(hash), kb);
            this.hs.ownBlock = kb;
          }
        } else if (entry.proposal) {
          const p = decodeCanonical<Proposal>(Proposal, entry.proposal, "WAL proposal");
          const signBytes = proposalSignBytes(this.opts.chainId, p);
          if (verifySignature(KeyType.KEY_TYPE_ED25519, this.selfPublicKey!, signBytes, p.signature)) {
            this.hs.walOwnProposals.set(Number(p.round), p);
          }
        } else if (entry.vote) {
          const v = decodeCanonical<Vote>(Vote, entry.vote, "WAL vote");
          const type = coreVoteType(v.type as number);
          if (type && bytesEqual(v.validatorAddress, this.selfAddress))
            this.hs.walOwnVotes.set(`${v.round}/${type}`, v);
        }
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, "skipping unreadable WAL entry");
      }
    }
  }

  /** Pass 2: received messages and fired timeouts, in their original order. */
  private async replayWal(entries: WalEntry[]): Promise<void> {
    for (const entry of entries) {
      if (this.phase !== "running") return;
      try {
        if (entry.proposalBlock) {
          const block = decodeCanonical<Block>(Block, entry.proposalBlock, "WAL block");
          await this.onBlock(block, entry.proposalBlock, "wal");
        } else if (entry.proposal) {
          await this.onProposal(decodeCanonical<Proposal>(Proposal, entry.proposal, "WAL proposal"), "wal");
        } else if (entry.vote) {
          const v = decodeCanonical<Vote>(Vote, entry.vote, "WAL vote");
          if (!this.selfAddress || !bytesEqual(v.validatorAddress, this.selfAddress))
            await this.onVote(v, "wal");
        } else if (entry.timeout) {
          const step = TIMEOUT_STEPS[Number(entry.timeout.step) - 1];
          if (step)
            await this.apply({
              kind: "timeout",
              step,
              height: this.height,
              round: Number(entry.timeout.round),
            });
        }
      } catch (err) {
        if (err instanceof ConsensusError && (err.code === "WAL_IO" || err.code === "COMMIT_FAILED"))
          throw err;
        this.logger.warn({ err: (err as Error).message }, "skipping unreadable WAL entry");
      }
    }
  }

  // ---------------------------------------------------------------- inbound messages

  private onTransportMessage(message: InboundMessage): void {
    if (this.phase !== "running") return;
    this.enqueue(() => this.handleInbound(message));
  }

  private async handleInbound(message: InboundMessage): Promise<void> {
    try {
      if (message.kind === "vote")
        await this.onVote(decodeCanonical<Vote>(Vote, message.bytes, "vote"), message.from);
      else if (message.kind === "proposal") {
        await this.onProposal(decodeCanonical<Proposal>(Proposal, message.bytes, "proposal"), message.from);
      } else if (message.kind === "block") {
        await this.onBlock(
          decodeCanonical<Block>(Block, message.bytes, "block"),
          message.bytes,
          message.from,
        );
      } else if (message.kind === "evidence") {
        const ev = decodeCanonical<Evidence>(Evidence, message.bytes, "evidence");
        const why = await this.evidence.addFromPeer(ev);
        if (why) this.reject("evidence", message.from, why);
      } else this.reject(message.kind, message.from, "unknown message kind");
    } catch (err) {
      // Decoding or field errors of someone else's message are the sender's problem; a failure of
      // our own disk or commit is fatal.
      if (isFatal(err)) throw err;
      this.reject(message.kind, message.from, (err as Error).message);
    }
  }

  private async dispatch(m: FutureMessage): Promise<void> {
    if (m.kind === "vote") await this.onVote(m.vote, m.from, true);
    else if (m.kind === "proposal") await this.onProposal(m.proposal, m.from);
    else await this.onBlock(m.block, m.bytes, m.from);
  }

  /** "now": for the running height; "later": kept for the next one; "drop": stale or too far ahead. */
  private route(height: number): "now" | "later" | "drop" {
    if (height === this.height && this.started && this.core.snapshot().step !== "commit") return "now";
    if ((height === this.height && !this.started) || height === this.height + 1) {
      return this.future.length < MAX_FUTURE_MESSAGES ? "later" : "drop";
    }
    return "drop";
  }

  private async onVote(vote: Vote, from: string, verified = false): Promise<void> {
    const height = Number(vote.height);
    const route = this.route(height);
    if (route === "drop") return;
    const type = coreVoteType(vote.type as number);
    const round = Number(vote.round);
    const index = Number(vote.validatorIndex);
    // A vote kept for the next height is checked against that height's set.
    const set = height === this.height ? this.validators : this.cv.next.set;
    const validator = set.at(index);
    if (!type) return this.reject("vote", from, `vote type ${vote.type}`);
    if (round > MAX_ROUND) return this.reject("vote", from, `round ${round} out of range`);
    if (!validator || !bytesEqual(validator.address, vote.validatorAddress)) {
      return this.reject("vote", from, `no validator ${toHex(vote.validatorAddress)} at index ${index}`);
    }
    if (vote.blockHash.length !== 0 && vote.blockHash.length !== 32) {
      return this.reject("vote", from, "block hash length");
    }
    const key = voteKey(round, type, index);
    const first = route === "now" ? this.hs.votes.get(key) : undefined;
    if (first && bytesEqual(first.signature, vote.signature)) return;
    // Checked before it is kept for the next height too: the set is the same, and junk must not
    // crowd real votes out of the bounded buffer.
    if (!verified) {
      const signBytes = voteSignBytes(this.opts.chainId, vote);
      if (!verifySignature(KeyType.KEY_TYPE_ED25519, validator.pubKey, signBytes, vote.signature)) {
        return this.reject("vote", from, `bad signature from validator ${index}`);
      }
    }
    if (route === "later") {
      this.future.push({ kind: "vote", height, vote, from });
      this.wakeForPeers(height);
      return;
    }
    if (!this.replaying) await this.walAppend({ vote: encode(Vote, vote) }, false);
    if (first) this.hs.conflicting.set(key, vote);
    else this.hs.votes.set(key, vote);
    await this.apply({
      kind: "vote",
      vote: {
        type,
        height,
        round,
        value: vote.blockHash.length ? toHex(vote.blockHash) : null,
        validatorIndex: index,
      },
    });
  }

  private async onProposal(proposal: Proposal, from: string): Promise<void> {
    const height = Number(proposal.height);
    const route = this.route(height);
    if (route === "drop") return;
    if (route === "later") {
      this.future.push({ kind: "proposal", height, proposal, from });
      this.wakeForPeers(height);
      return;
    }
    const round = Number(proposal.round);
    const polRound = Number(proposal.polRound);
    if (round > MAX_ROUND || polRound < -1 || polRound >= round) {
      return this.reject("proposal", from, `round ${round} / pol_round ${polRound}`);
    }
    if (proposal.blockHash.length !== 32) return this.reject("proposal", from, "block hash length");
    // The proposer of a far round costs O(round) to compute, and the core would not keep it anyway.
    if (round > this.core.snapshot().round + MAX_FUTURE_PROPOSAL_ROUNDS) {
      return this.reject("proposal", from, `round ${round} is too far ahead`);
    }
    const known = this.hs.proposals.get(round);
    if (known && bytesEqual(known.signature, proposal.signature)) return;
    const proposer = this.validators.at(this.core.proposerIndex(round))!;
    const signBytes = proposalSignBytes(this.opts.chainId, proposal);
    if (!verifySignature(KeyType.KEY_TYPE_ED25519, proposer.pubKey, signBytes, proposal.signature)) {
      return this.reject("proposal", from, `not signed by the proposer of round ${round}`);
    }
    if (known) {
      // An equivocating proposer: the core keeps a few values per round so that whichever one
      // gathers the votes can still be locked on and decided here.
      const others = this.hs.otherProposals.get(round) ?? [];
      if (others.some((p) => bytesEqual(p.signature, proposal.signature))) return;
      if (others.length + 1 >= MAX_PROPOSALS_PER_ROUND) return;
      others.push(proposal);
      this.hs.otherProposals.set(round, others);
      this.logger.warn(
        { height, round, proposer: toHex(proposer.address) },
        "proposer sent two different proposals",
      );
    } else {
      this.hs.proposals.set(round, proposal);
    }
    const block = this.hs.blocks.get(toHex(proposal.blockHash));
    if (block) {
      await this.proposalReady(proposal, block);
    } else {
      const hash = toHex(proposal.blockHash);
      this.hs.waiting.set(hash, [...(this.hs.waiting.get(hash) ?? []), proposal]);
    }
  }

  private async onBlock(block: Block, bytes: Uint8Array, from: string): Promise<void> {
    const header = headerOf(block);
    const height = Number(header.height);
    const route = this.route(height);
    if (route === "drop") return;
    if (route === "later") {
      this.future.push({ kind: "block", height, block, bytes, from });
      return;
    }
    const hash = blockHeaderHash(header);
    const hex = toHex(hash);
    if (this.hs.blocks.has(hex)) return;
    if (this.hs.blocks.size >= MAX_BLOCKS_PER_HEIGHT)
      return this.reject("block", from, "too many blocks for this height");
    const kb: KnownBlock = { block, bytes, hash, own: false, logged: this.replaying };
    this.hs.blocks.set(hex, kb);
    const waiting = this.hs.waiting.get(hex);
    if (waiting) {
      this.hs.waiting.delete(hex);
      for (const p of waiting) await this.proposalReady(p, kb);
    }
  }

  private async proposalReady(proposal: Proposal, kb: KnownBlock): Promise<void> {
    this.hs.proposalReadyAt ??= this.clock.now();
    const valid = kb.own || (kb.verdict ?? (await this.validate(kb)));
    if (!this.replaying) {
      if (!kb.logged) {
        await this.walAppend({ proposalBlock: kb.bytes }, false);
        kb.logged = true;
      }
      await this.walAppend({ proposal: encode(Proposal, proposal) }, false);
    }
    await this.apply({
      kind: "proposal",
      proposal: {
        height: Number(proposal.height),
        round: Number(proposal.round),
        polRound: Number(proposal.polRound),
        value: toHex(kb.hash),
      },
      valid,
    });
  }

  private async validate(kb: KnownBlock): Promise<boolean> {
    const reason = checkBlock(kb.block, this.checkContext());
    const why = reason ?? (await this.evidence.checkBlock(kb.block.evidence.map((e) => Evidence.create(e))));
    let verdict = why === null;
    if (why !== null) {
      this.logger.warn({ height: this.height, block: toHex(kb.hash), reason: why }, "invalid block proposed");
    } else {
      const header = headerOf(kb.block);
      try {
        verdict = await this.opts.app.processProposal({
          height: this.height,
          timeMs: Number(header.timeMs),
          proposerAddress: header.proposerAddress,
          lastBlockHash: header.lastBlockHash,
          lastCommit: this.lastCommitInfo(kb.block),
          misbehavior: misbehaviorOf(kb.block),
          txs: kb.block.txs,
          blockHash: kb.hash,
        });
      } catch (err) {
        this.logger.error(
          { err, height: this.height },
          "processProposal failed; treating the block as invalid",
        );
        verdict = false;
      }
      if (!verdict)
        this.logger.warn(
          { height: this.height, block: toHex(kb.hash) },
          "application rejected the proposed block",
        );
    }
    kb.verdict = verdict;
    return verdict;
  }

  private reject(kind: InboundMessage["kind"], from: string, reason: string): void {
    this.logger.warn({ kind, from, reason }, "dropped consensus message");
    if (from !== "self" && from !== "wal") this.transport.reportInvalid(from, `${kind}: ${reason}`);
    for (const cb of this.rejectListeners) safely(() => cb({ kind, from, reason }));
  }

  // ---------------------------------------------------------------- the core and its effects

  /** Feeds one input and carries out the effects, feeding own messages back in order. */
  private async apply(first: CoreInput): Promise<void> {
    const inputs: CoreInput[] = [first];
    while (inputs.length > 0) {
      const input = inputs.shift()!;
      for (const effect of this.core.handle(input)) {
        // Stopping abandons the block in progress; a decision is always carried through.
        if (this.phase !== "running" && !(this.phase === "stopping" && effect.kind === "decide")) return;
        await this.perform(effect, inputs);
      }
    }
  }

  private async perform(effect: CoreEffect, inputs: CoreInput[]): Promise<void> {
    switch (effect.kind) {
      case "new_round":
        this.logger.debug(
          {
            height: effect.height,
            round: effect.round,
            proposer: toHex(this.validators.at(effect.proposerIndex)!.address),
          },
          "new round",
        );
        return;
      case "request_value": {
        const kb = await this.ownBlock();
        if (kb)
          inputs.push({
            kind: "proposal_value",
            height: effect.height,
            round: effect.round,
            value: toHex(kb.hash),
          });
        return;
      }
      case "broadcast_proposal": {
        const p = await this.sendOwnProposal(effect.height, effect.round, effect.value, effect.polRound);
        if (p) {
          inputs.push({
            kind: "proposal",
            proposal: {
              height: effect.height,
              round: effect.round,
              polRound: effect.polRound,
              value: effect.value,
            },
            valid: true,
          });
        }
        return;
      }
      case "broadcast_vote": {
        const v = await this.sendOwnVote(effect.type, effect.height, effect.round, effect.value);
        if (v) {
          inputs.push({
            kind: "vote",
            vote: {
              type: effect.type,
              height: effect.height,
              round: effect.round,
              value: effect.value,
              validatorIndex: this.core.ownIndex,
            },
          });
        }
        return;
      }
      case "schedule_timeout": {
        const { step, height, round } = effect;
        this.setTimer(effect.durationMs, () => this.enqueue(() => this.onTimeout(step, height, round)));
        return;
      }
      case "decide":
        await this.commitDecided(effect.height, effect.round, effect.value);
        return;
      case "evidence":
        this.reportEvidence(effect);
        return;
    }
  }

  private async onTimeout(step: TimeoutStep, height: number, round: number): Promise<void> {
    if (height !== this.height || !this.started) return;
    const snap = this.core.snapshot();
    if (snap.step === "commit" || round !== snap.round) return;
    await this.walAppend(
      { timeout: kyochi.state.v1.WalTimeout.create({ round, step: TIMEOUT_STEPS.indexOf(step) + 1 }) },
      false,
    );
    await this.apply({ kind: "timeout", step, height, round });
  }

  /** The block this node proposes at this height: built once, then reused in every round (and after a restart). */
  private async ownBlock(): Promise<KnownBlock | null> {
    if (this.hs.ownBlock) return this.hs.ownBlock;
    if (!this.selfAddress) return null;
    const height = this.height;
    const timeMs = nextBlockTime(this.clock.now(), this.tip);
    const { maxBlockBytes, maxBlockGas } = this.config;
    let txs: Uint8Array[];
    try {
      const candidates = this.opts.txSource.reap(maxBlockBytes, maxBlockGas);
      txs = await this.opts.app.prepareProposal({
        height,
        timeMs,
        proposerAddress: this.selfAddress,
        lastBlockHash: this.tip.height === 0 ? ZERO_HASH : this.tip.blockHash,
        lastCommit: this.cv.last ? commitInfo(this.tip.lastCommit, this.cv.last) : { round: 0, votes: [] },
        misbehavior: [],
        txs: candidates,
        maxTxBytes: maxBlockBytes,
        maxGas: maxBlockGas,
      });
    } catch (err) {
      this.logger.error({ err, height }, "could not prepare a block; the round will time out");
      return null;
    }
    txs = fitBytes(txs, maxBlockBytes, (dropped) =>
      this.logger.warn(
        { height, dropped },
        "prepareProposal exceeded the block size; dropped txs from the end",
      ),
    );
    const { block, hash } = buildBlock({
      chainId: this.opts.chainId,
      tip: this.tip,
      timeMs,
      txs,
      validators: this.validators,
      nextValidators: this.cv.next.set,
      proposerAddress: this.selfAddress,
      evidence: this.evidence.pending(),
    });
    const bytes = encode(Block, block);
    // Logged (fsync) before it is signed: after a crash this node re-proposes this very block.
    await this.walAppend({ proposalBlock: bytes }, true);
    const kb: KnownBlock = { block, bytes, hash, own: true, verdict: true, logged: true };
    this.hs.blocks.set(toHex(hash), kb);
    this.hs.ownBlock = kb;
    return kb;
  }

  private async sendOwnProposal(
    height: number,
    round: number,
    value: string,
    polRound: number,
  ): Promise<Proposal | null> {
    const kb = this.hs.blocks.get(value);
    if (!kb || !this.signer) {
      this.logger.error({ height, round, block: value }, "asked to propose a block this node does not have");
      return null;
    }
    let signed = this.hs.walOwnProposals.get(round);
    if (!signed || toHex(signed.blockHash) !== value || Number(signed.polRound) !== polRound) {
      const unsigned = Proposal.create({
        height,
        round,
        polRound,
        blockHash: kb.hash,
        // The block's own time: a re-sign of the same block after a crash gives the same bytes.
        timestampMs: Number(headerOf(kb.block).timeMs),
        signature: new Uint8Array(0),
      });
      try {
        signed = await this.signer.signProposal(unsigned);
      } catch (err) {
        return this.signRefused(err, { height, round, what: "proposal" });
      }
      await this.walAppend({ proposal: encode(Proposal, signed) }, true);
    }
    this.hs.proposals.set(round, signed);
    this.transport.broadcastProposal(encode(Proposal, signed));
    this.transport.broadcastBlock(kb.bytes);
    this.logger.debug({ height, round, block: value, txs: kb.block.txs.length }, "proposed block");
    return signed;
  }

  private async sendOwnVote(
    type: CoreVoteType,
    height: number,
    round: number,
    value: string | null,
  ): Promise<Vote | null> {
    if (!this.signer || !this.selfAddress) return null;
    const blockHash = value === null ? new Uint8Array(0) : Buffer.from(value, "hex");
    let signed = this.hs.walOwnVotes.get(`${round}/${type}`);
    if (!signed || !bytesEqual(signed.blockHash, blockHash)) {
      const unsigned = Vote.create({
        type: protoVoteType(type),
        height,
        round,
        blockHash: new Uint8Array(blockHash),
        timestampMs: Math.floor(this.clock.now()),
        validatorAddress: this.selfAddress,
        validatorIndex: this.core.ownIndex,
        signature: new Uint8Array(0),
      });
      try {
        signed = await this.signer.signVote(unsigned);
      } catch (err) {
        return this.signRefused(err, { height, round, what: type });
      }
      await this.walAppend({ vote: encode(Vote, signed) }, true);
    }
    this.hs.votes.set(voteKey(round, type, this.core.ownIndex), signed);
    this.transport.broadcastVote(encode(Vote, signed));
    return signed;
  }

  private signRefused(err: unknown, ctx: { height: number; round: number; what: string }): null {
    if (err instanceof ConsensusError && err.code === "SIGNER_DOUBLE_SIGN") {
      // Safety first: the signer saw something at this step that conflicts; stay silent this step.
      this.logger.error({ ...ctx, reason: err.message }, "signer refused to sign");
      return null;
    }
    throw err;
  }

  private reportEvidence(e: Extract<CoreEffect, { kind: "evidence" }>): void {
    const key = voteKey(e.round, e.type, e.validatorIndex);
    const first = this.hs.votes.get(key);
    const second = this.hs.conflicting.get(key);
    const validator = this.validators.at(e.validatorIndex)!;
    this.logger.warn(
      {
        height: e.height,
        round: e.round,
        type: e.type,
        validator: toHex(validator.address),
        first: e.first,
        second: e.second,
      },
      "validator equivocated (two different votes at one step)",
    );
    if (!first || !second) return;
    const event: EvidenceEvent = {
      type: e.type,
      height: e.height,
      round: e.round,
      validatorAddress: validator.address,
      first,
      second,
    };
    this.evidence.addConflict(first, second);
    for (const cb of this.evidenceListeners) safely(() => cb(event));
  }

  // ---------------------------------------------------------------- commit

  private async commitDecided(height: number, round: number, value: string): Promise<void> {
    const started = this.clock.now();
    const kb = this.hs.blocks.get(value)!;
    const block = kb.block;
    const commit = buildCommit(height, round, kb.hash, this.validators, (i) =>
      this.hs.votes.get(voteKey(round, "precommit", i)),
    );
    await this.commitBlock(block, kb.hash, commit, started);
  }

  /**
   * Executes and durably writes a decided block with its commit: one from this node's own round
   * (commitDecided) or one fetched by block sync with a commit verified against the same set.
   */
  private async commitBlock(
    block: Block,
    blockHash: Uint8Array,
    commit: Commit,
    started: number,
  ): Promise<void> {
    const header = headerOf(block);
    const height = Number(header.height);
    const round = Number(commit.round);
    let nextCv: ChainValidators;
    let results: BlockResults;
    let haltAt: HaltRequest | undefined;
    try {
      const fin = await this.opts.app.finalizeBlock({
        height,
        timeMs: Number(header.timeMs),
        proposerAddress: header.proposerAddress,
        lastBlockHash: header.lastBlockHash,
        lastCommit: this.lastCommitInfo(block),
        misbehavior: misbehaviorOf(block),
        txs: block.txs,
        blockHash: blockHash,
      });
      nextCv = advanceChainValidators(this.cv, fin.validatorUpdates);
      if (fin.validatorUpdates.length > 0) {
        this.logger.info(
          { height, updates: fin.validatorUpdates.length, effectiveHeight: height + 2 },
          "validator set changes",
        );
      }
      results = BlockResults.create({
        height,
        txResults: fin.txResults,
        finalizeEvents: fin.events,
        validatorUpdates: fin.validatorUpdates,
        appHash: fin.appHash,
      });
      const batch = new WriteBatch();
      await this.opts.blockStore.putBlock(batch, block, blockHash, commit);
      if (!this.opts.app.storesBlockResults) await this.opts.blockStore.putBlockResults(batch, results);
      putChainValidators(batch, nextCv);
      this.evidence.markCommitted(
        batch,
        block.evidence.map((e) => Evidence.create(e)),
      );
      haltAt = (await this.opts.app.commit(batch)).haltAt;
      await this.opts.db.write(batch, true);
    } catch (err) {
      this.halt(
        new ConsensusError("COMMIT_FAILED", `committing block ${height} failed: ${(err as Error).message}`, {
          cause: err,
        }),
      );
      return;
    }
    // The block is durable. Everything below is bookkeeping that a restart would redo.
    await this.wal!.endHeight(height);
    this.tip = {
      height,
      blockHash: blockHash,
      timeMs: Number(header.timeMs),
      appHash: results.appHash,
      headerAppHash: header.appHash,
      lastCommit: commit,
      resultsHash: resultsHash(results.txResults),
    };
    // Conflicting votes seen at this height become evidence now that it has a block time.
    for (const ev of this.evidence.finishHeight(height, this.validators, Number(header.timeMs))) {
      this.transport.broadcastEvidence(encode(Evidence, ev));
    }
    this.cv = nextCv;
    this.height = height + 1;
    this.heightSince = this.clock.now();
    this.started = false;
    const timeline = this.heightTimeline(started);
    this.hs = new HeightState();
    this.clearTimers();
    this.logger.info(
      {
        height,
        round,
        hash: toHex(blockHash),
        txs: block.txs.length,
        appHash: toHex(results.appHash),
        commitMs: this.clock.now() - started,
        ...timeline,
      },
      "committed block",
    );
    // The mempool drops the block's txs and re-checks the rest in the background: the next height
    // need not wait for it (a proposal re-checks every tx it takes, and the mempool serialises
    // its own updates).
    this.opts.txSource.update(height, block.txs).catch((err: unknown) => {
      this.logger.error({ err, height }, "mempool update failed");
    });
    const event: CommitEvent = { height, round, block, blockHash: blockHash, commit, results };
    for (const cb of this.commitListeners)
      safely(
        () => cb(event),
        (err) => this.logger.error({ err }, "commit listener failed"),
      );
    if (haltAt && haltAt.height <= this.height) {
      this.halt(new ConsensusError("UPGRADE_NEEDED", haltAt.reason));
      return;
    }
    if (this.phase === "running") {
      this.setTimer(this.nextHeightDelay(), () => this.enqueue(() => this.maybeStartHeight(false)));
    }
  }

  /**
   * Where a height's time went, from its start: its first proposal with the whole block, the
   * decision (+2/3 precommits), the end of the commit. Absent for blocks applied by block sync.
   */
  private heightTimeline(decidedAt: number): { proposalMs?: number; decideMs?: number; heightMs?: number } {
    const start = this.heightStartedAt;
    if (start === undefined) return {};
    const ready = this.hs.proposalReadyAt;
    return {
      ...(ready !== undefined ? { proposalMs: ready - start } : {}),
      decideMs: decidedAt - start,
      heightMs: this.clock.now() - start,
    };
  }

  /**
   * How long to wait after a commit: timeout_commit counted from when the committed height started,
   * so heights start every timeout_commit while they take less, and at once after the commit when
   * one took longer (a large block). A fixed pause after every commit would add the height's whole
   * duration to the block time, and with it to every tx's latency under load.
   */
  private nextHeightDelay(): number {
    const started = this.heightStartedAt;
    this.heightStartedAt = undefined;
    if (started === undefined) return this.config.timeoutCommitMs;
    return Math.max(0, this.config.timeoutCommitMs - (this.clock.now() - started));
  }

  /** Starts the next height, unless empty blocks are off and there is nothing to put in one. */
  private async maybeStartHeight(fromMessage: boolean): Promise<void> {
    if (this.phase !== "running" || this.started) return;
    if (fromMessage && !this.waitingForTxs) return;
    if (!fromMessage && !this.config.createEmptyBlocks && !this.shouldMakeBlock()) {
      this.waitingForTxs = true;
      this.setTimer(EMPTY_BLOCKS_POLL_MS, () => this.enqueue(() => this.maybeStartHeight(false)));
      return;
    }
    this.waitingForTxs = false;
    await this.startHeight();
  }

  /** A peer already works on the height this node waits to start for lack of txs: join it. */
  private wakeForPeers(height: number): void {
    if (this.waitingForTxs && !this.started && height === this.height)
      this.enqueue(() => this.maybeStartHeight(true));
  }

  // A block is due without txs when the last one changed the app hash: the next header proves
  // the new state root (CometBFT's "proof block"), and at the first height.
  private shouldMakeBlock(): boolean {
    return (
      this.opts.txSource.size() > 0 ||
      this.height === 1 ||
      !bytesEqual(this.tip.appHash, this.tip.headerAppHash) ||
      this.future.some((m) => m.height === this.height)
    );
  }

  // ---------------------------------------------------------------- plumbing

  private async walAppend(
    sum: Omit<kyochi.state.v1.WalEntry.$Properties, "height">,
    sync: boolean,
  ): Promise<void> {
    await this.wal!.append(WalEntry.create({ height: this.height, ...sum }), sync);
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.phase !== "running") return;
      try {
        await task();
      } catch (err) {
        this.halt(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  // ---------------------------------------------------------------- rebroadcast

  /**
   * Gossip delivers a message only to the peers connected when it is sent, and Tendermint is live
   * only if every honest message eventually arrives. So while a height is undecided each node sends
   * its own messages of that height again: its votes of every round so far, and, when it proposed
   * in the current round, its proposal and block. A node that restarted, joined late or was cut
   * off then gets what it missed (CometBFT gossips what each peer lacks; this is the simple form).
   */
  private scheduleRebroadcast(): void {
    if (this.phase !== "running") return;
    this.clearRebroadcastTimer();
    const every = Math.max(REBROADCAST_MIN_MS, this.config.timeoutPrevoteMs);
    this.rebroadcastTimer = this.clock.setTimeout(() => {
      this.rebroadcastTimer = null;
      this.enqueue(async () => this.rebroadcastOwn());
      this.scheduleRebroadcast();
    }, every);
  }

  private clearRebroadcastTimer(): void {
    if (this.rebroadcastTimer) this.clock.clearTimeout(this.rebroadcastTimer);
    this.rebroadcastTimer = null;
  }

  private rebroadcastOwn(): void {
    if (!this.started || !this.selfAddress || this.core.snapshot().step === "commit") return;
    const own = this.core.ownIndex;
    const round = this.core.snapshot().round;
    for (const vote of this.hs.votes.values()) {
      if (Number(vote.validatorIndex) === own && Number(vote.round) <= round) {
        this.transport.broadcastVote(encode(Vote, vote));
      }
    }
    const proposal = this.hs.proposals.get(round);
    const block = proposal ? this.hs.blocks.get(toHex(proposal.blockHash)) : undefined;
    if (proposal && block?.own && this.core.proposerIndex(round) === own) {
      this.transport.broadcastProposal(encode(Proposal, proposal));
      if (this.blockResendDue(`${Number(proposal.height)}/${round}`))
        this.transport.broadcastBlock(block.bytes);
    }
  }

  /**
   * Whether this tick re-sends the proposed block. The proposal and the votes are small and go at
   * every tick; the block can be megabytes, and every peer that already holds it still receives,
   * authenticates and relays each copy. A height usually decides within a tick or two, so the
   * block goes again at ticks 2, 4, 8, 16, ... after proposing: a peer that missed it still gets
   * it within twice the time the round has lasted.
   */
  private blockResendDue(heightRound: string): boolean {
    if (heightRound !== this.ownProposalRound) {
      this.ownProposalRound = heightRound;
      this.ticksSinceOwnProposal = 0;
    }
    const tick = ++this.ticksSinceOwnProposal;
    return isBlockResendTick(tick);
  }

  // ---------------------------------------------------------------- block sync

  private scheduleSync(ms: number): void {
    if (!this.fetcher || this.phase !== "running") return;
    this.clearSyncTimer();
    this.syncTimer = this.clock.setTimeout(() => {
      this.syncTimer = null;
      void this.syncStep();
    }, ms);
  }

  private clearSyncTimer(): void {
    if (this.syncTimer) this.clock.clearTimeout(this.syncTimer);
    this.syncTimer = null;
  }

  /**
   * Fetches and applies blocks while a peer is ahead: when a peer has committed the height after
   * this one, or has committed this one while this node has been on it for a while (a node one
   * height behind usually catches up by consensus messages alone).
   */
  private async syncStep(): Promise<void> {
    const fetcher = this.fetcher;
    if (!fetcher || this.phase !== "running") return;
    let progressed = false;
    try {
      const best = fetcher.bestPeerHeight();
      const stalled =
        this.clock.now() - this.heightSince > this.config.timeoutProposeMs + this.config.timeoutCommitMs;
      if (best > this.height || (best === this.height && stalled)) {
        const windows = await fetcher.fetch(this.height);
        for (const w of windows) {
          for (const sb of w.blocks) {
            const ok = await this.runTask(() => this.applySynced(sb, w.peer));
            if (ok !== true) return;
            progressed = true;
          }
        }
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, "block sync step failed");
    } finally {
      this.scheduleSync(progressed ? 0 : this.syncIntervalMs);
    }
  }

  /** Verifies a fetched block and its commit against this height's state, then commits it. */
  private async applySynced(sb: SyncedBlock, peer: string): Promise<boolean> {
    let block: Block;
    let commit: Commit;
    try {
      block = decodeCanonical<Block>(Block, sb.block, "synced block");
      commit = decodeCanonical<Commit>(Commit, sb.commit, "synced commit");
    } catch (err) {
      this.fetcher?.reportInvalid(peer, (err as Error).message);
      return false;
    }
    const header = headerOf(block);
    const height = Number(header.height);
    if (height <= this.tip.height) return true; // decided here meanwhile
    if (height !== this.height) return false;
    const hash = blockHeaderHash(header);
    let reason = checkBlock(block, this.checkContext());
    if (reason === null) {
      try {
        verifyCommit(this.opts.chainId, this.validators, commit, height, hash);
      } catch (err) {
        reason = (err as Error).message;
      }
    }
    if (reason !== null) {
      this.logger.warn({ peer, height, reason }, "block sync: peer sent a block that does not verify");
      this.fetcher?.reportInvalid(peer, `synced block ${height}: ${reason}`);
      return false;
    }
    await this.commitBlock(block, hash, commit, this.clock.now());
    return this.tip.height === height;
  }

  /** Runs `task` in the serial queue and resolves with its result (undefined if it did not run). */
  private runTask<T>(task: () => Promise<T>): Promise<T | undefined> {
    return new Promise((resolve) => {
      this.enqueue(async () => resolve(await task()));
      void this.queue.then(() => resolve(undefined));
    });
  }

  private halt(err: Error): void {
    if (this.phase === "halted" || this.phase === "stopped") return;
    this.phase = "halted";
    this.clearTimers();
    this.clearSyncTimer();
    this.clearRebroadcastTimer();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.logger.error({ err, height: this.height }, "consensus halted");
    for (const cb of this.errorListeners) safely(() => cb(err));
  }

  private setTimer(ms: number, fn: () => void): void {
    const handle = this.clock.setTimeout(
      () => {
        this.timers.delete(handle);
        fn();
      },
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
    this.timers.add(handle);
  }

  private clearTimers(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private async closeResources(): Promise<void> {
    await this.wal?.close().catch(() => undefined);
    this.wal = null;
  }

  private roundInfo(): { round: number; step: string } {
    const snap = this.core.snapshot();
    return { round: snap.round, step: snap.step };
  }
}

function fitBytes(txs: Uint8Array[], maxBytes: number, onDrop: (dropped: number) => void): Uint8Array[] {
  let total = 0;
  for (let i = 0; i < txs.length; i++) {
    total += txs[i]!.length;
    if (total > maxBytes) {
      onDrop(txs.length - i);
      return txs.slice(0, i);
    }
  }
  return txs;
}

function isFatal(err: unknown): boolean {
  return err instanceof ConsensusError && (err.code === "WAL_IO" || err.code === "COMMIT_FAILED");
}

function safely(fn: () => void, onError?: (err: unknown) => void): void {
  try {
    fn();
  } catch (err) {
    onError?.(err);
  }
}

/** Ticks 2, 4, 8, 16, ...: the powers of two from 2 (see ConsensusDriver.blockResendDue). */
function isBlockResendTick(tick: number): boolean {
  return tick >= 2 && (tick & (tick - 1)) === 0;
}
