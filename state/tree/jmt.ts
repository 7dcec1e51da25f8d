// A Jellyfish-style versioned sparse Merkle tree (16-ary, as in Aptos and Penumbra) on LevelDB.
//
// Storage (see keys.ts and node.ts):
// - internal nodes under TreeNode by (version that wrote them, nibble path); leaves live inline in
//   their parent node (or in the root record);
// - values under TreeValue by (sha256(key), version), so getAt() is one seek, plus one record per
//   key with its latest value, so get() is one exact read;
// - TreeMeta holds the latest version, the oldest retained version and one root record per version;
// - TreeStale holds, per version, the list of nodes and values it made unreachable, so pruning is
//   a range scan rather than a walk of the tree.
// A commit applies a version's updates sorted by key hash: it loads the nodes on their paths one
// level at a time (one getMany per level, most from the node cache), rebuilds each touched node
// once, and only adds to the caller's WriteBatch. The in-memory view advances at once, and the
// writes of the last few versions stay readable from memory until the caller has written them.
import { type KyochiDb, Prefix, readU64be, u64be, WriteBatch } from "../db.js";
import { StateError } from "../errors.js";
import {
  ByteArena,
  copyBytes,
  EMPTY_HASH,
  keyHashOf,
  leafHash,
  nibbleAt,
  RADIX,
  valueHashOf,
} from "./hashing.js";
import {
  decodeStaleList,
  keyString,
  latestValueKey,
  latestVersionKey,
  nodeKey,
  nodeVersionStart,
  oldestVersionKey,
  rootKey,
  staleKey,
  valueKey,
} from "./keys.js";
import {
  type Child,
  checkNode,
  childHash,
  copyChild,
  decodeRoot,
  encodeRoot,
  internalChildVersion,
  leafMask,
  presenceMask,
  readChild,
  readU32,
  readU64,
} from "./node.js";
import { NodeCache } from "./node-cache.js";
import type { NodeLog } from "./node-log.js";
import type { StateTree, TreeProof, TreeUpdate } from "./types.js";
import { type LoadedNode, loadedNodeId, type PreparedUpdate, UpdateRun, updateNibble } from "./update-run.js";
import type { ValueLog } from "./value-log.js";

export interface StateTreeOptions {
  /**
   * Memory for cached nodes, in bytes (default 256 MB, allocated as it fills). With 1M keys the
   * tree's internal nodes take about 130 MB; the top four levels, which every large block
   * rewrites, about 3 MB.
   */
  nodeCacheBytes?: number;
}

const DEFAULT_NODE_CACHE_BYTES = 256 * 1024 * 1024;
/** Versions whose writes stay readable from memory (the caller may not have written them yet). */
const UNFLUSHED_VERSIONS = 3;
/** Root records kept in memory for rootAt() without a read. */
const ROOTS_IN_MEMORY = 1024;

interface RecentVersion {
  readonly version: number;
  /** the nodes this version wrote; `nodeMap` indexes them, built on the first cache miss */
  readonly nodes: NodeLog;
  nodeMap?: Map<string, Uint8Array>;
  /** value records written at this version */
  readonly values: ValueLog;
  /** the encoded list of what this version made stale, until handed to prune() */
  stale: Uint8Array | null;
}

interface Frontier {
  readonly version: number;
  readonly depth: number;
  readonly lo: number;
  readonly hi: number;
}

/** Where the last commit spent its time (for benchmarks and metrics). */
export interface CommitStats {
  readonly updates: number;
  readonly nodesWritten: number;
  readonly nodesReadFromDisk: number;
  /** hashing and sorting the updates */
  readonly prepareMs: number;
  /** reading the nodes on the updated paths (cache or LevelDB) */
  readonly loadMs: number;
  /** rebuilding and hashing the touched nodes */
  readonly applyMs: number;
  /** adding the writes to the batch and the in-memory view */
  readonly batchMs: number;
}

export class JellyfishTree implements StateTree {
  /** Statistics of the last commit, or undefined before the first. */
  lastCommit: CommitStats | undefined;
  private nodesReadFromDisk = 0;
  private latest: number;
  private rootChild: Child | null;
  private oldest: number;
  /** false until the first commit: then any version >= 0 may be committed */
  private committed: boolean;
  private committing = false;
  private readonly cache: NodeCache;
  private readonly recent: RecentVersion[] = [];
  private readonly roots = new Map<number, Child | null>();

