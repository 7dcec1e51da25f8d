// What a gossip message must be to be relayed: bytes that decode canonically as the topic's type
// (and, for block parts, carry a valid Merkle proof). Signatures and heights are the driver's
// business; this only keeps garbage from travelling further than the first hop.
import { decodeCanonical } from "../../proto/canonical.js";
import { Evidence, Proposal, Tx, Vote } from "../../proto/index.js";
import { checkPart } from "./block-parts.js";
import type { GossipKind } from "./topics.js";
import { BlockPart, TxBatch } from "./wire.js";

export type CheckedGossip =
  | { kind: "proposal" | "vote" | "evidence" }
  | { kind: "block_part"; part: BlockPart }
  | { kind: "tx"; txs: Uint8Array[] };

/** Decodes and checks a gossip message of `kind`; throws (with the reason) when it is invalid. */
export function checkGossip(kind: GossipKind, data: Uint8Array): CheckedGossip {
  switch (kind) {
    case "proposal":
      decodeCanonical<Proposal>(Proposal, data, "proposal");
      return { kind };
    case "vote":
      decodeCanonical<Vote>(Vote, data, "vote");
      return { kind };
    case "evidence":
      decodeCanonical<Evidence>(Evidence, data, "evidence");
      return { kind };
    case "block_part": {
      const part = decodeCanonical<BlockPart>(BlockPart, data, "block part");
      const why = checkPart(part);
      if (why !== undefined) throw new Error(`invalid block part: ${why}`);
      return { kind, part };
    }
    case "tx": {
      const batch = decodeCanonical<TxBatch>(TxBatch, data, "tx batch");
      const txs = batch.txs ?? [];
      if (txs.length === 0) throw new Error("empty tx batch");
      for (const tx of txs) decodeCanonical<Tx>(Tx, tx, "tx");
      // Plain Uint8Array views (protobufjs hands out Node Buffers), as every other delivery.
      return { kind, txs: txs.map((t) => new Uint8Array(t.buffer, t.byteOffset, t.length)) };
    }
  }
}
