// The simulated network between validators: per message, whether it arrives, how late, and how
// many times. Before GST messages may be dropped and be slower; partitions cut links for an
// interval; after GST every message between connected nodes arrives within the delay bound
// (the partial-synchrony model Tendermint's liveness proof assumes).
import type { Prng } from "./prng.js";
import type { NetworkSpec, SimMessage } from "./types.js";

export class NetworkModel {
  /** For each partition, the group of each node (a node in no group gets a group of its own). */
  private readonly groupOf: Int32Array[];

  constructor(
    private readonly spec: NetworkSpec,
    private readonly rng: Prng,
    nodes: number,
  ) {
    this.groupOf = spec.partitions.map((p) => {
      const groups = new Int32Array(nodes).map((_, i) => -1 - i);
      p.groups.forEach((g, gi) => {
        for (const node of g) groups[node] = gi;
      });
      return groups;
    });
  }

  /** Whether `from` and `to` can talk at `nowMs` (no partition separates them). */
  connected(from: number, to: number, nowMs: number): boolean {
    for (let i = 0; i < this.spec.partitions.length; i++) {
      const p = this.spec.partitions[i]!;
      if (nowMs < p.fromMs || nowMs >= p.toMs) continue;
      const g = this.groupOf[i]!;
      if (g[from] !== g[to]) return false;
    }
    return true;
  }

  /**
   * Delays (ms) of the copies of one message sent now: none when it is lost, two when duplicated.
   * `gossip` marks catch-up sends for the script.
   */
  deliveries(from: number, to: number, message: SimMessage, nowMs: number, gossip: boolean): number[] {
    const scripted = this.spec.script?.({ from, to, message, nowMs, gossip });
    if (scripted === "drop") return [];
    if (scripted !== undefined) return [scripted];
    if (!this.connected(from, to, nowMs)) return [];
    const beforeGst = nowMs < this.spec.gstMs;
    if (beforeGst && this.rng.chance(this.spec.dropProbBeforeGst)) return [];
    const first = this.delay(beforeGst);
    if (!this.rng.chance(this.spec.duplicateProb)) return [first];
    return [first, this.delay(beforeGst)];
  }

  /** The longest a message sent before `nowMs` can still be on its way (for "no commit during" checks). */
  maxDelayMs(): number {
    return Math.max(this.spec.maxDelayMs, this.spec.tailDelayMs, this.spec.maxDelayBeforeGstMs);
  }

  private delay(beforeGst: boolean): number {
    const s = this.spec;
    if (beforeGst && s.maxDelayBeforeGstMs > s.maxDelayMs && this.rng.chance(0.5)) {
      return this.rng.int(s.minDelayMs, s.maxDelayBeforeGstMs);
    }
    if (s.tailDelayMs > s.maxDelayMs && this.rng.chance(s.tailProb)) {
      return this.rng.int(s.maxDelayMs, s.tailDelayMs);
    }
    return this.rng.int(s.minDelayMs, s.maxDelayMs);
  }
}
