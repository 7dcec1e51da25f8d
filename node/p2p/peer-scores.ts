// Our own opinion of each peer, fed by everything that finds a peer's message wrong: gossip
// validators (undecodable or oversized bytes), the block-part assembler, and consensus, mempool and
// block sync through reportInvalid. Penalties decay (half-life), so an honest peer that relayed one
// bad message recovers, while a peer that keeps sending garbage crosses the ban threshold, is
// disconnected and refused until its ban ends. The score also feeds gossipsub (app-specific score),
// which stops gossiping with and then ignores badly scored peers before the ban.

export interface PeerScoreParams {
  /** Score at or below which a peer is banned. */
  banThreshold: number;
  /** Time for a penalty to decay to half. */
  halfLifeMs: number;
  /** How long a ban lasts; 0 = only disconnect. */
  banDurationMs: number;
}

/** Points taken for one invalid message: five in quick succession ban a peer, four do not. */
export const PENALTY_INVALID = 20;
export const DEFAULT_BAN_THRESHOLD = -90;
export const DEFAULT_HALF_LIFE_MS = 60_000;

interface Entry {
  score: number;
  at: number;
}

export class PeerScores {
  private readonly entries = new Map<string, Entry>();
  private readonly bans = new Map<string, number>();

  constructor(
    private readonly params: PeerScoreParams,
    private readonly now: () => number = Date.now,
  ) {}

  /** The peer's current score (0 = neutral, negative = penalised). */
  score(peer: string): number {
    const e = this.entries.get(peer);
    if (!e) return 0;
    return this.decayed(e, this.now());
  }

  /**
   * Takes `points` from the peer. Returns true when this pushed it to the ban threshold: the peer is
   * then banned (for banDurationMs) and its score starts again from zero after the ban.
   */
  penalize(peer: string, points: number): boolean {
    const now = this.now();
    const e = this.entries.get(peer);
    const score = (e ? this.decayed(e, now) : 0) - points;
    if (score <= this.params.banThreshold) {
      this.entries.delete(peer);
      if (this.params.banDurationMs > 0) this.bans.set(peer, now + this.params.banDurationMs);
      return true;
    }
    this.entries.set(peer, { score, at: now });
    this.sweep(now);
    return false;
  }

  isBanned(peer: string): boolean {
    const until = this.bans.get(peer);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.bans.delete(peer);
    return false;
  }

  /** When the peer's ban ends (unix ms), or undefined when it is not banned. */
  bannedUntil(peer: string): number | undefined {
    return this.isBanned(peer) ? this.bans.get(peer) : undefined;
  }

  private decayed(e: Entry, now: number): number {
    const dt = Math.max(0, now - e.at);
    return e.score * 0.5 ** (dt / this.params.halfLifeMs);
  }

  // Bounds memory: entries that decayed to almost nothing are forgotten (checked at most once per
  // 1,000 penalties, so the cost stays flat under a flood).
  private penalties = 0;
  private sweep(now: number): void {
    if (++this.penalties % 1000 !== 0) return;
    for (const [peer, e] of this.entries) if (this.decayed(e, now) > -1) this.entries.delete(peer);
    for (const [peer, until] of this.bans) if (until <= now) this.bans.delete(peer);
  }
}
