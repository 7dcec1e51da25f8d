// Keeps the configured peers connected. Persistent peers are dialled at start and redialled
// whenever they are not connected, with a backoff that doubles per attempt up to a cap and starts
// over once the peer was seen connected (a peer that is down for an hour costs a dial per cap
// interval, not a busy loop). Seeds are dialled
// at start and retried the same way until the first connection, then left alone. Banned peers are
// not dialled until their ban ends.
import type { Logger } from "../logger.js";
import type { PeerAddress } from "./peer-address.js";

export interface DialerTiming {
  /** First retry delay after a failed dial or a lost connection. */
  redialBaseMs: number;
  /** Longest delay between two attempts. */
  redialMaxMs: number;
}

export interface DialerDeps {
  dial(address: PeerAddress): Promise<void>;
  isConnected(peerId: string): boolean;
  isBanned(peerId: string): boolean;
  logger: Logger;
}

interface Target {
  address: PeerAddress;
  persistent: boolean;
  /** A seed that was reached once needs no more dials. */
  done: boolean;
  dialing: boolean;
  backoffMs: number;
  nextAttemptAt: number;
}

export class PeerDialer {
  private readonly targets: Target[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: DialerDeps,
    persistent: PeerAddress[],
    seeds: PeerAddress[],
    private readonly timing: DialerTiming,
  ) {
    const add = (address: PeerAddress, persistentPeer: boolean) =>
      this.targets.push({
        address,
        persistent: persistentPeer,
        done: false,
        dialing: false,
        backoffMs: timing.redialBaseMs,
        nextAttemptAt: 0,
      });
    for (const p of persistent) add(p, true);
    // A seed that is also a persistent peer is already kept connected.
    for (const s of seeds) if (!persistent.some((p) => p.peerId === s.peerId)) add(s, false);
  }

  isPersistent(peerId: string): boolean {
    return this.targets.some((t) => t.persistent && t.address.peerId === peerId);
  }

  start(): void {
    if (this.targets.length === 0) return;
    this.tick();
    const every = Math.max(50, Math.min(1000, this.timing.redialBaseMs));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A connection to `peerId` closed: a persistent peer is redialled as soon as its backoff allows. */
  onDisconnect(peerId: string): void {
    if (!this.stopped && this.isPersistent(peerId)) setImmediate(() => this.tick());
  }

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const t of this.targets) {
      if (t.done || t.dialing) continue;
      const peerId = t.address.peerId;
      if (this.deps.isConnected(peerId)) {
        // Seen connected: should it drop, the redial is immediate and the backoff starts over.
        t.backoffMs = this.timing.redialBaseMs;
        t.nextAttemptAt = now;
        if (!t.persistent) t.done = true;
        continue;
      }
      if (now < t.nextAttemptAt || this.deps.isBanned(peerId)) continue;
      t.dialing = true;
      // Every attempt pushes the next one out, successful or not: a peer that accepts the
      // connection and closes it at once (it banned us, it is on another chain) is dialled at the
      // backoff rate, never in a tight loop.
      const settle = () => {
        t.dialing = false;
        t.nextAttemptAt = Date.now() + t.backoffMs;
        t.backoffMs = Math.min(this.timing.redialMaxMs, t.backoffMs * 2);
      };
      this.deps
        .dial(t.address)
        .then(() => {
          settle();
          this.deps.logger.debug({ peer: peerId }, "dialled peer");
        })
        .catch((err: unknown) => {
          settle();
          this.deps.logger.debug(
            { peer: peerId, retryInMs: t.nextAttemptAt - Date.now(), err: (err as Error).message },
            t.persistent ? "dial to persistent peer failed" : "dial to seed failed",
          );
        });
    }
  }
}
