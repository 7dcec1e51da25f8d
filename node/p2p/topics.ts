// Names of everything this node speaks on libp2p. The chain id is part of every name, so nodes of
// two chains that meet never exchange a message: their topics and protocols simply differ.

export type GossipKind = "proposal" | "block_part" | "vote" | "evidence" | "tx";

export const GOSSIP_KINDS: readonly GossipKind[] = ["proposal", "block_part", "vote", "evidence", "tx"];

export function gossipTopic(chainId: string, kind: GossipKind): string {
  return `/kyochi/${chainId}/${kind}/1`;
}

export function statusProtocol(chainId: string): string {
  return `/kyochi/${chainId}/status/1`;
}

export function blocksProtocol(chainId: string): string {
  return `/kyochi/${chainId}/blocks/1`;
}
