// Names of everything this node speaks on libp2p. The chain id is part of every name, so nodes of
// two chains that meet never exchange a message: their topics and protocols simply differ.

export type GossipKind = "proposal" | "block_part" | "vote" | "evidence" | "tx";

export const GOSSIP_KINDS: readonly GossipKind[] = ["proposal", "block_part", "vote", "evidence", "tx"];

/** Wire versions: block parts carry CompactBlocks since version 2. */
const TOPIC_VERSIONS: Record<GossipKind, number> = {
  proposal: 1,
  block_part: 2,
  vote: 1,
  evidence: 1,
  tx: 1,
};

export function gossipTopic(chainId: string, kind: GossipKind): string {
  return `/kyochi/${chainId}/${kind}/${TOPIC_VERSIONS[kind]}`;
}

export function statusProtocol(chainId: string): string {
  return `/kyochi/${chainId}/status/1`;
}

export function blocksProtocol(chainId: string): string {
  return `/kyochi/${chainId}/blocks/1`;
}

/** Txs by sha256, for the ones a compact block holds and its receiver lacks. */
export function txsProtocol(chainId: string): string {
  return `/kyochi/${chainId}/txs/1`;
}
