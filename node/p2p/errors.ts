import { CodedError } from "../../proto/coded-error.js";

export type P2PErrorCode =
  /** A persistent_peers / seeds entry or an address is not `<peer id>@<host>:<port>`. */
  | "P2P_BAD_PEER_ADDRESS"
  /** The listen address could not be bound (in use, not an address of this machine). */
  | "P2P_LISTEN_FAILED"
  /** A request to a peer failed: not connected, stream reset, protocol refused. */
  | "P2P_REQUEST_FAILED"
  /** A peer answered something that is not a valid response. */
  | "P2P_BAD_RESPONSE"
  /** A peer did not answer in time. */
  | "P2P_TIMEOUT"
  /** The peer is banned for sending invalid messages. */
  | "P2P_PEER_BANNED"
  /** The host was stopped (or never started). */
  | "P2P_NOT_RUNNING"
  /** A library the p2p layer is built on is not what this version expects (see the message). */
  | "P2P_INTERNAL";

/** Errors of the p2p layer; `code` is stable. */
export class P2PError extends CodedError<P2PErrorCode> {}