  private constructor(
    private readonly db: KyochiDb,
    latest: number,
    root: Child | null,
    oldest: number,
    committed: boolean,
    options: StateTreeOptions,
  ) {
    this.latest = latest;
    this.rootChild = root;
    this.oldest = oldest;
    this.committed = committed;
    this.cache = new NodeCache(options.nodeCacheBytes ?? DEFAULT_NODE_CACHE_BYTES);
    if (committed) this.roots.set(latest, root);
  }

  static async open(db: KyochiDb, options: StateTreeOptions = {}): Promise<JellyfishTree> {
    const latestBytes = await db.get(latestVersionKey);
    if (latestBytes === undefined) {
      await discardUnreferenced(db, null, 0);
      return new JellyfishTree(db, 0, null, 0, false, options);
    }
    const latest = readVersion(latestBytes, "latest tree version");
    const rootBytes = await db.get(rootKey(latest));
    if (rootBytes === undefined)
      throw new StateError("CORRUPT_DATA", `no root record for tree version ${latest}`);
    const oldestBytes = await db.get(oldestVersionKey);
    const oldest = oldestBytes === undefined ? 0 : readVersion(oldestBytes, "oldest tree version");
    await discardUnreferenced(db, latest, oldest);
    return new JellyfishTree(db, latest, decodeRoot(rootBytes), oldest, true, options);
  }

  get version(): number {
    return this.latest;
  }

  get root(): Uint8Array {
    return copyBytes(this.rootChild?.hash ?? EMPTY_HASH);
  }

  get oldestVersion(): number {
    return this.oldest;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return (await this.getMany([key]))[0];
  }

