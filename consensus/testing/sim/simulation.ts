// A deterministic simulator for N ConsensusCore instances: virtual time (an event queue, no
// timers), a seeded PRNG, a network model (delays, reordering, duplicates, drops before GST,
// partitions), crashes with optional recovery, and byzantine validators that equivocate as
// proposer or double-vote. The simulator also plays the driver: it answers `request_value` with a
// block from its table (carrying the evidence its node collected), arms timeouts, judges proposal
// validity, starts the next height after a decision, buffers messages for later heights, and
// gossips to each peer what it lacks of the peer's height (CometBFT's vote and catch-up gossip), so
// messages lost before GST or across a partition are made good afterwards.
//
// While it runs it checks the locking rules on every honest node (see `checkLocking`); the
// end-of-run checks (agreement, validity, progress, evidence) live in checks.ts.
import type { CoreEffect, CoreInput, ValueId } from "../../core/types.js";
import { ConsensusError } from "../../errors.js";
import { BlockTable } from "./blocks.js";
import { EventQueue } from "./event-queue.js";
import { NetworkModel } from "./network.js";
import { Prng } from "./prng.js";
import { messageHeight, messageKey, SimNode } from "./sim-node.js";
import type { ByzantineSpec, NetworkStats, SimConfig, SimMessage, SimResult } from "./types.js";
import { SimValidatorSets } from "./validator-sets.js";

type SimEvent =
  | { kind: "deliver"; from: number; to: number; sentAt: number; message: SimMessage; relay: boolean }
  /** Timeouts and start_height: the node's own clock, paused while it is down. */
  | { kind: "local"; node: number; input: CoreInput }
  | { kind: "gossip"; node: number }
  | { kind: "crash"; node: number }
  | { kind: "recover"; node: number };

/** A run that needs more events than this is stuck in a loop, not slow. */
const MAX_EVENTS = 5_000_000;
/** Messages for heights further ahead than this are dropped (gossip brings them again later). */
const FUTURE_HEIGHTS_BUFFERED = 2;

export class Simulation {
  readonly config: SimConfig;
  readonly nodes: SimNode[];
  readonly blocks = new BlockTable();
  readonly sets: SimValidatorSets;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly rng: Prng;
  private readonly network: NetworkModel;
  private readonly violations: string[] = [];
  private readonly stableAtMs: number;
  private nowMs = 0;
  private events = 0;
  private targetHeight = -1;
  private done = false;
  private started = false;
  /** Highest height any node started (the silent-proposer schedule follows it). */
  private leadHeight = 0;
  private readonly silenced = new Set<number>();
  private readonly stats: NetworkStats = { sent: 0, dropped: 0, duplicated: 0, reordered: 0 };
  /** Per link (from * n + to): send time of the latest-sent message delivered so far. */
  private readonly lastSentDelivered: Float64Array;

  constructor(config: SimConfig) {
    validateConfig(config);
    this.config = config;
    this.rng = new Prng(config.seed);
    this.network = new NetworkModel(config.network, this.rng.fork(), config.powers.length);
    this.sets = new SimValidatorSets(config.powers);
    const byzantine = new Map<number, ByzantineSpec>(config.byzantine.map((b) => [b.node, b]));
    this.nodes = config.powers.map((_, i) => new SimNode(i, config.timeouts, byzantine.get(i)));
    this.lastSentDelivered = new Float64Array(this.nodes.length * this.nodes.length).fill(-1);
    this.stableAtMs = Math.max(
      config.network.gstMs,
      ...config.network.partitions.map((p) => p.toMs),
      ...config.crashes.map((c) => Math.max(c.atMs, c.recoverAtMs ?? 0)),
    );
  }

  get now(): number {
    return this.nowMs;
  }

  /** Runs until every live correct node decided the target height, or the progress bound passes. */
  run(): SimResult {
    this.runUntil(() => this.done, this.stableAtMs + this.config.progressBoundMs);
    return this.result();
  }

