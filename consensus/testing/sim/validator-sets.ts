// The validator set of each height of a simulated chain: fixed membership and powers, proposer
// priorities advanced one step per height (as CometBFT does between heights), and the proposer
// of every (height, round) as the core computes it.
import { ProposerPriorities } from "../../core/proposer.js";

/** Address of validator `index`: distinct, and ordered like the indexes (ties in priority go to the lower). */
export function simAddress(index: number): Uint8Array {
  const a = new Uint8Array(20);
  a[18] = (index >> 8) & 0xff;
  a[19] = index & 0xff;
  return a;
}

export class SimValidatorSets {
  private readonly byHeight: ProposerPriorities[] = [];
  private readonly proposers = new Map<string, number>();

  constructor(readonly powers: readonly number[]) {
    this.byHeight[1] = ProposerPriorities.initial(
      powers.map((power, i) => ({ address: simAddress(i), power })),
    );
  }

  get totalPower(): number {
    return this.byHeight[1]!.totalPower;
  }

  at(height: number): ProposerPriorities {
    if (!Number.isSafeInteger(height) || height < 1) throw new RangeError(`invalid height ${height}`);
    for (let h = this.byHeight.length; h <= height; h++)
      this.byHeight[h] = this.byHeight[h - 1]!.incremented(1);
    return this.byHeight[height]!;
  }

  proposerOf(height: number, round: number): number {
    const key = `${height}/${round}`;
    let p = this.proposers.get(key);
    if (p === undefined) {
      const set = this.at(height);
      p = round === 0 ? set.proposerIndex : set.incremented(round).proposerIndex;
      this.proposers.set(key, p);
    }
    return p;
  }
}
