// A minimal TxSource for consensus tests: a FIFO of txs, emptied of what each block included.
import { toHex } from "../../crypto/hash.js";
import type { TxSource } from "../mempool-port.js";

export class TxQueue implements TxSource {
  private txs: Uint8Array[] = [];
  readonly updates: { height: number; txs: number }[] = [];

  add(...txs: Uint8Array[]): void {
    this.txs.push(...txs);
  }

  reap(maxBytes: number, _maxGas: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const tx of this.txs) {
      if (bytes + tx.length > maxBytes) break;
      bytes += tx.length;
      out.push(tx);
    }
    return out;
  }

  async update(height: number, committedTxs: Uint8Array[]): Promise<void> {
    const done = new Set(committedTxs.map(toHex));
    this.txs = this.txs.filter((tx) => !done.has(toHex(tx)));
    this.updates.push({ height, txs: committedTxs.length });
  }

  size(): number {
    return this.txs.length;
  }
}
