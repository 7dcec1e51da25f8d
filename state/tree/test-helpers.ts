// Shared helpers for the state tree tests (real LevelDB in a fresh temp dir per test).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KyochiDb, WriteBatch } from "../db.js";
import { openStateTree, type StateTreeOptions } from "./index.js";
import type { StateTree, TreeUpdate } from "./types.js";

export interface TestStore {
  readonly db: KyochiDb;
  tree: StateTree;
  readonly dir: string;
  /** commit + write the batch */
  commit(version: number, updates: readonly TreeUpdate[]): Promise<Uint8Array>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export async function openTestStore(options: StateTreeOptions = {}): Promise<TestStore> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-tree-"));
  let db = await KyochiDb.open(dir);
  const store = {
    get db() {
      return db;
    },
    tree: await openStateTree(db, options),
    dir,
    async commit(version: number, updates: readonly TreeUpdate[]) {
      const batch = new WriteBatch();
      const root = await store.tree.commit(version, updates, batch);
      await db.write(batch);
      return root;
    },
    async reopen() {
      await db.close();
      db = await KyochiDb.open(dir);
      store.tree = await openStateTree(db, options);
    },
    async close() {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return store;
}

export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b);

/** Number of keys stored under one prefix byte (only those `keyLength` long, if given). */
export async function countPrefix(db: KyochiDb, prefix: number, keyLength?: number): Promise<number> {
  let n = 0;
  for await (const key of db.keys({ gte: Uint8Array.of(prefix), lt: Uint8Array.of(prefix + 1) })) {
    if (keyLength === undefined || key.length === keyLength) n++;
  }
  return n;
}