  /**
   * Values of `keys` at the latest version: the versions not yet written by the caller come from
   * memory, the rest from the latest-value records with one getMany.
   */
  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const keyHashes = keys.map(keyHashOf);
    for (;;) {
      const version = this.latest;
      const out = new Array<Uint8Array | undefined>(keys.length).fill(undefined);
      const missIdx: number[] = [];
      const missKeys: Uint8Array[] = [];
      for (let i = 0; i < keys.length; i++) {
        const record = this.recentValue(keyHashes[i]!);
        if (record !== undefined) out[i] = decodeValueRecord(record);
        else {
          missIdx.push(i);
          missKeys.push(latestValueKey(keyHashes[i]!));
        }
      }
      const got = missKeys.length === 0 ? [] : await this.db.getMany(missKeys);
      // A commit during the read may have mixed two versions: read again.
      if (this.latest !== version) continue;
      for (let j = 0; j < missIdx.length; j++) out[missIdx[j]!] = got[j];
      return out;
    }
  }

  /** One LevelDB seek: the newest value record of the key at or below `version`. */
  async getAt(key: Uint8Array, version: number): Promise<Uint8Array | undefined> {
    this.checkReadable(version);
    if (version === this.latest) return this.get(key);
    const keyHash = keyHashOf(key);
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const r = this.recent[i]!;
      if (r.version > version) continue;
      const record = r.values.get(keyHash);
      if (record !== undefined) return decodeValueRecord(record);
    }
    const it = this.db.values({
      gte: valueKey(keyHash, 0),
      lte: valueKey(keyHash, version),
      reverse: true,
      limit: 1,
    });
    const found = await it.all();
    this.checkReadable(version); // a prune may have run meanwhile
    return found.length === 0 ? undefined : decodeValueRecord(found[0]!);
  }

  async rootAt(version: number): Promise<Uint8Array> {
    const root = await this.rootChildAt(version);
    return copyBytes(root?.hash ?? EMPTY_HASH);
  }

  async commit(version: number, updates: readonly TreeUpdate[], batch: WriteBatch): Promise<Uint8Array> {
    this.checkCommitVersion(version);
    if (this.committing) throw new StateError("COMMIT_IN_PROGRESS", "another commit is still running");
    this.committing = true;
    try {
      const t0 = performance.now();
      const prepared = prepareUpdates(updates);
      const oldRoot = this.rootChild;
      let run: UpdateRun;
      let newRoot: Child | null;
      const t1 = performance.now();
      const readsBefore = this.nodesReadFromDisk;
      let t2: number;
      this.cache.freeze(); // the run holds views into the cache until apply() returns
      try {
        run = await this.run(version, oldRoot, prepared);
        t2 = performance.now();
        newRoot = prepared.length === 0 ? oldRoot : run.apply(oldRoot, 0, 0, prepared.length);
        // The new root's hashes live in the run's arena or the cache: keep a copy instead.
        if (newRoot !== null && newRoot !== oldRoot) newRoot = copyChild(newRoot);
      } finally {
        this.cache.unfreeze();
      }
      const t3 = performance.now();

      const recent: RecentVersion = { version, nodes: run.nodes, values: run.values, stale: null };
      run.nodes.forEach((key, bytes) => {
        this.cache.set(key, bytes);
      });
      batch.putPacked(run.nodes);
      // Each value's versioned record and latest value; a delete's latest value goes.
      batch.putPacked(run.values);
      run.values.forEachDeletedLatestKey((key) => {
        batch.del(key);
      });
      if (run.stale.count > 0) {
        recent.stale = run.stale.finish();
        batch.put(staleKey(version), recent.stale);
      }
      // Replaced nodes stay in the node cache until they age out of its ring.
      batch.put(rootKey(version), encodeRoot(newRoot));
      batch.put(latestVersionKey, u64be(version));
      if (!this.committed) {
        // Nothing exists before the first committed version.
        this.oldest = version;
        batch.put(oldestVersionKey, u64be(version));
      }

      this.latest = version;
      this.rootChild = newRoot;
      this.committed = true;
      this.recent.push(recent);
      if (this.recent.length > UNFLUSHED_VERSIONS) this.recent.shift();
      this.roots.set(version, newRoot);
      if (this.roots.size > ROOTS_IN_MEMORY) this.roots.delete(this.roots.keys().next().value as number);
      const t4 = performance.now();
      this.lastCommit = {
        updates: prepared.length,
        nodesWritten: run.nodes.count,
        nodesReadFromDisk: this.nodesReadFromDisk - readsBefore,
        prepareMs: t1 - t0,
        loadMs: t2 - t1,
        applyMs: t3 - t2,
        batchMs: t4 - t3,
      };
      return copyBytes(newRoot?.hash ?? EMPTY_HASH);
    } finally {
      this.committing = false;
    }
  }

  async previewRoot(updates: readonly TreeUpdate[]): Promise<Uint8Array> {
    const prepared = prepareUpdates(updates);
    const root = this.rootChild;
    if (prepared.length === 0) return copyBytes(root?.hash ?? EMPTY_HASH);
    this.cache.freeze();
    try {
      const run = await this.run(this.latest + 1, root, prepared);
      const newRoot = run.apply(root, 0, 0, prepared.length);
      return copyBytes(newRoot?.hash ?? EMPTY_HASH);
    } finally {
      this.cache.unfreeze();
    }
  }

  async prove(
    key: Uint8Array,
    version: number,
  ): Promise<{ value: Uint8Array | undefined; proof: TreeProof; root: Uint8Array }> {
    const root = await this.rootChildAt(version);
    const keyHash = keyHashOf(key);
    const levels: Uint8Array[][] = [];
    let child = root;
    let depth = 0;
    while (child !== null && child.kind === "internal") {
      const [node] = await this.fetchNodes([nodeKey(child.version, keyHash, depth)], version);
      const n = nibbleAt(keyHash, depth);
      const siblings: Uint8Array[] = [];
      for (let m = 0; m < RADIX; m++) if (m !== n) siblings.push(childHash(node!, m));
      levels.push(siblings);
      child = readChild(node!, n);
      depth++;
    }
    // Siblings go from the deepest level up to the root.
    const siblings = levels.reverse().flatMap((level) => level.map(hex));
    const rootHash = copyBytes(root?.hash ?? EMPTY_HASH);
    const keyHashHex = hex(keyHash);
    if (child === null) {
      return {
        value: undefined,
        root: rootHash,
        proof: { keyHash: keyHashHex, kind: "exclusion", siblings },
      };
    }
    const [record] = await this.fetchValueRecords(
      [{ keyHash: child.keyHash, valueVersion: child.valueVersion }],
      version,
    );
    const leafValue = decodeValueRecord(record!);
    if (leafValue === undefined) throw new StateError("CORRUPT_DATA", "a leaf points at a deleted value");
    const valueHash = valueHashOf(leafValue);
    if (Buffer.compare(leafHash(child.keyHash, valueHash), child.hash) !== 0) {
      throw new StateError("CORRUPT_DATA", "a stored value does not match its leaf hash");
    }
    if (Buffer.compare(child.keyHash, keyHash) === 0) {
      return {
        value: leafValue,
        root: rootHash,
        proof: { keyHash: keyHashHex, kind: "inclusion", valueHash: hex(valueHash), siblings },
      };
    }
    return {
      value: undefined,
      root: rootHash,
      proof: {
        keyHash: keyHashHex,
        kind: "exclusion",
        otherLeaf: { keyHash: hex(child.keyHash), valueHash: hex(valueHash) },
        siblings,
      },
    };
  }

  async prune(version: number, batch: WriteBatch): Promise<void> {
    if (!Number.isSafeInteger(version) || version < 0 || version > this.latest) {
      throw new StateError("INVALID_PRUNE", `cannot prune to version ${version} (latest is ${this.latest})`);
    }
    if (version <= this.oldest) return;

    // Nodes and values made stale by versions <= `version` serve only versions < `version`.
    const unflushed = new Set<number>();
    for (const r of this.recent) {
      if (r.version > version) continue;
      unflushed.add(r.version);
      if (r.stale !== null) {
        for (const target of decodeStaleList(r.stale)) batch.del(target);
        batch.del(staleKey(r.version));
        r.stale = null;
      }
    }
    // Lists of versions <= the old oldest version were handled by earlier prunes; starting after
    // them keeps LevelDB from walking their deletion markers on every prune.
    const staleRange = { gte: staleKey(this.oldest + 1), lt: staleKey(version + 1) };
    for await (const [key, list] of this.db.iterator(staleRange)) {
      if (unflushed.has(readU64(key, 1))) continue; // handled above (and maybe pruned already)
      for (const target of decodeStaleList(list)) batch.del(target);
      batch.del(key);
    }

    // Keep the root record that holds the state at `version` (a version with no record of its
    // own, between two commits, reads the one before it), drop the older ones.
    const keptBefore = await this.committedVersionAtOrBelow(this.oldest);
    const keepFrom = await this.committedVersionAtOrBelow(version);
    for await (const key of this.db.keys({ gte: rootKey(keptBefore), lt: rootKey(keepFrom) })) {
      batch.del(key);
    }
    for (const v of [...this.roots.keys()]) {
      if (v < keepFrom) {
        this.roots.delete(v);
        batch.del(rootKey(v));
      }
    }
    this.oldest = version;
    batch.put(oldestVersionKey, u64be(version));
  }

  // ---- internals ----

  private checkCommitVersion(version: number): void {
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new StateError("INVALID_VERSION", `tree version must be a non-negative integer, got ${version}`);
    }
    if (this.committed && version <= this.latest) {
      throw new StateError(
        "INVALID_VERSION",
        `tree version ${version} is not above the latest (${this.latest})`,
      );
    }
  }

  private checkReadable(version: number): void {
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new StateError("INVALID_ARGUMENT", `tree version must be a non-negative integer, got ${version}`);
    }
    if (version < this.oldest) {
      throw new StateError("VERSION_PRUNED", `tree version ${version} was pruned (oldest is ${this.oldest})`);
    }
    if (version > this.latest) {
      throw new StateError(
        "VERSION_NOT_FOUND",
        `tree version ${version} is not committed (latest is ${this.latest})`,
      );
    }
  }

  private async rootChildAt(version: number): Promise<Child | null> {
    this.checkReadable(version);
    if (version === this.latest || !this.committed) return this.rootChild;
    if (this.roots.has(version)) return this.roots.get(version)!;
    const exact = await this.db.get(rootKey(version));
    if (exact !== undefined) return decodeRoot(exact);
    // A version between two commits holds the state of the commit before it.
    const found = await this.db
      .values({ gte: rootKey(0), lte: rootKey(version), reverse: true, limit: 1 })
      .all();
    this.checkReadable(version);
    if (found.length === 0)
      throw new StateError("CORRUPT_DATA", `no root record at or below version ${version}`);
    return decodeRoot(found[0]!);
  }

  private async committedVersionAtOrBelow(version: number): Promise<number> {
    let best = -1;
    for (const v of this.roots.keys()) if (v <= version && v > best) best = v;
    const found = await this.db
      .keys({ gte: rootKey(0), lte: rootKey(version), reverse: true, limit: 1 })
      .all();
    if (found.length > 0) best = Math.max(best, readU64(found[0]!, 2));
    return best < 0 ? version : best;
  }

  /** Loads the nodes on the paths of `updates` (one getMany per level) and prepares a run. */
  private async run(version: number, root: Child | null, updates: PreparedUpdate[]): Promise<UpdateRun> {
    const loaded = new Map<number, LoadedNode>();
    if (root !== null && root.kind === "internal" && updates.length > 0) {
      let frontier: Frontier[] = [{ version: root.version, depth: 0, lo: 0, hi: updates.length }];
      while (frontier.length > 0) {
        const keys = frontier.map((f) => nodeKey(f.version, updates[f.lo]!.keyHash, f.depth));
        const nodes = await this.fetchNodes(keys, this.latest, true);
        const next: Frontier[] = [];
        for (let i = 0; i < frontier.length; i++) {
          const f = frontier[i]!;
          const node = nodes[i]!;
          loaded.set(loadedNodeId(f.lo, f.depth), { bytes: node, key: keys[i]! });
          const present = presenceMask(node);
          const leaves = leafMask(node);
          let lo = f.lo;
          while (lo < f.hi) {
            const n = updateNibble(updates[lo]!, f.depth);
            let hi = lo + 1;
            while (hi < f.hi && updateNibble(updates[hi]!, f.depth) === n) hi++;
            const bit = 1 << n;
            if ((present & bit) !== 0 && (leaves & bit) === 0) {
              next.push({ version: internalChildVersion(node, n), depth: f.depth + 1, lo, hi });
            }
            lo = hi;
          }
        }
        frontier = next;
      }
    }
    return new UpdateRun(version, updates, loaded);
  }

  /**
   * Nodes by key: cache, then unflushed versions, then one getMany for the rest. With `views`
   * (only while the cache is frozen) cached nodes come as views into the cache, not copies, and
   * nodes read from disk are not cached: a run reads the nodes it is about to replace.
   */
  private async fetchNodes(keys: Uint8Array[], version: number, views = false): Promise<Uint8Array[]> {
    const out = new Array<Uint8Array>(keys.length);
    const missing = new Map<string, number[]>();
    const missingKeys: Uint8Array[] = [];
    for (let i = 0; i < keys.length; i++) {
      const hit = (views ? this.cache.peek(keys[i]!) : this.cache.get(keys[i]!)) ?? this.recentNode(keys[i]!);
      if (hit !== undefined) {
        out[i] = hit;
        continue;
      }
      const s = keyString(keys[i]!);
      const waiting = missing.get(s);
      if (waiting === undefined) {
        missing.set(s, [i]);
        missingKeys.push(keys[i]!);
      } else {
        waiting.push(i);
      }
    }
    if (missingKeys.length === 0) return out;
    const got = await this.db.getMany(missingKeys);
    this.nodesReadFromDisk += missingKeys.length;
    for (let j = 0; j < missingKeys.length; j++) {
      const node = got[j];
      if (node === undefined) {
        this.checkReadable(version);
        throw new StateError("CORRUPT_DATA", "a state tree node is missing from the database");
      }
      checkNode(node, "state tree node");
      if (!views) this.cache.set(missingKeys[j]!, node);
      for (const i of missing.get(keyString(missingKeys[j]!))!) out[i] = node;
    }
    return out;
  }

  /** The newest value record of a key hash written by a version still held in memory. */
  private recentValue(keyHash: Uint8Array): Uint8Array | undefined {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const record = this.recent[i]!.values.get(keyHash);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  /** A node of a version the caller may not have written yet (only asked on a cache miss). */
  private recentNode(key: Uint8Array): Uint8Array | undefined {
    const version = readU64(key, 1);
    const r = this.recent.find((rv) => rv.version === version);
    if (r === undefined) return undefined;
    if (r.nodeMap === undefined) {
      const nodeMap = new Map<string, Uint8Array>();
      r.nodes.forEach((nodeKeyBytes, bytes) => {
        nodeMap.set(keyString(nodeKeyBytes), bytes);
      });
      r.nodeMap = nodeMap;
    }
    return r.nodeMap.get(keyString(key));
  }

  private async fetchValueRecords(
    wanted: readonly { keyHash: Uint8Array; valueVersion: number }[],
    version: number,
  ): Promise<Uint8Array[]> {
    const out = new Array<Uint8Array>(wanted.length);
    const missIdx: number[] = [];
    const missKeys: Uint8Array[] = [];
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i]!;
      const r = this.recent.find((rv) => rv.version === w.valueVersion);
      const hit = r?.values.get(w.keyHash);
      if (hit !== undefined) out[i] = hit;
      else {
        missIdx.push(i);
        missKeys.push(valueKey(w.keyHash, w.valueVersion));
      }
    }
    if (missKeys.length === 0) return out;
    const got = await this.db.getMany(missKeys);
    for (let j = 0; j < missKeys.length; j++) {
      const record = got[j];
      if (record === undefined) {
        this.checkReadable(version);
        throw new StateError("CORRUPT_DATA", "a state value is missing from the database");
      }
      out[missIdx[j]!] = record;
    }
    return out;
  }
}

