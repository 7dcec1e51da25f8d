// Addresses as the config writes them ("host:port", "<peer id>@<host>:<port>,...") turned into
// libp2p multiaddrs. Parsing is strict: a bad entry is an error that names it, never skipped, so a
// typo in persistent_peers is found at start and not after hours of a silently missing peer.
import { isIPv4, isIPv6 } from "node:net";
import { peerIdFromString } from "@libp2p/peer-id";
import { type Multiaddr, multiaddr } from "@multiformats/multiaddr";
import { P2PError } from "./errors.js";

export interface PeerAddress {
  /** The peer id as written ("12D3Koo..."). */
  peerId: string;
  host: string;
  port: number;
  /** `/ip4/<host>/tcp/<port>/p2p/<peer id>` (or /ip6, /dns for names). */
  multiaddr: Multiaddr;
}

/** Parses a comma-separated list of `<peer id>@<host>:<port>`; `what` names the config key. */
export function parsePeerList(list: string, what: string): PeerAddress[] {
  const out: PeerAddress[] = [];
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    out.push(parsePeerAddress(entry, what));
  }
  return out;
}

export function parsePeerAddress(entry: string, what: string): PeerAddress {
  const bad = (why: string) => new P2PError("P2P_BAD_PEER_ADDRESS", `${what}: "${entry}" ${why}`);
  const at = entry.indexOf("@");
  if (at <= 0) throw bad("is not <peer id>@<host>:<port>");
  const peerId = entry.slice(0, at);
  try {
    peerIdFromString(peerId);
  } catch {
    throw bad(`has an invalid peer id "${peerId}"`);
  }
  const { host, port } = splitHostPort(entry.slice(at + 1), bad);
  const ma = multiaddr(`${hostComponent(host)}/tcp/${port}/p2p/${peerId}`);
  return { peerId, host, port, multiaddr: ma };
}

/** The multiaddr to listen on for a config `laddr` ("0.0.0.0:26656", "127.0.0.1:0"). */
export function listenMultiaddr(laddr: string): string {
  const bad = (why: string) => new P2PError("P2P_LISTEN_FAILED", `p2p.laddr "${laddr}" ${why}`);
  const { host, port } = splitHostPort(laddr, bad, true);
  const ip = host === "localhost" ? "127.0.0.1" : host;
  if (!isIPv4(ip) && !isIPv6(ip)) throw bad("must be an IP address and a port");
  return `${hostComponent(ip)}/tcp/${port}`;
}

/** The multiaddr announced for a config `external_address` (an IP or a DNS name). */
export function announceMultiaddr(address: string): string {
  const bad = (why: string) =>
    new P2PError("P2P_BAD_PEER_ADDRESS", `p2p.external_address "${address}" ${why}`);
  const { host, port } = splitHostPort(address, bad);
  return `${hostComponent(host)}/tcp/${port}`;
}

function splitHostPort(
  s: string,
  bad: (why: string) => P2PError,
  allowPortZero = false,
): { host: string; port: number } {
  let host: string;
  let portText: string;
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 0 || s[close + 1] !== ":") throw bad("has a malformed [IPv6]:port");
    host = s.slice(1, close);
    portText = s.slice(close + 2);
    if (!isIPv6(host)) throw bad(`has an invalid IPv6 address "${host}"`);
  } else {
    const colon = s.lastIndexOf(":");
    if (colon <= 0) throw bad("has no host:port");
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (host.includes(":")) throw bad("must write an IPv6 address in brackets");
    const looksNumeric = /^[\d.]+$/.test(host);
    const validName = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host);
    if (!isIPv4(host) && (looksNumeric || !validName)) {
      throw bad(`has an invalid host "${host}"`);
    }
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad(`has an invalid port "${portText}"`);
  const port = Number(portText);
  if (port > 65535 || (port === 0 && !allowPortZero)) throw bad(`has an invalid port "${portText}"`);
  return { host, port };
}

function hostComponent(host: string): string {
  if (isIPv4(host)) return `/ip4/${host}`;
  if (isIPv6(host)) return `/ip6/${host}`;
  return `/dns/${host}`;
}
