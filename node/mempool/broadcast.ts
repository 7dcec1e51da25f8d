// Adapts Mempool.add to the RPC backend's broadcastTx: a refusal is an answer (with the stable
// code the client will see), not an exception; only internal failures throw.
import type { BroadcastResult } from "../../rpc/backend.js";
import { MempoolError } from "./errors.js";
import type { Mempool } from "./mempool.js";

export async function broadcastToMempool(mempool: Mempool, tx: Uint8Array): Promise<BroadcastResult> {
  try {
    const added = await mempool.add(tx);
    return { accepted: true, hash: added.hash, gasWanted: added.check.gasWanted, log: added.check.log };
  } catch (err) {
    if (!(err instanceof MempoolError)) throw err;
    if (err.checkTx !== undefined) {
      return {
        accepted: false,
        hash: err.hash,
        rejectedBy: "app",
        code: err.checkTx.code,
        codename: err.code,
        log: err.message,
      };
    }
    return { accepted: false, hash: err.hash, rejectedBy: "mempool", codename: err.code, log: err.message };
  }
}