/** Hashes keys and values, sorts by key hash, and keeps the last update of each key. */
export function prepareUpdates(updates: readonly TreeUpdate[]): PreparedUpdate[] {
  // Key and leaf hashes live in one arena for the run (they are copied into whatever outlives it).
  const arena = new ByteArena(Math.min(1 << 20, 64 * updates.length + 64));
  const hashed = updates.map(([key, value]): PreparedUpdate => {
    const keyHash = arena.sha256(key);
    return {
      keyHash,
      value,
      leafHash: value === null ? null : arena.leafHash(keyHash, value),
      sortKey: readU32(keyHash, 0),
    };
  });
  // Sort on the first 4 bytes as a number, comparing bytes only on ties (rare): several times
  // faster than Buffer.compare on every comparison. Stable: equal keys keep their order, so the
  // last update of a key stays last.
  hashed.sort((a, b) => a.sortKey - b.sortKey || Buffer.compare(a.keyHash, b.keyHash));
  const out: PreparedUpdate[] = [];
  for (let i = 0; i < hashed.length; i++) {
    const next = hashed[i + 1];
    if (
      next !== undefined &&
      next.sortKey === hashed[i]!.sortKey &&
      Buffer.compare(next.keyHash, hashed[i]!.keyHash) === 0
    ) {
      continue;
    }
    out.push(hashed[i]!);
  }
  return out;
}

