// The node's libp2p identity comes from config/node_key.json (an Ed25519 key written by `kyochi
// init`), so a node keeps its peer id across restarts and others can list it in persistent_peers.
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import type { SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { NodeError } from "../errors.js";
import { readKeyFile } from "../key-file.js";

/** libp2p's Ed25519 private key for a node key (raw form: 32-byte seed then 32-byte public key). */
export function libp2pKeyOf(key: SigningKey): PrivateKey {
  if (key.type !== KeyType.KEY_TYPE_ED25519) {
    throw new NodeError("KEY_FILE_INVALID", "the node key must be ed25519");
  }
  const raw = new Uint8Array(64);
  raw.set(key.secret, 0);
  raw.set(key.publicKey, 32);
  return privateKeyFromRaw(raw);
}

/** Reads a node_key.json and returns its libp2p private key. */
export function readNodeKey(path: string): PrivateKey {
  return libp2pKeyOf(readKeyFile(path));
}

/** The peer id (base58, "12D3Koo...") of the node whose node_key.json is at `path`. */
export function peerIdOfNodeKeyFile(path: string): string {
  return peerIdFromPrivateKey(readNodeKey(path)).toString();
}
