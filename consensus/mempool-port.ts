// What consensus needs from the mempool: txs to propose, and the news of a committed block.
export interface TxSource {
  /** Txs in proposal order, at most `maxBytes` in total and `maxGas` of gas wanted. */
  reap(maxBytes: number, maxGas: number): Uint8Array[];
  /** Called after each commit: drop included txs, re-check the rest. */
  update(height: number, committedTxs: Uint8Array[]): Promise<void>;
  /** Number of txs waiting (lets the driver skip waiting for txs when empty). */
  size(): number;
}
