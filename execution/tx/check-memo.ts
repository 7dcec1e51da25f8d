// Rechecks that need not run again. After each block the mempool rechecks every tx it holds
// against the new state, and under load that was a whole second execution of every waiting tx
// per block. A check's answer depends only on the state it read, the chain params and, for some
// messages, the height or block time. So a passing check remembers which committed keys it read;
// after the next block, if that block wrote none of them, the params are the same object and the
// check never looked at the height or time, the answer stands and the tx is not run again.
//
// Only a check that ran against one committed height is remembered, and only for the block right
// after it: the mempool rechecks every tx after every block, so an older memo is simply run again.
// A check may have read some keys from the block being finalized (the app applies a block's writes
// to its committed cache before commit): that is harmless, because a memo is reused only when the
// block wrote none of the keys it read, and those keys hold the same value before and after it.
import type { CheckTxResult } from "../../consensus/application.js";
import type { ChainParams } from "../params.js";
import { BlockState, type Peeked, type StateKey } from "../store.js";
import type { TxEnv } from "./execute.js";

interface CheckMemo {
  /** The committed height the check ran against. */
  height: number;
  params: ChainParams;
  /** Ids of the committed keys it read. */
  reads: string[];
  result: CheckTxResult;
}

/** A throwaway block layer that records which keys reads fetched from the committed state. */
export class ReadRecordingState extends BlockState {
  readonly reads = new Set<string>();

  protected override readParent(key: StateKey): Promise<Uint8Array | undefined> {
    this.reads.add(key.id);
    return super.readParent(key);
  }

  protected override peekParent(key: StateKey): Peeked {
    this.reads.add(key.id);
    return super.peekParent(key);
  }
}

/**
 * checkTx's execution environment: the height and block time of the next block, noting whether
 * the tx read either (then its check cannot be reused). A class rather than a literal with
 * getters, which V8 builds on a slow path for every call.
 */
export class CheckEnv implements TxEnv {
  readonly mode = "check";
  /** Whether the tx read the height or the block time. */
  readsEnv = false;

  constructor(
    readonly params: ChainParams,
    private readonly nextHeight: number,
    private readonly lastTimeMs: number,
  ) {}

  get height(): number {
    this.readsEnv = true;
    return this.nextHeight;
  }

  get timeMs(): number {
    this.readsEnv = true;
    return this.lastTimeMs;
  }
}

export class CheckMemos {
  private readonly memos = new Map<string, CheckMemo>();
  private lastWrites: ReadonlySet<string> = new Set();
  private lastWritesHeight = -1;
  /** Rechecks answered from a memo since start (a metric, and what the tests observe). */
  reused = 0;

  constructor(private readonly capacity: number) {}

  /** A passing check of the tx `hashId` that ran against `height` and read `reads`. */
  remember(
    hashId: string,
    height: number,
    params: ChainParams,
    reads: Iterable<string>,
    result: CheckTxResult,
  ): void {
    this.memos.delete(hashId);
    this.memos.set(hashId, { height, params, reads: [...reads], result });
    if (this.memos.size > this.capacity) {
      // Oldest first, a sixteenth at a time (see SignatureVerifier.remember for why not one by one).
      let excess = this.memos.size - this.capacity + (this.capacity >> 4);
      for (const oldest of this.memos.keys()) {
        this.memos.delete(oldest);
        if (--excess <= 0) break;
      }
    }
  }

  /** The remembered answer for `hashId` if it still holds at `height` with `params`. */
  reuse(hashId: string, height: number, params: ChainParams): CheckTxResult | undefined {
    const memo = this.memos.get(hashId);
    if (memo === undefined || memo.params !== params) return undefined;
    if (memo.height !== height) {
      if (memo.height !== height - 1 || this.lastWritesHeight !== height) return undefined;
      for (const id of memo.reads) if (this.lastWrites.has(id)) return undefined;
      memo.height = height;
    }
    this.reused++;
    return memo.result;
  }

  /** The block at `height` committed, writing the keys `writes`. */
  blockCommitted(height: number, writes: ReadonlySet<string>): void {
    this.lastWrites = writes;
    this.lastWritesHeight = height;
  }

  forget(hashId: string): void {
    this.memos.delete(hashId);
  }

  get size(): number {
    return this.memos.size;
  }
}
