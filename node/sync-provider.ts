// What this node serves to peers' block sync: its stored blocks with the commit that decided each
// (the block bytes as stored, so a peer receives exactly what was hashed and signed).
import { encode } from "../proto/canonical.js";
import { Commit } from "../proto/index.js";
import type { BlockStore } from "../state/block-store.js";
import type { SyncProvider } from "./p2p/index.js";

export function blockStoreSyncProvider(blockStore: BlockStore): SyncProvider {
  return {
    status: () => ({ base: blockStore.base, height: blockStore.height }),
    async getBlocks(from, count) {
      const out: { block: Uint8Array; commit: Uint8Array }[] = [];
      for (let h = Math.max(from, blockStore.base); h < from + count && h <= blockStore.height; h++) {
        const [block, commit] = await Promise.all([blockStore.getBlockBytes(h), blockStore.getCommit(h)]);
        if (!block || !commit) break;
        out.push({ block, commit: encode(Commit, commit) });
      }
      return out;
    },
  };
}
