// The mempool: txs that passed checkTx and wait for a block.
//
// Order of proposal: each sender's txs go in nonce order as a run contiguous from the account's
// next nonce (a gap holds the rest back); across senders the head tx with the highest fee per gas
// goes first, ties by arrival. The order depends only on what arrived and what checkTx said, so
// two nodes with the same pool propose the same list.
//
// Limits: count, total bytes, size of one tx, txs per sender. A full pool admits a tx only by
// evicting strictly lower-priority txs (and the later-nonce txs of their senders, which the
// eviction strands behind a gap).
//
// After each block: committed txs leave, txs whose nonce a block used leave, and the rest are
// checked again ("recheck") in proposal order; a tx that fails leaves with its sender's later txs.
// Blocks that commit while a recheck runs are taken together by the next update: one recheck
// against the latest state answers for all of them (under load rechecks had fallen several blocks
// behind, each paying for the whole pool).
import type { CheckTxResult } from "../../consensus/application.js";
import type { TxSource } from "../../consensus/mempool-port.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { YIELD_EVERY, yieldToEventLoop } from "../../state/event-loop.js";
import { BinaryHeap } from "./binary-heap.js";
import { MempoolError } from "./errors.js";
import { SenderQueue } from "./sender-queue.js";
import type { MempoolAddResult, MempoolOptions, MempoolTx, MempoolTxSummary } from "./types.js";

/** True when `a` is proposed before `b`: higher fee per gas, then earlier arrival. */
function proposedBefore(a: MempoolTx, b: MempoolTx): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return a.seq < b.seq;
}

/** True when `a` is evicted before `b`: lower fee per gas, then later arrival. */
function evictedBefore(a: MempoolTx, b: MempoolTx): boolean {
  return proposedBefore(b, a);
}

interface RunCursor {
  run: MempoolTx[];
  next: number;
}

/**
 * Default of MempoolOptions.maxPendingChecks: a bound on queued work and memory (a few seconds of
 * checks), high enough that a saturated devnet does not shed load it could still admit (with 1,000,
 * the clients' retries of refused txs cost more than they saved).
 */
export const DEFAULT_MAX_PENDING_CHECKS = 10_000;

export class Mempool implements TxSource {
  private readonly opts: MempoolOptions;
  private readonly byHash = new Map<string, MempoolTx>();
  private readonly senders = new Map<string, SenderQueue>();
  /** Hashes whose checkTx is running, so a concurrent duplicate is refused before it is checked. */
  private readonly checking = new Set<string>();
  private readonly inflight = new Set<Promise<MempoolAddResult>>();
  private readonly addedListeners = new Set<
    (tx: Uint8Array, origin: string | undefined, hash: Uint8Array) => void
  >();
  private updating: Promise<void> | undefined;
  /** Committed blocks whose update has not started: the next update takes them all. */
  private readonly queuedBlocks: { height: number; hashes: string[] }[] = [];
  /**
   * Hashes of txs a committed block holds whose update() has not removed them yet. Proposals skip
   * them: the next height may start (and reap) while an update still waits for in-flight adds.
   */
  private readonly committedPendingRemoval = new Set<string>();
  /** Adds started and not finished (waiting for an update, or being checked). */
  private pendingChecks = 0;
  private readonly maxPendingChecks: number;
  private totalBytes = 0;
  private seq = 0;
  private lastHeight = 0;

  constructor(opts: MempoolOptions) {
    for (const key of ["maxTxs", "maxBytes", "maxTxBytes", "maxPerSender"] as const) {
      if (!Number.isSafeInteger(opts[key]) || opts[key] <= 0) {
        throw new RangeError(`mempool ${key} must be a positive integer, got ${opts[key]}`);
      }
    }
    this.opts = opts;
    this.maxPendingChecks = opts.maxPendingChecks ?? DEFAULT_MAX_PENDING_CHECKS;
    if (!Number.isSafeInteger(this.maxPendingChecks) || this.maxPendingChecks <= 0) {
      throw new RangeError(
        `mempool maxPendingChecks must be a positive integer, got ${this.maxPendingChecks}`,
      );
    }
  }

  /** Number of txs waiting. */
  size(): number {
    return this.byHash.size;
  }

