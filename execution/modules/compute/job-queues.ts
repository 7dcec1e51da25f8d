// The two kinds of queue compute's block end works from, so that it never scans every job:
//
//   HeightQueue  ids to look at in the block end of one height (a window that ends there, a
//                deadline); one IdList leaf per height, deleted once handled.
//   JobFifo      the pending jobs in the order they became pending. Removing an id leaves a hole;
//                the stored head skips the holes at the front for good, so a long-lived queue
//                never makes a block re-read the holes of jobs assigned long ago.
//
// FIFO keys under `base`: base+0x00 head (u64be: the first sequence number that may still hold an
// id), base+0x01 next sequence number (u64be), base+0x02+u64be(seq) the id, base+0x03+u64be(id) its
// sequence number (so an id can be removed, and is never queued twice).
import { encode } from "../../../proto/canonical.js";
import { IdList } from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function decodeIds(bytes: Uint8Array): number[] {
  try {
    return IdList.decode(bytes).ids.map(Number);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored IdList does not decode: ${(err as Error).message}`);
  }
}

export class HeightQueue {
  private readonly base: Uint8Array;

  /** `base` must start with the owning module's prefix byte and be unique to this queue. */
  constructor(base: Uint8Array) {
    this.base = base;
  }

  private key(height: number): StateKey {
    return stateKey(concat(this.base, u64be(height)));
  }

  async load(reader: KvReader, height: number): Promise<number[]> {
    const bytes = await reader.get(this.key(height));
    return bytes === undefined ? [] : decodeIds(bytes);
  }

  /** Adds `id` to the ids of `height` (once). */
  async add(store: KvStore, height: number, id: number): Promise<void> {
    const ids = await this.load(store, height);
    if (ids.includes(id)) return;
    ids.push(id);
    store.set(this.key(height), encode(IdList, IdList.create({ ids })));
  }

  /** The ids of `height`, removed from the queue. */
  async take(store: KvStore, height: number): Promise<number[]> {
    const ids = await this.load(store, height);
    if (ids.length > 0) store.delete(this.key(height));
    return ids;
  }
}

export class JobFifo {
  private readonly headKey: StateKey;
  private readonly nextKey: StateKey;
  private readonly base: Uint8Array;

  constructor(base: Uint8Array) {
    this.base = base;
    this.headKey = stateKey(concat(base, Uint8Array.of(0x00)));
    this.nextKey = stateKey(concat(base, Uint8Array.of(0x01)));
  }

  private entryKey(seq: number): StateKey {
    return stateKey(concat(this.base, Uint8Array.of(0x02), u64be(seq)));
  }

  private seqKey(id: number): StateKey {
    return stateKey(concat(this.base, Uint8Array.of(0x03), u64be(id)));
  }

  private async counter(reader: KvReader, key: StateKey): Promise<number> {
    const bytes = await reader.get(key);
    return bytes === undefined ? 0 : readU64be(bytes);
  }

  async has(reader: KvReader, id: number): Promise<boolean> {
    return (await reader.get(this.seqKey(id))) !== undefined;
  }

  /** True when nothing is queued (after front() moved the head past the holes at the front). */
  async isEmpty(reader: KvReader): Promise<boolean> {
    return (await this.counter(reader, this.headKey)) >= (await this.counter(reader, this.nextKey));
  }

  /** Appends `id` at the back (no-op when it is queued already). */
  async push(store: KvStore, id: number): Promise<void> {
    if (await this.has(store, id)) return;
    const seq = await this.counter(store, this.nextKey);
    store.set(this.nextKey, u64be(seq + 1));
    store.set(this.entryKey(seq), u64be(id));
    store.set(this.seqKey(id), u64be(seq));
  }

  /** Removes `id` wherever it is (leaves a hole); false when it was not queued. */
  async remove(store: KvStore, id: number): Promise<boolean> {
    const at = this.seqKey(id);
    const bytes = await store.get(at);
    if (bytes === undefined) return false;
    store.delete(this.entryKey(readU64be(bytes)));
    store.delete(at);
    return true;
  }

  /**
   * Up to `maxIds` queued ids from the front, reading at most `maxReads` entries (holes count).
   * Holes at the front are skipped for good: the head moves past them.
   */
  async front(store: KvStore, maxIds: number, maxReads: number): Promise<number[]> {
    const storedHead = await this.counter(store, this.headKey);
    let head = storedHead;
    const next = await this.counter(store, this.nextKey);
    const ids: number[] = [];
    let seq = head;
    let reads = 0;
    while (seq < next && ids.length < maxIds && reads < maxReads) {
      reads++;
      const bytes = await store.get(this.entryKey(seq));
      if (bytes !== undefined) ids.push(readU64be(bytes));
      else if (ids.length === 0) head = seq + 1;
      seq++;
    }
    if (head !== storedHead) store.set(this.headKey, u64be(head));
    return ids;
  }
}
