// The nodes one version of the tree wrote, packed: each node's db key and bytes copied into large
// chunks and indexed by numbers, with no JS object per node.
//
// Why: a version's nodes stay in memory until they are written and while the version is in the
// unflushed window (three versions). Held as one object and two typed-array views each, the ~24k
// nodes of a 10k-transfer block at 1M accounts were ~72k objects and ~145k views alive at any
// moment (a heap snapshot of the transfers benchmark: 17 MB of the 95 MB of JS objects). Each
// outlived the young generation's scavenges (copied, then promoted) and was then marked by every
// major GC. Views made by forEach() die as soon as their reader is done with them.
import type { PackedPuts } from "../db.js";
import { ByteChunks } from "./byte-chunks.js";
import { nodeKeyLength, writeNodeKey } from "./keys.js";

/** Numbers per entry in the index: chunk, offset, key length, node length. */
const FIELDS = 4;

export class NodeLog implements PackedPuts {
  private readonly bytes = new ByteChunks();
  private readonly index: number[] = [];

  /** Appends the node at (version, path of keyHash to depth), keyed as nodeKey() keys it. */
  add(version: number, pathKeyHash: Uint8Array, depth: number, node: Uint8Array): void {
    const keyLength = nodeKeyLength(depth);
    const at = this.bytes.reserve(keyLength + node.length);
    const chunk = this.bytes.last;
    writeNodeKey(chunk, at, version, pathKeyHash, depth);
    chunk.set(node, at + keyLength);
    this.index.push(this.bytes.chunks.length - 1, at, keyLength, node.length);
  }

  get count(): number {
    return this.index.length / FIELDS;
  }

  /** Each node's key and bytes, in the order added, as views that stay valid as long as the log. */
  forEach(visit: (key: Uint8Array, node: Uint8Array) => void): void {
    const index = this.index;
    for (let i = 0; i < index.length; i += FIELDS) {
      const chunk = this.bytes.chunks[index[i]!]!;
      const start = index[i + 1]!;
      const keyEnd = start + index[i + 2]!;
      visit(chunk.subarray(start, keyEnd), chunk.subarray(keyEnd, keyEnd + index[i + 3]!));
    }
  }
}
