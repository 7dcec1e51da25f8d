// The simulator's stand-in for blocks: a value id names a row that says which height and round it
// was built for, by whom, whether the application accepts it, and which evidence it carries. The
// checks read this table to verify validity and that evidence reached the chain.
import type { ValueId } from "../../core/types.js";
import type { BlockInfo } from "./types.js";

export class BlockTable {
  private readonly rows = new Map<ValueId, BlockInfo>();

  create(height: number, round: number, proposer: number, valid: boolean, evidence: string[]): BlockInfo {
    const id = `h${height}r${round}p${proposer}#${this.rows.size}`;
    const info: BlockInfo = { id, height, round, proposer, valid, evidence };
    this.rows.set(id, info);
    return info;
  }

  get(id: ValueId): BlockInfo | undefined {
    return this.rows.get(id);
  }

  /** The application's verdict: unknown ids (made up by a byzantine voter) are not valid blocks. */
  isValid(id: ValueId): boolean {
    return this.rows.get(id)?.valid === true;
  }

  /** Another block built for the same height and round, if any (what a double voter votes for). */
  sibling(id: ValueId | null, height: number, round: number): ValueId | undefined {
    for (const row of this.rows.values()) {
      if (row.height === height && row.round === round && row.id !== id) return row.id;
    }
    return undefined;
  }

  all(): ReadonlyMap<ValueId, BlockInfo> {
    return this.rows;
  }
}
