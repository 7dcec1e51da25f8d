// A one-validator devnet home in a temp dir, created with the same code as `kyochi devnet`.
import { join } from "node:path";
import type { SigningKey } from "../../crypto/keys.js";
import { initDevnet } from "../../node/init.js";
import { Keyring } from "../../node/keyring.js";
import { tempDir } from "./process-node.js";

export interface TestDevnet {
  root: string;
  nodeHome: string;
  keys: Record<string, SigningKey>;
  addresses: Record<string, string>;
  /** The validator operator's address (receives fees). */
  operator: string;
}

export function createTestDevnet(prefix: string): TestDevnet {
  const root = tempDir(prefix);
  const { nodeHomes, accounts } = initDevnet(root);
  const nodeHome = nodeHomes[0]!;
  const keyring = new Keyring(join(root, "keyring"));
  const keys: Record<string, SigningKey> = {};
  const addresses: Record<string, string> = {};
  for (const a of accounts) {
    keys[a.name] = keyring.get(a.name);
    addresses[a.name] = a.address;
  }
  const operator = new Keyring(join(nodeHome, "keyring")).show("validator").address;
  return { root, nodeHome, keys, addresses, operator };
}

/** Flags for fast blocks in tests (the default is 1 s). */
export const FAST_BLOCKS = ["--consensus.timeout_commit_ms", "100", "--log.level", "warn"];