  /**
   * Processes events in time order until `stop()` holds after an event, the queue is empty, or the
   * next event is later than `untilMs`. Returns whether `stop()` held.
   */
  runUntil(stop: () => boolean, untilMs: number): boolean {
    this.start();
    for (;;) {
      if (stop()) return true;
      const at = this.queue.peekTime();
      if (at === undefined) return false;
      if (at > untilMs) {
        this.nowMs = untilMs;
        return stop();
      }
      const next = this.queue.pop()!;
      this.nowMs = next.at;
      if (++this.events > MAX_EVENTS) {
        this.violations.push(`simulation exceeded ${MAX_EVENTS} events at ${this.nowMs} ms`);
        return false;
      }
      if (this.targetHeight < 0 && this.nowMs >= this.stableAtMs) this.fixTarget();
      this.dispatch(next.event);
    }
  }

  result(): SimResult {
    const honest = this.nodes.filter((n) => n.honest).map((n) => n.index);
    return {
      config: this.config,
      decisions: this.nodes.map((n) => n.decisions),
      blocks: this.blocks.all(),
      evidence: this.nodes.map((n) => n.evidence),
      votes: this.nodes.map((n) => n.votes),
      proposerOf: (h, r) => this.sets.proposerOf(h, r),
      honest,
      live: honest.filter((i) => this.nodes[i]!.up),
      stableAtMs: this.stableAtMs,
      targetHeight: this.targetHeight < 0 ? this.config.minHeights : this.targetHeight,
      endMs: this.nowMs,
      reachedTarget: this.done,
      violations: [...this.violations],
      events: this.events,
      network: { ...this.stats },
    };
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    // Crashes first, so a node crashed at 0 ms never starts.
    for (const c of this.config.crashes) {
      this.queue.push(c.atMs, { kind: "crash", node: c.node });
      if (c.recoverAtMs !== undefined) this.queue.push(c.recoverAtMs, { kind: "recover", node: c.node });
    }
    for (const n of this.nodes) {
      this.queue.push(0, {
        kind: "local",
        node: n.index,
        input: { kind: "start_height", height: 1, validators: this.sets.at(1) },
      });
      if (n.honest) this.queue.push(this.rng.int(1, this.config.gossipMs), { kind: "gossip", node: n.index });
    }
  }

  private fixTarget(): void {
    let reached = 0;
    for (const n of this.nodes) if (n.honest) reached = Math.max(reached, n.decisions.length);
    this.targetHeight = Math.max(this.config.minHeights, reached + this.config.heightsAfterStable);
    this.updateDone();
  }

  private updateDone(): void {
    if (this.targetHeight < 0) return;
    this.done = this.nodes.every((n) => !n.honest || !n.up || n.decisions.length >= this.targetHeight);
  }

  private dispatch(event: SimEvent): void {
    switch (event.kind) {
      case "deliver": {
        if (event.from !== event.to) {
          const link = event.from * this.nodes.length + event.to;
          if (event.sentAt < this.lastSentDelivered[link]!) this.stats.reordered++;
          else this.lastSentDelivered[link] = event.sentAt;
        }
        this.deliver(event.to, event.message, event.relay);
        break;
      }
      case "local": {
        const node = this.nodes[event.node]!;
        if (event.input.kind === "start_height") this.beforeHeight(event.input.height);
        if (!node.up) node.deferred.push(event.input);
        else if (event.input.kind === "start_height") this.startHeight(node, event.input);
        else this.apply(node, event.input);
        break;
      }
      case "gossip":
        this.gossip(this.nodes[event.node]!);
        this.queue.push(this.nowMs + this.config.gossipMs, event);
        break;
      case "crash":
        this.crash(this.nodes[event.node]!);
        break;
      case "recover":
        this.recover(this.nodes[event.node]!);
        break;
    }
  }

  private crash(node: SimNode): void {
    node.crashes++;
    this.updateDone();
  }

  private recover(node: SimNode): void {
    if (node.crashes === 0) return;
    if (--node.crashes > 0) return;
    // Its timers restart where they were (a WAL-restored node re-arms the timeouts of its step).
    for (const input of node.deferred)
      this.queue.push(this.nowMs, { kind: "local", node: node.index, input });
    node.deferred = [];
    this.updateDone();
  }

