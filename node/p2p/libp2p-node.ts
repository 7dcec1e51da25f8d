// The libp2p node itself: which transport, encryption, muxer and services, and the settings that
// matter for a validator network (signed gossip, content message ids, our scores steering
// gossipsub, bans enforced by the connection gater).
import { yamux } from "@chainsafe/libp2p-yamux";
import { type GossipSub, gossipsub, StrictSign } from "@libp2p/gossipsub";
import { type Identify, identify } from "@libp2p/identify";
import type { Libp2p, PeerId, PrivateKey } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { createLibp2p } from "libp2p";
import { sha256, toHex } from "../../crypto/hash.js";
import type { NodeConfig } from "../config.js";
import { leanFramingNoise } from "./noise-framing.js";
import type { PeerScores } from "./peer-scores.js";

export type Services = { identify: Identify; pubsub: GossipSub };
export type Libp2pNode = Libp2p<Services>;

const EMPTY = new Uint8Array(0);

/** A gossip sequence number as the 8 big-endian bytes it travels as. */
function seqnoBytes(seqno: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, seqno));
  return out;
}

/** Room for gossipsub's own framing (topic, ids, control) around one message. */
export const RPC_OVERHEAD_BYTES = 64 * 1024;

export async function createLibp2pNode(opts: {
  privateKey: PrivateKey;
  config: NodeConfig["p2p"];
  listen: string;
  announce: string[];
  scores: PeerScores;
}): Promise<Libp2pNode> {
  const { config: cfg, scores } = opts;
  const banned = (peer: PeerId) => scores.isBanned(peer.toString());
  return createLibp2p<Services>({
    privateKey: opts.privateKey,
    start: false,
    addresses: { listen: [opts.listen], announce: opts.announce },
    transports: [tcp()],
    connectionEncrypters: [leanFramingNoise()],
    streamMuxers: [yamux()],
    // A banned peer is refused once the handshake has proved who it is, both ways.
    connectionGater: {
      denyDialPeer: banned,
      denyInboundEncryptedConnection: banned,
      denyOutboundEncryptedConnection: banned,
    },
    connectionManager: {
      maxConnections: cfg.max_connections,
      // Every peer of a loopback devnet shares one IP: the default of 5 new connections per
      // second per IP would refuse a restarting devnet's redials.
      inboundConnectionThreshold: Math.max(5, cfg.max_connections),
    },
    // Busy validators answer pings late; a short timeout would cut healthy connections.
    connectionMonitor: { pingTimeout: { minTimeout: 15_000 } },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        // Every message is signed by its author's node key, so a delivery names who wrote it (not
        // just the neighbour that relayed it) and a banned author's messages can be refused even
        // when a third node relays them.
        globalSignaturePolicy: StrictSign,
        // One publish is one message: its id covers the author and its sequence number, so the
        // copies other peers relay are dropped, while an author may publish the same bytes again
        // (consensus re-sends its votes until a height is decided, for peers that missed them).
        // Repeats of identical content are cheap to drop further up: consensus and the mempool
        // recognise a vote, proposal or tx they already hold before checking any signature.
        msgIdFn: (msg) =>
          msg.type === "signed"
            ? sha256(msg.from.toMultihash().bytes, seqnoBytes(msg.sequenceNumber), msg.data)
            : sha256(msg.data),
        // The same id, computed before the signature check: copies relayed by other peers are
        // dropped without verifying their signatures again (each node gets most messages 2-3x).
        fastMsgIdFn: (rpc) => toHex(sha256(rpc.from ?? EMPTY, rpc.seqno ?? EMPTY, rpc.data ?? EMPTY)),
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        // A message relayed twice around a small mesh comes back within seconds; 30 s of memory
        // is ample.
        seenTTL: 30_000,
        maxInboundDataLength: 2 * cfg.max_message_bytes + RPC_OVERHEAD_BYTES,
        scoreParams: {
          // Our own peer scores (invalid messages reported by validators and by consensus,
          // mempool and block sync) steer gossipsub: below -10 no gossip, below -80 ignored.
          appSpecificScore: (peer: string) => scores.score(peer),
          appSpecificWeight: 1,
        },
      }),
    },
  });
}
