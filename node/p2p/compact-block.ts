// A block as gossip carries it (CompactBlock in p2p.proto): its txs are in the receivers'
// mempools already, so each travels as its sha256 (32 bytes instead of the tx, about 190 bytes
// for a transfer) and the receiver rebuilds the block's exact bytes from the txs it holds. On a
// loaded 4-validator devnet, block parts were more than half of the bytes each node received.
import { sha256 } from "../../crypto/hash.js";
import { decodeCanonical, encode } from "../../proto/canonical.js";
import { repeatedFieldSpans } from "../../state/field-spans.js";
import { CompactBlock } from "./wire.js";

/** Block.txs in proto/kyochi/types/v1 (repeated bytes). */
const BLOCK_TXS_FIELD = 2;
export const TX_HASH_BYTES = 32;

/** A decoded, checked CompactBlock: tx i goes in at `offsets[i]` and hashes to `txHash(i)`. */
export class ParsedCompactBlock {
  private constructor(
    readonly skeleton: Uint8Array,
    readonly offsets: readonly number[],
    private readonly hashes: Uint8Array,
  ) {}

  /** Decodes and checks `bytes`; throws (with the reason) when they are not a sound CompactBlock. */
  static decode(bytes: Uint8Array): ParsedCompactBlock {
    const c = decodeCanonical<CompactBlock>(CompactBlock, bytes, "compact block");
    const offsets = c.txOffsets;
    if (c.txHashes.length !== offsets.length * TX_HASH_BYTES)
      throw new Error(`${offsets.length} tx offsets but ${c.txHashes.length} bytes of hashes`);
    let last = 0;
    for (const at of offsets) {
      if (at < last || at > c.skeleton.length) throw new Error(`tx offset ${at} out of order or range`);
      last = at;
    }
    return new ParsedCompactBlock(c.skeleton, offsets, c.txHashes);
  }

  get txCount(): number {
    return this.offsets.length;
  }

  txHash(i: number): Uint8Array {
    return this.hashes.subarray(i * TX_HASH_BYTES, (i + 1) * TX_HASH_BYTES);
  }

  /** The block's bytes, with `txs[i]` (whose sha256 the caller checked) at offset i. */
  rebuild(txs: readonly Uint8Array[]): Uint8Array {
    let length = this.skeleton.length;
    for (const tx of txs) length += tx.length;
    const out = new Uint8Array(length);
    let from = 0;
    let to = 0;
    for (const [i, at] of this.offsets.entries()) {
      out.set(this.skeleton.subarray(from, at), to);
      to += at - from;
      from = at;
      const tx = txs[i]!;
      out.set(tx, to);
      to += tx.length;
    }
    out.set(this.skeleton.subarray(from), to);
    return out;
  }
}

/** The CompactBlock of an encoded Block, with the block's txs (views of `block`) and their hashes. */
export function compactBlock(block: Uint8Array): {
  bytes: Uint8Array;
  txs: Uint8Array[];
  hashes: Uint8Array[];
} {
  const spans = repeatedFieldSpans(block, BLOCK_TXS_FIELD, "block");
  const n = spans.starts.length;
  const txs: Uint8Array[] = [];
  const offsets: number[] = [];
  const hashes = new Uint8Array(n * TX_HASH_BYTES);
  let txBytes = 0;
  for (let i = 0; i < n; i++) {
    const start = spans.starts[i]!;
    const tx = block.subarray(start, spans.ends[i]!);
    txs.push(tx);
    offsets.push(start - txBytes);
    txBytes += tx.length;
    hashes.set(sha256(tx), i * TX_HASH_BYTES);
  }
  const txHashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) txHashes.push(hashes.subarray(i * TX_HASH_BYTES, (i + 1) * TX_HASH_BYTES));
  const skeleton = new Uint8Array(block.length - txBytes);
  let to = 0;
  let from = 0;
  for (let i = 0; i < n; i++) {
    const start = spans.starts[i]!;
    skeleton.set(block.subarray(from, start), to);
    to += start - from;
    from = spans.ends[i]!;
  }
  skeleton.set(block.subarray(from), to);
  const bytes = encode(CompactBlock, CompactBlock.create({ skeleton, txOffsets: offsets, txHashes: hashes }));
  return { bytes, txs, hashes: txHashes };
}