  /** Sum of the sizes of the waiting txs. */
  sizeBytes(): number {
    return this.totalBytes;
  }

  /** Whether a tx with this hash (bytes or hex, with or without 0x) is waiting. */
  has(hash: Uint8Array | string): boolean {
    return this.byHash.has(hashKey(hash));
  }

  get(hash: Uint8Array | string): MempoolTx | undefined {
    return this.byHash.get(hashKey(hash));
  }

  /**
   * Checks `tx` with the application and admits it, or throws MempoolError: MEMPOOL_TX_TOO_LARGE,
   * MEMPOOL_DUPLICATE, the application's codename, MEMPOOL_REPLACEMENT_UNDERPRICED,
   * MEMPOOL_SENDER_LIMIT, MEMPOOL_FULL or MEMPOOL_BUSY. Adds wait while a block's update runs.
   * `origin` is the peer a gossiped tx came from (undefined for this node's own clients); `hash`
   * is sha256(tx) when the caller has it (trusted, as checkTx's: gossip hashed the tx already).
   */
  async add(tx: Uint8Array, origin?: string, hash: Uint8Array = sha256(tx)): Promise<MempoolAddResult> {
    if (this.pendingChecks >= this.maxPendingChecks) {
      throw new MempoolError(
        "MEMPOOL_BUSY",
        `${this.pendingChecks} txs are being checked (limit ${this.maxPendingChecks}); retry shortly`,
        hash,
      );
    }
    this.pendingChecks++;
    let added: MempoolAddResult;
    try {
      while (this.updating !== undefined) await this.updating;
      const admission = this.admit(tx, hash);
      this.inflight.add(admission);
      try {
        added = await admission;
      } finally {
        this.inflight.delete(admission);
      }
    } finally {
      this.pendingChecks--;
    }
    for (const cb of this.addedListeners) cb(tx, origin, added.hash);
    return added;
  }

  /**
   * Called after each admitted tx with where it came from (a peer id, or undefined for this
   * node's own clients, RPC) and its sha256. Gossip publishes the latter. Returns an unsubscribe
   * function.
   */
  onAdded(cb: (tx: Uint8Array, origin: string | undefined, hash: Uint8Array) => void): () => void {
    this.addedListeners.add(cb);
    return () => this.addedListeners.delete(cb);
  }

  /** Txs to propose, at most `maxBytes` bytes and `maxGas` gas in total (negative: no limit). */
  reap(maxBytes: number, maxGas: number): Uint8Array[] {
    return this.ordered(maxBytes, maxGas).map((entry) => entry.tx);
  }

