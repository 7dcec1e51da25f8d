// Long loops over a block's txs (execution, indexing, mempool rechecks) run on the thread that also
// carries consensus, gossip and RPC. A 10k-tx block is a second or more of work; done in one go
// (microtasks never let the event loop in) it delays every vote, proposal, peer ping and RPC answer
// by as much. These loops therefore hand the event loop a turn every YIELD_EVERY items. The results
// do not change: only other events run in between.

/** Items (txs, entries) a hot loop handles between two turns of the event loop. */
export const YIELD_EVERY = 256;

/** Resolves on the event loop's next turn, after pending I/O callbacks have run. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
