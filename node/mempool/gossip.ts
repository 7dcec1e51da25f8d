// Txs travel between mempools over gossip. A tx this node admits from a client (RPC) is
// published; a tx from a peer goes through the same admission as a client's (checkTx, limits).
// Gossip forwards what peers publish by itself, so a peer's tx is not published again here.
// Only a tx that no honest node would ever relay (not decodable, not canonical, a forged
// signature, another chain's) counts against the peer: a stale nonce or a full mempool is normal.
import type { Logger } from "../logger.js";
import { MempoolError } from "./errors.js";
import type { Mempool } from "./mempool.js";

/** What node/p2p offers the mempool. */
export interface TxGossip {
  broadcastTx(tx: Uint8Array): void;
  onTx(handler: (tx: Uint8Array, from: string) => void): () => void;
  reportInvalid(peer: string, reason: string): void;
}

const PEER_FAULTS = new Set(["TX_MALFORMED", "TX_NON_CANONICAL", "TX_BAD_SIGNATURE", "TX_WRONG_CHAIN_ID"]);

/** Admits peers' txs into `mempool` and publishes the txs its own clients add; returns `close`. */
export function connectTxGossip(mempool: Mempool, gossip: TxGossip, logger: Logger): () => void {
  const unsubscribeAdded = mempool.onAdded((tx, origin) => {
    if (origin === undefined) gossip.broadcastTx(tx);
  });
  const unsubscribeGossip = gossip.onTx((tx, from) => {
    mempool.add(tx, from).catch((err: unknown) => {
      if (!(err instanceof MempoolError)) {
        logger.error({ err, from }, "admitting a peer's tx failed");
        return;
      }
      if (PEER_FAULTS.has(err.code)) gossip.reportInvalid(from, `tx: ${err.code}`);
      else logger.trace({ from, code: err.code }, "peer tx not admitted");
    });
  });
  return () => {
    unsubscribeAdded();
    unsubscribeGossip();
  };
}