  /**
   * After the block at `height` committed: drops its txs, drops txs whose nonce is now used,
   * rechecks the rest in proposal order. Adds wait until it is done. When it returns, this block's
   * update is done (possibly by the update of a later block that took it along).
   */
  async update(height: number, committedTxs: Uint8Array[]): Promise<void> {
    const hashes = committedTxs.map((tx) => toHex(sha256(tx)));
    for (const hash of hashes) this.committedPendingRemoval.add(hash);
    this.queuedBlocks.push({ height, hashes });
    while (this.updating !== undefined) await this.updating;
    // An update that ran meanwhile took this block along, and it has finished.
    if (this.queuedBlocks.length === 0) return;
    const blocks = this.queuedBlocks.splice(0);
    const committedHashes = blocks.flatMap((b) => b.hashes);
    const latest = blocks[blocks.length - 1]!.height;
    let release!: () => void;
    this.updating = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      // Adds whose checkTx ran against the previous state land first, then are rechecked.
      await Promise.allSettled([...this.inflight]);
      this.lastHeight = latest;
      let removed = 0;
      for (const hash of committedHashes) {
        this.committedPendingRemoval.delete(hash);
        const entry = this.byHash.get(hash);
        if (entry === undefined) continue;
        const queue = this.senders.get(entry.sender);
        this.remove(entry);
        removed++;
        // The committed nonce is used; the account's next nonce is at least one past it.
        if (queue !== undefined && queue.size > 0) {
          queue.nextNonce = Math.max(queue.nextNonce ?? 0, entry.nonce + 1);
        }
      }
      await this.refreshNextNonces(removed === committedHashes.length);
      const stale = this.dropUsedNonces();
      const failed = this.opts.recheck === false ? 0 : await this.recheckAll();
      this.opts.logger?.debug(
        {
          height: latest,
          blocks: blocks.length,
          committed: removed,
          stale,
          failedRecheck: failed,
          size: this.size(),
          bytes: this.totalBytes,
        },
        "mempool updated",
      );
    } finally {
      this.updating = undefined;
      release();
    }
  }

  /** The waiting txs: proposable ones in proposal order, then the ones held back by a nonce gap. */
  list(limit = Number.POSITIVE_INFINITY): MempoolTxSummary[] {
    const ready = this.ordered(-1, -1);
    const seen = new Set(ready);
    const held: MempoolTx[] = [];
    for (const queue of this.sendersInArrivalOrder()) {
      for (const entry of queue.all()) if (!seen.has(entry)) held.push(entry);
    }
    return [...ready, ...held].slice(0, limit).map((entry) => ({
      hash: entry.hashHex,
      sender: entry.sender,
      nonce: entry.nonce,
      priority: entry.priority,
      gasWanted: entry.gasWanted,
      bytes: entry.tx.length,
    }));
  }

  private async admit(tx: Uint8Array, hash: Uint8Array): Promise<MempoolAddResult> {
    const hashHex = toHex(hash);
    if (tx.length > this.opts.maxTxBytes) {
      throw new MempoolError(
        "MEMPOOL_TX_TOO_LARGE",
        `tx is ${tx.length} bytes, more than the limit of ${this.opts.maxTxBytes}`,
        hash,
      );
    }
    if (this.byHash.has(hashHex) || this.checking.has(hashHex)) {
      throw new MempoolError("MEMPOOL_DUPLICATE", `tx 0x${hashHex} is already in the mempool`, hash);
    }
    this.checking.add(hashHex);
    let check: CheckTxResult;
    let nextNonce: number | undefined;
    try {
      check = await this.opts.checkTx(tx, "new", hash);
      if (check.code !== 0) throw MempoolError.fromCheckTx(check, hash);
      // A sender new to the pool: learn where its run of nonces starts.
      if (this.opts.nextNonce !== undefined && this.senders.get(check.sender)?.nextNonce === undefined) {
        nextNonce = await this.opts.nextNonce(check.sender);
      }
    } finally {
      this.checking.delete(hashHex);
    }
    return this.insert(tx, hash, hashHex, check, nextNonce);
  }

  /** The synchronous part of admission: limits, replacement, eviction, insertion. */
  private insert(
    tx: Uint8Array,
    hash: Uint8Array,
    hashHex: string,
    check: CheckTxResult,
    nextNonce: number | undefined,
  ): MempoolAddResult {
    const entry: MempoolTx = {
      tx,
      hash,
      hashHex,
      sender: check.sender,
      nonce: check.nonce,
      priority: check.priority,
      gasWanted: check.gasWanted,
      seq: this.seq++,
      arrivalHeight: this.lastHeight,
    };
    const queue = this.senders.get(entry.sender);
    const existing = queue?.get(entry.nonce);
    if (existing !== undefined) {
      if (entry.priority <= existing.priority) {
        throw new MempoolError(
          "MEMPOOL_REPLACEMENT_UNDERPRICED",
          `nonce ${entry.nonce} of ${entry.sender} is taken by tx 0x${existing.hashHex} with fee per gas ` +
            `${existing.priority}; a replacement must pay strictly more (got ${entry.priority})`,
          hash,
        );
      }
    } else if (queue !== undefined && queue.size >= this.opts.maxPerSender) {
      throw new MempoolError(
        "MEMPOOL_SENDER_LIMIT",
        `sender ${entry.sender} already has ${queue.size} txs waiting (limit ${this.opts.maxPerSender})`,
        hash,
      );
    }
    const victims = this.planEviction(entry, existing);

    for (const victim of victims) this.remove(victim);
    if (existing !== undefined) this.remove(existing);
    let target = this.senders.get(entry.sender);
    if (target === undefined) {
      target = new SenderQueue(entry.sender);
      this.senders.set(entry.sender, target);
    }
    if (target.nextNonce === undefined && nextNonce !== undefined) target.nextNonce = nextNonce;
    target.insert(entry);
    this.byHash.set(hashHex, entry);
    this.totalBytes += tx.length;

    const evicted = victims.map((victim) => victim.hashHex);
    if (evicted.length > 0) {
      this.opts.logger?.info(
        { tx: hashHex, priority: entry.priority.toString(), evicted },
        "mempool evicted txs",
      );
    }
    const result: MempoolAddResult = { hash, check, evicted };
    if (existing !== undefined) result.replaced = existing.hashHex;
    return result;
  }

  /**
   * The txs to evict so that `entry` fits, lowest priority first, each with its sender's later
   * txs. Throws MEMPOOL_FULL unless every evicted head pays strictly less per gas than `entry`.
   */
  private planEviction(entry: MempoolTx, replacing: MempoolTx | undefined): MempoolTx[] {
    let count = this.byHash.size + 1 - (replacing !== undefined ? 1 : 0);
    let bytes = this.totalBytes + entry.tx.length - (replacing?.tx.length ?? 0);
    const fits = () => count <= this.opts.maxTxs && bytes <= this.opts.maxBytes;
    if (fits()) return [];

    const full = () =>
      new MempoolError(
        "MEMPOOL_FULL",
        `mempool is full (${this.byHash.size} txs, ${this.totalBytes} bytes; limits ${this.opts.maxTxs} txs, ` +
          `${this.opts.maxBytes} bytes) and the tx's fee per gas ${entry.priority} does not outbid enough waiting txs`,
        entry.hash,
      );
    // A sender's own txs are never evicted for it: that would strand the new tx behind a gap.
    const candidates: MempoolTx[] = [];
    for (const other of this.byHash.values()) {
      if (other.sender !== entry.sender && other.priority < entry.priority) candidates.push(other);
    }
    if (candidates.length === 0) throw full();
    candidates.sort((a, b) => (evictedBefore(a, b) ? -1 : 1));

    const victims: MempoolTx[] = [];
    const chosen = new Set<MempoolTx>();
    for (const candidate of candidates) {
      if (fits()) break;
      if (chosen.has(candidate)) continue;
      for (const stranded of this.senders.get(candidate.sender)!.fromNonce(candidate.nonce)) {
        if (chosen.has(stranded)) continue;
        chosen.add(stranded);
        victims.push(stranded);
        count--;
        bytes -= stranded.tx.length;
      }
    }
    if (!fits()) throw full();
    return victims;
  }

  private remove(entry: MempoolTx): void {
    if (!this.byHash.delete(entry.hashHex)) return;
    this.totalBytes -= entry.tx.length;
    const queue = this.senders.get(entry.sender);
    if (queue === undefined) return;
    queue.remove(entry);
    if (queue.size === 0) this.senders.delete(entry.sender);
  }

  /** Proposable txs in proposal order within the limits (negative limit: none). */
  private ordered(maxBytes: number, maxGas: number): MempoolTx[] {
    const heap = new BinaryHeap<RunCursor>((a, b) => proposedBefore(a.run[a.next]!, b.run[b.next]!));
    for (const queue of this.senders.values()) {
      const run = queue.ready();
      if (run.length > 0) heap.push({ run, next: 0 });
    }
    const out: MempoolTx[] = [];
    let bytes = 0;
    let gas = 0;
    for (let cursor = heap.pop(); cursor !== undefined; cursor = heap.pop()) {
      const entry = cursor.run[cursor.next]!;
      if (this.committedPendingRemoval.has(entry.hashHex)) {
        // Already in a block: its sender's next nonce follows it.
        cursor.next++;
        if (cursor.next < cursor.run.length) heap.push(cursor);
        continue;
      }
      // A tx that does not fit ends its sender's run (its later nonces cannot go without it),
      // but smaller txs of other senders may still fit.
      if (maxBytes >= 0 && bytes + entry.tx.length > maxBytes) continue;
      if (maxGas >= 0 && gas + entry.gasWanted > maxGas) continue;
      out.push(entry);
      bytes += entry.tx.length;
      gas += entry.gasWanted;
      cursor.next++;
      if (cursor.next < cursor.run.length) heap.push(cursor);
    }
    return out;
  }

  private sendersInArrivalOrder(): SenderQueue[] {
    return [...this.senders.values()].sort((a, b) => a.firstSeq() - b.firstSeq());
  }

  /**
   * Reads the account's next nonce of the senders in the pool. When the pool held every tx the
   * blocks committed (`heldAll`), only the queues that do not start at their known next nonce are
   * read: the next nonce unknown, or a gap between it and the first waiting tx (a nonce still on
   * its way, say). A queue that starts at its next nonce needs no read then, since an account's nonce
   * moves only when one of its txs commits, and update() has moved it past each committed tx. A
   * block with txs this pool never held may have used nonces of any sender: then all are read.
   * Reading every sender's account after every block had cost a loaded validator thousands of
   * state reads per block.
   */
  private async refreshNextNonces(heldAll: boolean): Promise<void> {
    const lookup = this.opts.nextNonce;
    if (lookup === undefined) return;
    const queues = [...this.senders.values()].filter(
      (queue) => !heldAll || queue.nextNonce === undefined || queue.all()[0]?.nonce !== queue.nextNonce,
    );
    const nonces = await Promise.all(
      queues.map(async (queue) => {
        try {
          return await lookup(queue.sender);
        } catch (err) {
          this.opts.logger?.warn({ sender: queue.sender, err }, "mempool could not read an account nonce");
          return undefined;
        }
      }),
    );
    queues.forEach((queue, i) => {
      const next = nonces[i];
      if (next !== undefined) queue.nextNonce = next;
    });
  }

  /** Removes txs whose nonce is below the account's next nonce: they can never execute. */
  private dropUsedNonces(): number {
    let dropped = 0;
    for (const queue of [...this.senders.values()]) {
      const next = queue.nextNonce;
      if (next === undefined) continue;
      for (const entry of [...queue.all()]) {
        if (entry.nonce >= next) break;
        this.remove(entry);
        dropped++;
      }
    }
    return dropped;
  }

  /** Rechecks every tx (proposable ones in proposal order, then held-back ones); returns how many left. */
  private async recheckAll(): Promise<number> {
    const before = this.byHash.size;
    const ready = this.ordered(-1, -1);
    const visited = new Set<MempoolTx>();
    // A full pool is thousands of checks: the event loop gets a turn between runs of them (checked
    // inline, not through a helper: an awaited call per tx would cost a promise per tx).
    let checked = 0;
    for (const entry of ready) {
      visited.add(entry);
      await this.recheckOne(entry);
      if (++checked % YIELD_EVERY === 0) await yieldToEventLoop();
    }
    for (const queue of this.sendersInArrivalOrder()) {
      for (const entry of [...queue.all()]) {
        if (visited.has(entry)) continue;
        await this.recheckOne(entry);
        if (++checked % YIELD_EVERY === 0) await yieldToEventLoop();
      }
    }
    return before - this.byHash.size;
  }

  private async recheckOne(entry: MempoolTx): Promise<void> {
    // Dropped meanwhile with an earlier tx of its sender.
    if (this.byHash.get(entry.hashHex) !== entry) return;
    // A later block holds it: it leaves with that block's update.
    if (this.committedPendingRemoval.has(entry.hashHex)) return;
    let result: CheckTxResult | undefined;
    try {
      result = await this.opts.checkTx(entry.tx, "recheck", entry.hash);
    } catch (err) {
      this.opts.logger?.warn({ tx: entry.hashHex, err }, "mempool recheck threw; dropping the tx");
    }
    if (result !== undefined && result.code === 0) {
      entry.priority = result.priority;
      entry.gasWanted = result.gasWanted;
      return;
    }
    // Committed while it was being checked: it failed because its nonce is used now, which says
    // nothing about its sender's later txs. It leaves with its block's update.
    if (this.committedPendingRemoval.has(entry.hashHex)) return;
    const queue = this.senders.get(entry.sender);
    const dropped = queue?.fromNonce(entry.nonce) ?? [entry];
    for (const tx of dropped) this.remove(tx);
    this.opts.logger?.debug(
      { tx: entry.hashHex, codename: result?.codename, alsoDropped: dropped.length - 1 },
      "mempool recheck dropped a tx",
    );
  }
}

function hashKey(hash: Uint8Array | string): string {
  if (typeof hash !== "string") return toHex(hash);
  return (hash.startsWith("0x") || hash.startsWith("0X") ? hash.slice(2) : hash).toLowerCase();
}
