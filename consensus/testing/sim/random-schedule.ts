// A random schedule from a seed: 4 or 7 validators (equal or uneven power), a faulty set below 1/3
// of the power (crashed for good or byzantine), honest nodes that crash and come back, silent
// proposers, a slow and lossy network before GST, duplicates, long-tail delays and partitions.
// Everything that can stop progress ends by the schedule's stabilisation time, so every run must
// make progress after it.
import { maxFaulty, SIM_TIMEOUTS } from "./config.js";
import { Prng } from "./prng.js";
import type { ByzantineSpec, CrashSpec, PartitionSpec, SimConfig } from "./types.js";

/** Until when faults and partitions may start or end. */
const HORIZON_MS = 3_000;
/**
 * Virtual time after stabilisation for two more heights. The slowest of 23,000 seeds needed 8.1 s
 * (rounds grown long while the network was bad, catching up a crashed node height by height).
 */
export const RANDOM_PROGRESS_BOUND_MS = 30_000;

export function randomSchedule(seed: number): SimConfig {
  const rng = new Prng(seed);
  const n = rng.chance(0.5) ? 4 : 7;
  const powers = rng.chance(0.6)
    ? new Array<number>(n).fill(1)
    : Array.from({ length: n }, () => rng.int(1, 5));
  const total = powers.reduce((a, b) => a + b, 0);
  const fits = (nodes: Iterable<number>) => {
    let p = 0;
    for (const i of nodes) p += powers[i]!;
    return 3 * p < total;
  };

  // The faulty set: as many validators as stay under 1/3 of the power, or fewer.
  const order = rng.shuffled(powers.map((_, i) => i));
  const faulty: number[] = [];
  const wanted = rng.int(0, maxFaulty(powers));
  for (const i of order) if (faulty.length < wanted && fits([...faulty, i])) faulty.push(i);
  const byzantine: ByzantineSpec[] = [];
  const crashes: CrashSpec[] = [];
  for (const node of faulty) {
    if (rng.chance(0.5)) {
      const spec: ByzantineSpec = { node };
      spec.equivocateProposals = rng.chance(0.7);
      spec.doubleVote = rng.chance(0.7);
      spec.invalidProposals = rng.chance(0.2);
      byzantine.push(spec);
    } else {
      crashes.push({ node, atMs: rng.chance(0.5) ? 0 : rng.int(0, HORIZON_MS) });
    }
  }

  // Silent proposers: down while their height runs, as long as the faulty set plus any one (or two)
  // of the others stays under 1/3.
  let silentProposerRounds = 0;
  if (rng.chance(0.2)) {
    const others = order.filter((i) => !faulty.includes(i)).sort((a, b) => powers[b]! - powers[a]!);
    for (let k = 1; k <= 2; k++) if (fits([...faulty, ...others.slice(0, k)])) silentProposerRounds = k;
    silentProposerRounds = silentProposerRounds > 0 ? rng.int(1, silentProposerRounds) : 0;
  }

  // Correct nodes that crash and recover (any of them: crashes never break safety).
  if (rng.chance(0.3)) {
    const count = rng.int(1, 2);
    for (const node of rng.shuffled(order.filter((i) => !faulty.includes(i))).slice(0, count)) {
      const atMs = rng.int(0, HORIZON_MS);
      crashes.push({ node, atMs, recoverAtMs: atMs + rng.int(50, HORIZON_MS) });
    }
  }

  const partitions: PartitionSpec[] = [];
  if (rng.chance(0.35)) {
    const fromMs = rng.int(0, HORIZON_MS);
    const shuffled = rng.shuffled(powers.map((_, i) => i));
    const cut = rng.int(1, n - 1);
    const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
    if (n === 7 && rng.chance(0.3)) groups.push(groups[1]!.splice(0, Math.ceil(groups[1]!.length / 2)));
    partitions.push({
      fromMs,
      toMs: fromMs + rng.int(100, HORIZON_MS),
      groups: groups.filter((g) => g.length > 0),
    });
  }

  const maxDelayMs = rng.int(5, 150);
  const lossy = rng.chance(0.5);
  return {
    seed: rng.nextU32(),
    powers,
    timeouts: SIM_TIMEOUTS,
    commitMs: rng.int(0, 50),
    gossipMs: rng.int(100, 500),
    network: {
      minDelayMs: rng.int(0, 5),
      maxDelayMs,
      tailProb: rng.chance(0.3) ? rng.float() * 0.1 : 0,
      tailDelayMs: maxDelayMs + rng.int(0, 800),
      duplicateProb: rng.chance(0.4) ? rng.float() * 0.3 : 0,
      gstMs: lossy ? rng.int(200, HORIZON_MS) : 0,
      dropProbBeforeGst: lossy ? rng.float() * 0.6 : 0,
      maxDelayBeforeGstMs: lossy ? rng.int(maxDelayMs, 1_500) : 0,
      partitions,
    },
    crashes,
    silentProposerRounds,
    byzantine,
    minHeights: 2,
    heightsAfterStable: 2,
    progressBoundMs: RANDOM_PROGRESS_BOUND_MS,
  };
}

/** A one-line summary of a schedule for failure messages. */
export function describeSchedule(c: SimConfig): string {
  const net = c.network;
  const parts = [
    `powers=[${c.powers.join(",")}]`,
    `delay=${net.minDelayMs}-${net.maxDelayMs}ms tail=${net.tailProb.toFixed(3)}@${net.tailDelayMs}ms`,
    `dup=${net.duplicateProb.toFixed(2)} gst=${net.gstMs}ms drop=${net.dropProbBeforeGst.toFixed(2)}`,
  ];
  for (const p of net.partitions)
    parts.push(`partition ${p.fromMs}-${p.toMs}ms ${p.groups.map((g) => g.join(",")).join("|")}`);
  for (const x of c.crashes)
    parts.push(`crash ${x.node}@${x.atMs}${x.recoverAtMs !== undefined ? `-${x.recoverAtMs}` : ""}ms`);
  for (const b of c.byzantine) {
    const what = [
      b.equivocateProposals && "equivocates",
      b.doubleVote && "double-votes",
      b.invalidProposals && "invalid",
    ];
    parts.push(`byzantine ${b.node} (${what.filter(Boolean).join(",") || "honest-looking"})`);
  }
  if (c.silentProposerRounds > 0) parts.push(`silent proposers of rounds 0..${c.silentProposerRounds - 1}`);
  return parts.join("; ");
}
