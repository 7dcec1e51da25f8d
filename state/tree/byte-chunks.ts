// Append-only bytes in chunks that never move, for the packed logs of a tree version (node-log.ts,
// value-log.ts): an entry is written once into the last chunk and read back by (chunk, offset).
//
// Chunks start small and double up to the largest size: a version of a few txs writes a few KB,
// one of 10k transfers at 1M accounts about 12 MB of nodes. An entry larger than the next chunk
// gets a chunk of its own size. Entries never span chunks.
const FIRST_CHUNK_BYTES = 16 << 10;
const LARGEST_CHUNK_BYTES = 1 << 20;

export class ByteChunks {
  readonly chunks: Uint8Array[] = [];
  private used = 0;

  /** The chunk reserve() last handed out room in. */
  get last(): Uint8Array {
    return this.chunks[this.chunks.length - 1] ?? EMPTY;
  }

  /** Room for `size` bytes in the last chunk (a new one when they do not fit): their offset there. */
  reserve(size: number): number {
    const last = this.last;
    if (this.used + size > last.length) {
      const next = last.length === 0 ? FIRST_CHUNK_BYTES : Math.min(LARGEST_CHUNK_BYTES, 2 * last.length);
      this.chunks.push(new Uint8Array(Math.max(next, size)));
      this.used = 0;
    }
    const at = this.used;
    this.used += size;
    return at;
  }
}

const EMPTY = new Uint8Array(0);
