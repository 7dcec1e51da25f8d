// Lets `tx_broadcast` in commit mode wait for a tx's block without polling: the node calls
// `notify` with each committed block's tx records, and waiters resolve. A waiter subscribes before
// it looks in the index, so a commit between the two cannot be missed.
import { toHex } from "../crypto/hash.js";
import type { TxRecord } from "../proto/index.js";
import { RpcBackendError } from "./backend.js";

type Listener = (record: TxRecord | undefined) => void;

export class TxCommitWaiter {
  private readonly listeners = new Map<string, Set<Listener>>();
  private count = 0;
  private closed = false;

  /** `maxWaiters` bounds memory under a flood of commit-mode broadcasts. */
  constructor(private readonly maxWaiters = 10_000) {}

  /** Number of pending waits. */
  get pending(): number {
    return this.count;
  }

  /** Called by the node after each commit with the records of the block's txs. */
  notify(records: Iterable<TxRecord>): void {
    for (const record of records) {
      const set = this.listeners.get(toHex(record.hash));
      if (set === undefined) continue;
      for (const listener of [...set]) listener(record);
    }
  }

  /**
   * The record of `hash` once committed (looked up with `lookup` first), or undefined after
   * `timeoutMs` or `close()`. After `close()` it answers undefined at once: a broadcast that was
   * still in its checks when the node began to stop must not start a timer that would keep the
   * stopped process alive for the whole timeout.
   */
  wait(
    hash: Uint8Array,
    timeoutMs: number,
    lookup: (hash: Uint8Array) => Promise<TxRecord | undefined>,
  ): Promise<TxRecord | undefined> {
    if (this.count >= this.maxWaiters) {
      return Promise.reject(
        new RpcBackendError("UNAVAILABLE", "too many txs are being waited for; try again later"),
      );
    }
    if (this.closed) return Promise.resolve(undefined);
    const key = toHex(hash);
    return new Promise<TxRecord | undefined>((resolve, reject) => {
      let set = this.listeners.get(key);
      if (set === undefined) {
        set = new Set();
        this.listeners.set(key, set);
      }
      const listeners = set;
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        listeners.delete(listener);
        if (listeners.size === 0 && this.listeners.get(key) === listeners) this.listeners.delete(key);
        this.count--;
        return true;
      };
      const listener: Listener = (record) => {
        if (settle()) resolve(record);
      };
      listeners.add(listener);
      this.count++;
      const timer = setTimeout(() => listener(undefined), timeoutMs);
      lookup(hash).then(
        (record) => {
          if (record !== undefined) listener(record);
        },
        (err: unknown) => {
          if (settle()) reject(err);
        },
      );
    });
  }

  /** Resolves every pending wait, and every later one, with undefined (on shutdown). */
  close(): void {
    this.closed = true;
    for (const set of [...this.listeners.values()]) for (const listener of [...set]) listener(undefined);
  }
}
