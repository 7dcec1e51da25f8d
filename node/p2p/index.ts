// node/p2p: the node's libp2p host (see host.ts) and what the node needs to wire it.
export { P2PError, type P2PErrorCode } from "./errors.js";
export { P2PHost } from "./host.js";
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMING,
  type NetInfo,
  type NetInfoPeer,
  type P2PHostOptions,
  type P2PLimits,
  type P2PTiming,
  type SyncProvider,
  type TxGossip,
} from "./options.js";
export { type PeerAddress, parsePeerList } from "./peer-address.js";
export { libp2pKeyOf, peerIdOfNodeKeyFile, readNodeKey } from "./peer-id.js";
export { blocksProtocol, type GossipKind, gossipTopic, statusProtocol } from "./topics.js";
