// Txs travel between mempools over gossip. A tx this node admits from a client (RPC) is
// published; a tx from a peer goes through the same admission as a client's (checkTx, limits)
// before gossip relays its batch, so what travels on is what this mempool took in. Gossip relays
// peers' batches by itself, so a peer's tx is not published again here.
// Only a tx that no honest node would ever relay (not decodable, not canonical, a forged
// signature, another chain's) counts against the peer: a stale nonce or a full mempool is normal.
import type { Logger } from "../logger.js";
import { MempoolError } from "./errors.js";
import type { Mempool } from "./mempool.js";

/** What node/p2p offers the mempool. */
export interface TxGossip {
  /** `hash` is sha256(tx), which gossip keeps the tx by. */
  broadcastTx(tx: Uint8Array, hash: Uint8Array): void;
  /**
   * Peers' txs go through `admit` (with the sha256 gossip computed) before their batch is
   * relayed; only admitted txs travel on.
   */
  admitWith(
    admit: (
      tx: Uint8Array,
      from: string,
      hash: Uint8Array,
    ) => Promise<"admitted" | "not-admitted" | "forged">,
  ): () => void;
  /** Gossip finds txs here by sha256: to rebuild compact blocks, and for peers that ask. */
  findWith(find: (hash: Uint8Array) => Uint8Array | undefined): () => void;
  reportInvalid(peer: string, reason: string): void;
}

const PEER_FAULTS = new Set(["TX_MALFORMED", "TX_NON_CANONICAL", "TX_BAD_SIGNATURE", "TX_WRONG_CHAIN_ID"]);

/** Admits peers' txs into `mempool` and publishes the txs its own clients add; returns `close`. */
export function connectTxGossip(mempool: Mempool, gossip: TxGossip, logger: Logger): () => void {
  const unsubscribeAdded = mempool.onAdded((tx, origin, hash) => {
    if (origin === undefined) gossip.broadcastTx(tx, hash);
  });
  const unsubscribeGossip = gossip.admitWith(async (tx, from, hash) => {
    try {
      await mempool.add(tx, from, hash);
      return "admitted";
    } catch (err) {
      if (!(err instanceof MempoolError)) {
        logger.error({ err, from }, "admitting a peer's tx failed");
        return "not-admitted";
      }
      if (!PEER_FAULTS.has(err.code)) {
        logger.trace({ from, code: err.code }, "peer tx not admitted");
        return "not-admitted";
      }
      gossip.reportInvalid(from, `tx: ${err.code}`);
      return "forged";
    }
  });
  const unsetFind = gossip.findWith((hash) => mempool.get(hash)?.tx);
  return () => {
    unsubscribeAdded();
    unsubscribeGossip();
    unsetFind();
  };
}
