// Key files on disk: JSON with hex fields, written 0600 through a temp file + rename so a crash
// never leaves a half-written key.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { addressFromPublicKey, encodeAddress } from "../crypto/address.js";
import { fromHex, toHex } from "../crypto/hash.js";
import { keyTypeFromName, keyTypeName, type SigningKey, signingKeyFromSecret } from "../crypto/keys.js";
import { NodeError } from "./errors.js";

export interface KeyFileJson {
  name?: string;
  type: "ed25519" | "secp256k1";
  address: string;
  pub_key: string;
  priv_key: string;
}

export function keyFileJson(key: SigningKey, name?: string): KeyFileJson {
  return {
    ...(name === undefined ? {} : { name }),
    type: keyTypeName(key.type),
    address: encodeAddress(addressFromPublicKey(key.type, key.publicKey)),
    pub_key: `0x${toHex(key.publicKey)}`,
    priv_key: `0x${toHex(key.secret)}`,
  };
}

export function writeFileAtomic(path: string, contents: string, mode = 0o600): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, contents);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function writeKeyFile(path: string, key: SigningKey, name?: string): void {
  if (existsSync(path))
    throw new NodeError("KEY_EXISTS", `${path} already exists; refusing to overwrite a key`);
  writeFileAtomic(path, `${JSON.stringify(keyFileJson(key, name), null, 2)}\n`);
}

export function readKeyFile(path: string): SigningKey {
  let json: Partial<KeyFileJson>;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as Partial<KeyFileJson>;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
    throw new NodeError(missing ? "KEY_NOT_FOUND" : "KEY_FILE_INVALID", `cannot read key file ${path}`);
  }
  try {
    const key = signingKeyFromSecret(keyTypeFromName(String(json.type)), fromHex(String(json.priv_key)));
    if (json.pub_key !== undefined && json.pub_key !== `0x${toHex(key.publicKey)}`) {
      throw new Error("pub_key does not match priv_key");
    }
    return key;
  } catch (err) {
    throw new NodeError("KEY_FILE_INVALID", `key file ${path} is invalid: ${(err as Error).message}`);
  }
}