function decodeValueRecord(record: Uint8Array): Uint8Array | undefined {
  if (record.length === 1 && record[0] === 0) return undefined;
  if (record.length >= 1 && record[0] === 1) return copyBytes(record, 1);
  throw new StateError("CORRUPT_DATA", "bad state value record");
}

function readVersion(bytes: Uint8Array, what: string): number {
  if (bytes.length !== 8) throw new StateError("CORRUPT_DATA", `bad ${what} record`);
  return readU64be(bytes);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

/** Most deletes per batch when discarding what a crash left behind. */
const DISCARD_BATCH = 10_000;

/**
 * Deletes what no committed version references, which a crash between the node store's writes and
 * the main store's leaves behind (see KyochiDb): the nodes (and any stale lists) of versions above
 * the latest committed one, of every version when none is committed; and everything a stale list
 * at or below the oldest version names, then the list (a prune whose later writes did not land; a
 * finished prune deletes those lists). After a clean stop all three ranges are empty and this costs
 * three seeks.
 */
async function discardUnreferenced(db: KyochiDb, latest: number | null, oldest: number): Promise<void> {
  let batch = new WriteBatch();
  const flushIfFull = async () => {
    if (batch.size < DISCARD_BATCH) return;
    await db.write(batch);
    batch = new WriteBatch();
  };
  const firstUncommitted = latest === null ? 0 : latest + 1;
  const above = [
    { gte: nodeVersionStart(firstUncommitted), lt: Uint8Array.of(Prefix.TreeNode + 1) },
    { gte: staleKey(firstUncommitted), lt: Uint8Array.of(Prefix.TreeStale + 1) },
  ];
  for (const range of above) {
    for await (const key of db.keys(range)) {
      batch.del(key);
      await flushIfFull();
    }
  }
  if (latest !== null) {
    for await (const [key, list] of db.iterator({ gte: staleKey(0), lt: staleKey(oldest + 1) })) {
      for (const target of decodeStaleList(list)) batch.del(target);
      batch.del(key);
      await flushIfFull();
    }
  }
  await db.write(batch);
}