  /** The silent-proposer schedule: when the chain reaches a new height, its first proposers go down. */
  private beforeHeight(height: number): void {
    const k = this.config.silentProposerRounds;
    if (k === 0 || height <= this.leadHeight) return;
    this.leadHeight = height;
    const silent = new Set<number>();
    for (let r = 0; r < k; r++) silent.add(this.sets.proposerOf(height, r));
    for (const i of [...this.silenced]) {
      if (silent.has(i)) continue;
      this.silenced.delete(i);
      this.recover(this.nodes[i]!);
    }
    for (const i of silent) {
      if (this.silenced.has(i)) continue;
      this.silenced.add(i);
      this.crash(this.nodes[i]!);
    }
  }

  private startHeight(node: SimNode, input: Extract<CoreInput, { kind: "start_height" }>): void {
    node.inCommit = false;
    node.height = input.height;
    node.lockedRound = -1;
    node.lockedValue = null;
    this.apply(node, input);
    for (const h of [...node.future.keys()]) if (h < input.height) node.future.delete(h);
    const buffered = node.future.get(input.height);
    node.future.delete(input.height);
    for (const b of buffered ?? []) this.receive(node, b.message, b.relay);
  }

  private deliver(to: number, message: SimMessage, relay: boolean): void {
    const node = this.nodes[to]!;
    if (!node.up) return;
    const height = messageHeight(message);
    if (height > node.height) {
      if (height > node.height + FUTURE_HEIGHTS_BUFFERED) return;
      let list = node.future.get(height);
      if (!list) {
        list = [];
        node.future.set(height, list);
      }
      list.push({ message, relay });
      return;
    }
    if (height < node.height) return;
    this.receive(node, message, relay);
  }

  private receive(node: SimNode, message: SimMessage, relay: boolean): void {
    const log = node.log(messageHeight(message));
    const key = messageKey(message);
    if (!log.has(key)) {
      log.set(key, message);
      // What a byzantine node told only some peers reaches the others through the honest ones,
      // as gossipsub floods every distinct message.
      if (relay && node.honest) {
        for (let to = 0; to < this.nodes.length; to++)
          if (to !== node.index) this.send(node.index, to, message, false);
      }
    }
    const input: CoreInput =
      message.kind === "vote"
        ? { kind: "vote", vote: message.vote }
        : {
            kind: "proposal",
            proposal: message.proposal,
            valid: this.blocks.isValid(message.proposal.value),
          };
    this.apply(node, input);
  }

  private apply(node: SimNode, input: CoreInput): void {
    const effects = node.core.handle(input);
    if (node.honest) this.checkLocking(node, effects);
    for (const e of effects) this.perform(node, e);
  }

  private perform(node: SimNode, e: CoreEffect): void {
    switch (e.kind) {
      case "new_round":
        break;
      case "request_value": {
        const evidence = [...node.pendingEvidence.keys()].filter((k) => !node.committedEvidence.has(k));
        const valid = node.byzantine?.invalidProposals !== true;
        const block = this.blocks.create(e.height, e.round, node.index, valid, evidence);
        this.apply(node, { kind: "proposal_value", height: e.height, round: e.round, value: block.id });
        break;
      }
      case "broadcast_proposal":
        this.broadcast(node, {
          kind: "proposal",
          proposal: { height: e.height, round: e.round, value: e.value, polRound: e.polRound },
        });
        break;
      case "broadcast_vote":
        node.votes.push({ type: e.type, height: e.height, round: e.round, value: e.value, atMs: this.nowMs });
        this.broadcast(node, {
          kind: "vote",
          vote: {
            type: e.type,
            height: e.height,
            round: e.round,
            value: e.value,
            validatorIndex: node.index,
          },
        });
        break;
      case "schedule_timeout":
        this.queue.push(this.nowMs + e.durationMs, {
          kind: "local",
          node: node.index,
          input: { kind: "timeout", step: e.step, height: e.height, round: e.round },
        });
        break;
      case "decide":
        this.decide(node, e);
        break;
      case "evidence": {
        const key = `${e.height}/${e.round}/${e.type}/${e.validatorIndex}`;
        const record = {
          key,
          type: e.type,
          height: e.height,
          round: e.round,
          validatorIndex: e.validatorIndex,
        };
        node.evidence.push(record);
        if (this.nodes[e.validatorIndex]?.honest) {
          this.violations.push(
            `node ${node.index} reported evidence against honest validator ${e.validatorIndex} at ${key}`,
          );
        }
        if (!node.committedEvidence.has(key)) node.pendingEvidence.set(key, record);
        break;
      }
    }
  }

