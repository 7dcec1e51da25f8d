// net_info: this node's p2p identity, listen addresses and connected peers.
import type { NetInfo, NetInfoPeer } from "../../types.js";
import { readParams } from "../params.js";
import type { MethodHandler } from "./context.js";

export const netInfo: MethodHandler<"net_info"> = async (raw, { backend }) => {
  readParams(raw, []);
  const info = await backend.netInfo();
  // Copied field by field: the source is the p2p host's live state, and only these fields are API.
  const out: NetInfo = {
    peerId: info.peerId,
    listenAddresses: [...info.listenAddresses],
    peers: info.peers.map(renderPeer),
  };
  return out;
};

function renderPeer(p: NetInfoPeer): NetInfoPeer {
  return {
    peerId: p.peerId,
    address: p.address,
    direction: p.direction,
    height: p.height,
    // JSON has no Infinity or NaN; a banned peer's -Infinity would otherwise turn into null.
    score: Number.isFinite(p.score) ? p.score : p.score > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE,
  };
}
