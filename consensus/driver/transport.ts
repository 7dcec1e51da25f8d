// How consensus messages leave and reach this node. Messages travel as canonical protobuf bytes
// (Proposal, Block, Vote): the transport is a pipe and never interprets them; the driver decodes,
// verifies signatures and drops what is malformed or forged. A libp2p gossip transport plugs in
// here (next issue); LocalTransport serves a single node.
//
// Contract: `broadcast*` must not throw and must not call handlers synchronously (deliveries are
// asynchronous). Whether a node's own messages come back to it does not matter: the driver feeds
// its own messages to its state machine itself and ignores duplicates.

export type ConsensusMessageKind = "proposal" | "block" | "vote";

export interface InboundMessage {
  kind: ConsensusMessageKind;
  bytes: Uint8Array;
  /** Who sent it: a peer id, or "self" for a message of this node that came back. */
  from: string;
}

export type MessageHandler = (message: InboundMessage) => void;

export interface Transport {
  broadcastProposal(proposal: Uint8Array): void;
  broadcastBlock(block: Uint8Array): void;
  broadcastVote(vote: Uint8Array): void;
  /** Registers a handler; returns a function that removes it. */
  onMessage(handler: MessageHandler): () => void;
}

/** A single node's network: everything broadcast is delivered back to this node, asynchronously. */
export class LocalTransport implements Transport {
  private readonly handlers = new Set<MessageHandler>();
  /** Counts of messages broadcast, by kind (for tests and metrics). */
  readonly sent: Record<ConsensusMessageKind, number> = { proposal: 0, block: 0, vote: 0 };

  broadcastProposal(proposal: Uint8Array): void {
    this.deliver("proposal", proposal);
  }

  broadcastBlock(block: Uint8Array): void {
    this.deliver("block", block);
  }

  broadcastVote(vote: Uint8Array): void {
    this.deliver("vote", vote);
  }

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
