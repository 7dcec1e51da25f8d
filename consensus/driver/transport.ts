// How consensus messages leave and reach this node. Messages travel as canonical protobuf bytes
// (Proposal, Block, Vote, Evidence): the transport is a pipe and never interprets them beyond what
// it needs to route them; the driver decodes, verifies signatures and drops what is malformed or
// forged, and tells the transport which peer sent it (`reportInvalid`) so that peer is scored down.
// node/p2p implements this over libp2p gossipsub (splitting large blocks into parts and joining
// them again); LocalTransport serves a single node.
//
// Contract: `broadcast*` must not throw and must not call handlers synchronously (deliveries are
// asynchronous). Whether a node's own messages come back to it does not matter: the driver feeds
// its own messages to its state machine itself and ignores duplicates.

export type ConsensusMessageKind = "proposal" | "block" | "vote" | "evidence";

export interface InboundMessage {
  kind: ConsensusMessageKind;
  bytes: Uint8Array;
  /** Who sent it: a peer id, or "self" for a message of this node that came back. */
  from: string;
}

export type MessageHandler = (message: InboundMessage) => void;

export interface Transport {
  broadcastProposal(proposal: Uint8Array): void;
  /** A whole encoded Block; the transport may send it in parts. */
  broadcastBlock(block: Uint8Array): void;
  broadcastVote(vote: Uint8Array): void;
  /** An encoded Evidence. */
  broadcastEvidence(evidence: Uint8Array): void;
  /** Registers a handler; returns a function that removes it. */
  onMessage(handler: MessageHandler): () => void;
  /** The message from `from` was invalid (malformed, forged, far out of range): score the peer down. */
  reportInvalid(from: string, reason: string): void;
}

/** What a peer said about its chain in the status exchange. */
export interface PeerChainStatus {
  peer: string;
  /** Lowest and highest block it can serve. */
  base: number;
  height: number;
}

/** One block as block sync transfers it: the block and the commit that decided it (encoded). */
export interface SyncedBlock {
  block: Uint8Array;
  commit: Uint8Array;
}

/**
 * Block sync over the network (request/response, not gossip). The driver's block sync decides
 * what to fetch from whom and verifies everything it receives; the network only moves bytes.
 */
export interface SyncNetwork {
  /** The latest status of every connected peer that answered one. */
  peerStatuses(): PeerChainStatus[];
  /**
   * Blocks `from` .. `from + count - 1` from `peer`, in order; fewer when the peer has fewer.
   * Rejects on a network error or timeout.
   */
  fetchBlocks(peer: string, from: number, count: number): Promise<SyncedBlock[]>;
  /** The peer sent something wrong (a block that fails verification): score it down. */
  reportInvalid(peer: string, reason: string): void;
}

/** A single node's network: everything broadcast is delivered back to this node, asynchronously. */
export class LocalTransport implements Transport {
  private readonly handlers = new Set<MessageHandler>();
  /** Counts of messages broadcast, by kind (for tests and metrics). */
  readonly sent: Record<ConsensusMessageKind, number> = { proposal: 0, block: 0, vote: 0, evidence: 0 };

  broadcastProposal(proposal: Uint8Array): void {
    this.deliver("proposal", proposal);
  }

  broadcastBlock(block: Uint8Array): void {
    this.deliver("block", block);
  }

  broadcastVote(vote: Uint8Array): void {
    this.deliver("vote", vote);
  }

  broadcastEvidence(evidence: Uint8Array): void {
    this.deliver("evidence", evidence);
  }

  /** A single node has no peers to score. */
  reportInvalid(): void {}

  onMessage(handler: MessageHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  private deliver(kind: ConsensusMessageKind, bytes: Uint8Array): void {
    this.sent[kind]++;
    const copy = Uint8Array.from(bytes);
    setImmediate(() => {
      for (const h of this.handlers) h({ kind, bytes: copy, from: "self" });
    });
  }
}
