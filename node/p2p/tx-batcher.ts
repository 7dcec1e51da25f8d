// Collects the txs this node broadcasts for a few milliseconds and sends them as one TxBatch gossip
// message: gossipsub's cost is per message (ids, validation, framing, one RPC per peer), so at
// thousands of txs per second batching is what keeps the network off the CPU profile. A batch never
// exceeds the message cap.
import { encode } from "../../proto/canonical.js";
import { TxBatch } from "./wire.js";

export class TxBatcher {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly publish: (batch: Uint8Array) => void,
    /** Largest encoded batch (the gossip message cap minus framing). */
    private readonly maxBatchBytes: number,
    private readonly delayMs: number,
  ) {}

  /** Queues a tx; false when it alone exceeds the batch cap (it is not sent). */
  add(tx: Uint8Array): boolean {
    const cost = fieldCost(tx.length);
    if (cost > this.maxBatchBytes) return false;
    if (this.pendingBytes + cost > this.maxBatchBytes) this.flush();
    this.pending.push(tx);
    this.pendingBytes += cost;
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.delayMs);
    return true;
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const txs = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.publish(encode(TxBatch, TxBatch.create({ txs })));
  }

  /** Drops what is queued (the host is stopping). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Encoded size of one `repeated bytes` entry: tag, length varint, bytes. */
function fieldCost(length: number): number {
  let varint = 1;
  for (let n = length; n >= 0x80; n = Math.floor(n / 128)) varint++;
  return 1 + varint + length;
}
