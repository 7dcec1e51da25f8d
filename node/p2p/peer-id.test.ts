import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateSigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { writeKeyFile } from "../key-file.js";
import { peerIdOfNodeKeyFile, readNodeKey } from "./peer-id.js";

const dir = mkdtempSync(join(tmpdir(), "kyochi-peer-id-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("peer id from node_key.json", () => {
  it("is stable for one key file and differs between keys", () => {
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeKeyFile(a, generateSigningKey(KeyType.KEY_TYPE_ED25519));
    writeKeyFile(b, generateSigningKey(KeyType.KEY_TYPE_ED25519));
    expect(peerIdOfNodeKeyFile(a)).toMatch(/^12D3KooW/);
    expect(peerIdOfNodeKeyFile(a)).toBe(peerIdOfNodeKeyFile(a));
    expect(peerIdOfNodeKeyFile(a)).not.toBe(peerIdOfNodeKeyFile(b));
  });

  it("signs with the node key itself (libp2p's public key is the file's public key)", () => {
    const path = join(dir, "c.json");
    const key = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    writeKeyFile(path, key);
    expect(Buffer.from(readNodeKey(path).publicKey.raw).equals(Buffer.from(key.publicKey))).toBe(true);
  });

  it("refuses a secp256k1 node key with a typed error", () => {
    const path = join(dir, "d.json");
    writeKeyFile(path, generateSigningKey(KeyType.KEY_TYPE_SECP256K1));
    expect(() => peerIdOfNodeKeyFile(path)).toThrow(expect.objectContaining({ code: "KEY_FILE_INVALID" }));
  });
});
