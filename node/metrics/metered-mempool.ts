// The mempool with its refusals counted by reason. A subclass rather than a change to the
// mempool: every caller (RPC broadcast, tx gossip) goes through `add`, so counting there sees
// every refusal, and the mempool itself stays unaware of metrics.
import { MempoolError } from "../mempool/errors.js";
import { Mempool } from "../mempool/mempool.js";
import type { MempoolAddResult, MempoolOptions } from "../mempool/types.js";

export class MeteredMempool extends Mempool {
  constructor(
    opts: MempoolOptions,
    private readonly onRejected: (reason: string) => void,
  ) {
    super(opts);
  }

  override async add(tx: Uint8Array, origin?: string, hash?: Uint8Array): Promise<MempoolAddResult> {
    try {
      return await super.add(tx, origin, hash);
    } catch (err) {
      if (err instanceof MempoolError) this.onRejected(err.code);
      throw err;
    }
  }
}