  private decide(node: SimNode, e: Extract<CoreEffect, { kind: "decide" }>): void {
    node.decisions.push({ height: e.height, round: e.round, value: e.value, atMs: this.nowMs });
    node.inCommit = true;
    for (const key of this.blocks.get(e.value)?.evidence ?? []) {
      node.committedEvidence.add(key);
      node.pendingEvidence.delete(key);
    }
    this.queue.push(this.nowMs + this.config.commitMs, {
      kind: "local",
      node: node.index,
      input: { kind: "start_height", height: e.height + 1, validators: this.sets.at(e.height + 1) },
    });
    if (node.honest) this.updateDone();
  }

  private broadcast(node: SimNode, message: SimMessage): void {
    // The driver feeds its own messages to its core; through the queue, so effects stay in order.
    this.queue.push(this.nowMs, {
      kind: "deliver",
      from: node.index,
      to: node.index,
      sentAt: this.nowMs,
      message,
      relay: false,
    });
    const alternative = node.byzantine ? this.forge(node.byzantine, message) : undefined;
    if (!alternative) {
      for (let to = 0; to < this.nodes.length; to++)
        if (to !== node.index) this.send(node.index, to, message, false);
      return;
    }
    // Equivocation: half of the peers get one message, the rest another.
    const peers = this.rng.shuffled(this.nodes.map((n) => n.index).filter((i) => i !== node.index));
    const half = Math.ceil(peers.length / 2);
    peers.forEach((to, k) => {
      this.send(node.index, to, k < half ? message : alternative, true);
    });
  }

  /** The conflicting twin a byzantine node sends some peers instead of `message`, if it lies about it. */
  private forge(b: ByzantineSpec, message: SimMessage): SimMessage | undefined {
    if (message.kind === "proposal") {
      if (!b.equivocateProposals) return undefined;
      const p = message.proposal;
      const twin = this.blocks.create(p.height, p.round, b.node, b.invalidProposals !== true, []);
      return {
        kind: "proposal",
        proposal: { height: p.height, round: p.round, value: twin.id, polRound: -1 },
      };
    }
    if (!b.doubleVote) return undefined;
    const v = message.vote;
    const sibling = this.blocks.sibling(v.value, v.height, v.round);
    let value: ValueId | null;
    if (v.value === null) value = sibling ?? `forged-h${v.height}r${v.round}`;
    else value = sibling !== undefined && this.rng.chance(0.5) ? sibling : null;
    return { kind: "vote", vote: { ...v, value } };
  }

  private send(from: number, to: number, message: SimMessage, relay: boolean, gossip = false): void {
    const delays = this.network.deliveries(from, to, message, this.nowMs, gossip);
    this.stats.sent++;
    if (delays.length === 0) this.stats.dropped++;
    if (delays.length > 1) this.stats.duplicated++;
    for (const delay of delays) {
      this.queue.push(this.nowMs + delay, { kind: "deliver", from, to, sentAt: this.nowMs, message, relay });
    }
  }

  /**
   * Catch-up gossip: to each peer at this node's height or below, the messages of the peer's height
   * that the peer's core lacks (a peer behind by a height gets the commit that decided it).
   */
  private gossip(node: SimNode): void {
    if (!node.up || node.height === 0) return;
    for (const peer of this.nodes) {
      if (peer === node || !peer.up || peer.inCommit || peer.height === 0 || peer.height > node.height)
        continue;
      const log = node.logs.get(peer.height);
      if (!log) continue;
      for (const m of log.values()) {
        const known =
          m.kind === "vote"
            ? peer.core.knowsVote(m.vote)
            : peer.core.knowsProposal(m.proposal.height, m.proposal.round, m.proposal.value);
        if (!known) this.send(node.index, peer.index, m, false, true);
      }
    }
  }

