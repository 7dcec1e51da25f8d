// End-of-run properties of a simulation, each returning human-readable violations (empty: holds).
import type { SimResult } from "./types.js";

/** Agreement: no two honest nodes decide different values at one height. */
export function checkAgreement(r: SimResult): string[] {
  const out: string[] = [];
  const byHeight = new Map<number, { node: number; value: string }>();
  for (const node of r.honest) {
    for (const d of r.decisions[node]!) {
      const first = byHeight.get(d.height);
      if (!first) byHeight.set(d.height, { node, value: d.value });
      else if (first.value !== d.value)
        out.push(
          `agreement: height ${d.height}: node ${first.node} decided ${first.value}, node ${node} ${d.value}`,
        );
    }
  }
  return out;
}

/**
 * Validity: every value an honest node decided is a valid block built for that height by the
 * proposer of the round it was first proposed in; and heights are decided in order, once each.
 */
export function checkValidity(r: SimResult): string[] {
  const out: string[] = [];
  for (const node of r.honest) {
    r.decisions[node]!.forEach((d, i) => {
      if (d.height !== i + 1)
        out.push(`validity: node ${node} decided height ${d.height} as its decision #${i + 1}`);
      const block = r.blocks.get(d.value);
      if (!block) {
        out.push(`validity: node ${node} decided ${d.value} at height ${d.height}, which no proposer built`);
        return;
      }
      if (!block.valid) out.push(`validity: node ${node} decided the invalid block ${d.value}`);
      if (block.height !== d.height)
        out.push(
          `validity: node ${node} decided ${d.value} (built for height ${block.height}) at height ${d.height}`,
        );
      const proposer = r.proposerOf(block.height, block.round);
      if (block.proposer !== proposer) {
        out.push(
          `validity: ${d.value} was built by node ${block.proposer}, but round ${block.round} of height ${block.height} is node ${proposer}'s`,
        );
      }
    });
  }
  return out;
}

/** Progress after stabilisation: every live honest node reached the target height in time. */
export function checkProgress(r: SimResult): string[] {
  if (r.reachedTarget) return [];
  const behind = r.live
    .filter((n) => r.decisions[n]!.length < r.targetHeight)
    .map((n) => `node ${n} at ${r.decisions[n]!.length}`);
  return [
    `progress: by ${r.endMs} ms (stable at ${r.stableAtMs} ms + bound ${r.config.progressBoundMs} ms) ` +
      `live honest nodes should have decided ${r.targetHeight} heights: ${behind.join(", ")}`,
  ];
}

/** Heights whose value carries evidence against `validator`, on the chain node `node` decided. */
export function committedEvidenceAgainst(r: SimResult, node: number, validator: number): number[] {
  const heights: number[] = [];
  for (const d of r.decisions[node]!) {
    const block = r.blocks.get(d.value);
    if (block?.evidence.some((key) => key.endsWith(`/${validator}`))) heights.push(d.height);
  }
  return heights;
}

/** The highest height any honest node decided at or before `atMs`. */
export function decidedHeightAt(r: SimResult, atMs: number): number {
  let h = 0;
  for (const node of r.honest)
    for (const d of r.decisions[node]!) if (d.atMs <= atMs && d.height > h) h = d.height;
  return h;
}

/**
 * While a partition leaves no group with more than 2/3 of the power, no new height is decided
 * (a node deciding a height another node had decided already is catching up, not a new commit).
 * Work started before the partition may still finish inside it: votes in flight, a commit whose
 * precommits were all cast before it, messages buffered for the next height. `settleMs` is how long
 * after the partition starts that may take; only decisions after it count.
 */
export function checkNoCommitDuringPartitions(r: SimResult, settleMs: number): string[] {
  const out: string[] = [];
  const total = r.config.powers.reduce((a, b) => a + b, 0);
  for (const p of r.config.network.partitions) {
    const listed = new Set(p.groups.flat());
    const alone = r.config.powers.map((_, i) => i).filter((i) => !listed.has(i));
    const groups = [...p.groups, ...alone.map((i) => [i])];
    const quorumSomewhere = groups.some(
      (g) => 3 * g.reduce((s, i) => s + r.config.powers[i]!, 0) > 2 * total,
    );
    if (quorumSomewhere) continue;
    const settled = p.fromMs + settleMs;
    if (settled >= p.toMs) continue;
    const before = decidedHeightAt(r, settled);
    const during = decidedHeightAt(r, p.toMs - 1);
    if (during > before)
      out.push(`partition ${p.fromMs}-${p.toMs} ms: height ${during} was decided during it (had ${before})`);
  }
  return out;
}

/** Everything that must hold for every run; violations recorded while running included. */
export function checkAll(r: SimResult): string[] {
  return [...r.violations, ...checkAgreement(r), ...checkValidity(r), ...checkProgress(r)];
}
