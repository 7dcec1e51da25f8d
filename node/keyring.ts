// The CLI's keyring: one 0600 JSON file per named key under <home>/keyring. Like Cosmos SDK's
// "test" backend it is unencrypted; it is meant for devnets and for keys guarded by the OS.
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { addressFromPublicKey, encodeAddress } from "../crypto/address.js";
import { toHex } from "../crypto/hash.js";
import { generateSigningKey, keyTypeName, type SigningKey } from "../crypto/keys.js";
import type { KeyType } from "../proto/index.js";
import { NodeError } from "./errors.js";
import { readKeyFile, writeKeyFile } from "./key-file.js";

export interface KeyInfo {
  name: string;
  type: "ed25519" | "secp256k1";
  address: string;
  pubKey: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export class Keyring {
  constructor(readonly dir: string) {}

  private path(name: string): string {
    if (!NAME.test(name)) throw new NodeError("KEY_FILE_INVALID", `key name "${name}" must match ${NAME}`);
    return join(this.dir, `${name}.json`);
  }

  add(name: string, type: KeyType, key: SigningKey = generateSigningKey(type)): KeyInfo {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeKeyFile(this.path(name), key, name);
    return info(name, key);
  }

  get(name: string): SigningKey {
    const path = this.path(name);
    if (!existsSync(path)) throw new NodeError("KEY_NOT_FOUND", `no key named "${name}" in ${this.dir}`);
    return readKeyFile(path);
  }

  show(name: string): KeyInfo {
    return info(name, this.get(name));
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort()
      .map((name) => this.show(name));
  }
}

function info(name: string, key: SigningKey): KeyInfo {
  return {
    name,
    type: keyTypeName(key.type),
    address: encodeAddress(addressFromPublicKey(key.type, key.publicKey)),
    pubKey: `0x${toHex(key.publicKey)}`,
  };
}