  /**
   * The locking rules of Algorithm 1, checked against the messages this node had received:
   * - it locks (L36-L38) only on a value with a polka it saw, and never on an older round;
   * - it prevotes a value only if unlocked, locked on that value, or shown a polka for it from a
   *   round at or after its lock (L22-L32);
   * - it precommits a value only with a polka for it in that round (L36-L40).
   */
  private checkLocking(node: SimNode, effects: CoreEffect[]): void {
    const s = node.core.snapshot();
    if (s.height !== node.height) return;
    const log = node.logs.get(s.height);
    const where = `node ${node.index} at height ${s.height}`;
    for (const e of effects) {
      if (e.kind !== "broadcast_vote" || e.value === null) continue;
      if (e.type === "precommit") {
        if (!this.hasPolka(log, e.round, e.value))
          this.violations.push(`${where} precommitted ${e.value} in round ${e.round} without a polka`);
        continue;
      }
      if (!this.blocks.isValid(e.value))
        this.violations.push(`${where} prevoted the invalid block ${e.value} in round ${e.round}`);
      // The lock in force when it prevoted: a lock taken in this same round came after the prevote.
      const lockRound = s.lockedRound < e.round ? s.lockedRound : node.lockedRound;
      const lockValue = s.lockedRound < e.round ? s.lockedValue : node.lockedValue;
      if (lockRound === -1 || lockValue === e.value) continue;
      let unlocked = false;
      for (let vr = lockRound; vr < e.round && !unlocked; vr++) unlocked = this.hasPolka(log, vr, e.value);
      if (!unlocked) {
        this.violations.push(
          `${where} prevoted ${e.value} in round ${e.round} while locked on ${lockValue} from round ${lockRound} with no newer polka`,
        );
      }
    }
    if (s.lockedRound !== node.lockedRound || s.lockedValue !== node.lockedValue) {
      if (s.lockedRound < node.lockedRound)
        this.violations.push(
          `${where} moved its lock back from round ${node.lockedRound} to ${s.lockedRound}`,
        );
      if (s.lockedValue !== null && !this.hasPolka(log, s.lockedRound, s.lockedValue))
        this.violations.push(`${where} locked on ${s.lockedValue} in round ${s.lockedRound} without a polka`);
      node.lockedRound = s.lockedRound;
      node.lockedValue = s.lockedValue;
    }
  }

  /** More than 2/3 of the power prevoted `value` in `round`, among the messages in `log`. */
  private hasPolka(log: Map<string, SimMessage> | undefined, round: number, value: ValueId): boolean {
    if (!log) return false;
    const seen = new Set<number>();
    let power = 0;
    for (const m of log.values()) {
      if (m.kind !== "vote") continue;
      const v = m.vote;
      if (v.type !== "prevote" || v.round !== round || v.value !== value || seen.has(v.validatorIndex))
        continue;
      seen.add(v.validatorIndex);
      power += this.config.powers[v.validatorIndex] ?? 0;
    }
    return 3 * power > 2 * this.sets.totalPower;
  }
}

function validateConfig(c: SimConfig): void {
  const n = c.powers.length;
  const bad = (why: string): never => {
    throw new ConsensusError("INVALID_CONFIG", `simulation config: ${why}`);
  };
  if (n === 0) bad("no validators");
  const node = (i: number, what: string) => {
    if (!Number.isInteger(i) || i < 0 || i >= n) bad(`${what} names node ${i} of ${n}`);
  };
  for (const c2 of c.crashes) node(c2.node, "a crash");
  for (const b of c.byzantine) node(b.node, "a byzantine spec");
  for (const p of c.network.partitions) for (const g of p.groups) for (const i of g) node(i, "a partition");
  if (c.gossipMs <= 0) bad("gossipMs must be positive");
  if (c.network.minDelayMs < 0 || c.network.maxDelayMs < c.network.minDelayMs) bad("bad delay range");
  if (c.silentProposerRounds < 0) bad("silentProposerRounds must be >= 0");
}
