// Connects a running node's parts to its metrics through the seams they already offer: commit
// and reject listeners of consensus, the message handlers of the p2p transport and tx gossip,
// and the stored validator sets. Nothing here changes what the node does.
import type { CommitEvent, ConsensusStatus, RejectedMessage, Transport } from "../../consensus/index.js";
import { bytesEqual, encode } from "../../proto/canonical.js";
import { Block, BlockIdFlag, type ValidatorInfo } from "../../proto/index.js";
import type { Logger } from "../logger.js";
import type { TxGossip } from "../p2p/index.js";
import type { NodeMetrics } from "./node-metrics.js";

export interface MetricsWiring {
  metrics: NodeMetrics;
  consensus: {
    onCommit(cb: (event: CommitEvent) => void): () => void;
    onReject(cb: (event: RejectedMessage) => void): () => void;
    status(): ConsensusStatus;
  };
  transport: Pick<Transport, "onMessage">;
  txGossip: Pick<TxGossip, "onTx">;
  /** The validators deciding `height`, in set order (undefined when not stored). */
  validatorsAt(height: number): Promise<readonly ValidatorInfo[] | undefined>;
  logger: Pick<Logger, "debug">;
}

export interface WiredMetrics {
  /** Reads what the node knows once consensus has started (last block time, the current set). */
  primeAfterStart(): void;
  /** Stops listening (the node is stopping). */
  detach(): void;
}

export function wireNodeMetrics(w: MetricsWiring): WiredMetrics {
  const { metrics } = w;
  // Validator-set reads are asynchronous: run them one after the other, so the gauges never go
  // back to an older height's set.
  let queue: Promise<void> = Promise.resolve();
  let detached = false;
  const later = (work: () => Promise<void>) => {
    queue = queue
      .then(() => (detached ? undefined : work()))
      .catch((err: unknown) => w.logger.debug({ err }, "metrics: reading validator sets failed"));
  };

  const updateValidatorSet = async (height: number) => {
    const set = await w.validatorsAt(height);
    if (set === undefined) return;
    const own = w.consensus.status().validatorAddress;
    const mine = own === null ? undefined : set.find((v) => bytesEqual(v.address, own));
    metrics.observeValidatorSet({
      count: set.length,
      totalPower: set.reduce((sum, v) => sum + Number(v.power), 0),
      ownPower: mine === undefined ? undefined : Number(mine.power),
    });
  };

  // A block at height H carries the commit of H-1: one entry per validator of H-1's set, in
  // set order. This node missed H-1 when its entry is not a precommit for the block.
  const checkMissed = async (event: CommitEvent) => {
    const own = w.consensus.status().validatorAddress;
    const lastCommit = event.block.lastCommit;
    if (own === null || event.height <= 1 || !lastCommit) return;
    const set = await w.validatorsAt(event.height - 1);
    const index = set?.findIndex((v) => bytesEqual(v.address, own)) ?? -1;
    if (index < 0) return;
    if (lastCommit.signatures?.[index]?.flag !== BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
      metrics.observeMissedBlock();
  };

  const unsubscribe = [
    w.consensus.onCommit((event) => {
      metrics.observeBlock({
        height: event.height,
        timeMs: Number(event.block.header?.timeMs ?? 0),
        txs: event.block.txs.length,
        sizeBytes: encode(Block, event.block).length,
      });
      later(async () => {
        await updateValidatorSet(event.height + 1);
        await checkMissed(event);
      });
    }),
    w.consensus.onReject((event) => metrics.observeRejectedMessage(event.kind)),
    w.transport.onMessage((message) => metrics.observeGossipReceived(message.kind)),
    w.txGossip.onTx(() => metrics.observeGossipReceived("tx")),
  ];

  return {
    primeAfterStart() {
      const status = w.consensus.status();
      if (status.lastHeight > 0) metrics.seedLastBlock(status.lastHeight, status.lastBlockTimeMs);
      later(() => updateValidatorSet(status.height));
    },
    detach() {
      detached = true;
      for (const off of unsubscribe) off();
    },
  };
}
