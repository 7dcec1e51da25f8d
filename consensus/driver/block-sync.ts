// Block sync: a node that is behind (new, restarted, or cut off for a while) fetches decided
// blocks with their commits from peers instead of waiting for consensus messages of heights it
// missed. Windows of consecutive heights are requested from several peers at once (each window
// from a peer that has all of it), and handed over in height order. The driver verifies each
// block and commit against the validator set of its height before applying it; a peer whose
// answer fails, or does not verify, is reported and its window asked of another peer.
import type { Logger } from "../logger.js";
import type { SyncedBlock, SyncNetwork } from "./transport.js";

export interface BlockSyncOptions {
  network: SyncNetwork;
  logger: Logger;
  /** Heights per request. */
  windowSize?: number;
  /** Requests in flight at once (over distinct peers where there are enough). */
  parallel?: number;
}

export interface FetchedWindow {
  peer: string;
  from: number;
  blocks: SyncedBlock[];
}

export class BlockSyncFetcher {
  private readonly network: SyncNetwork;
  private readonly logger: Logger;
  private readonly windowSize: number;
  private readonly parallel: number;
  /** Round-robin start, so consecutive windows go to different peers. */
  private turn = 0;

  constructor(opts: BlockSyncOptions) {
    this.network = opts.network;
    this.logger = opts.logger;
    this.windowSize = opts.windowSize ?? 32;
    this.parallel = opts.parallel ?? 4;
  }

  /** The highest height any peer reports (0 without peers). */
  bestPeerHeight(): number {
    let best = 0;
    for (const s of this.network.peerStatuses()) if (s.height > best) best = s.height;
    return best;
  }

  /**
   * Fetches heights from `from` on, up to `parallel` windows at once; resolves with the windows
   * that arrived, in height order and without gaps (stops at the first window no peer served).
   */
  async fetch(from: number): Promise<FetchedWindow[]> {
    const best = this.bestPeerHeight();
    if (best < from) return [];
    const windows: { from: number; count: number }[] = [];
    for (let h = from; h <= best && windows.length < this.parallel; h += this.windowSize) {
      windows.push({ from: h, count: Math.min(this.windowSize, best - h + 1) });
    }
    const results = await Promise.all(windows.map((w) => this.fetchWindow(w.from, w.count)));
    const out: FetchedWindow[] = [];
    for (const r of results) {
      if (!r || r.blocks.length === 0) break;
      out.push(r);
      if (r.blocks.length < windows[out.length - 1]!.count) break;
    }
    return out;
  }

  reportInvalid(peer: string, reason: string): void {
    this.network.reportInvalid(peer, reason);
  }

  /** One window from the peers that have all of it, trying the next peer when one fails. */
  private async fetchWindow(from: number, count: number): Promise<FetchedWindow | null> {
    const last = from + count - 1;
    const candidates = this.network
      .peerStatuses()
      .filter((s) => s.base <= from && s.height >= last)
      .map((s) => s.peer);
    if (candidates.length === 0) return null;
    const start = this.turn++ % candidates.length;
    for (let i = 0; i < candidates.length; i++) {
      const peer = candidates[(start + i) % candidates.length]!;
      try {
        const blocks = await this.network.fetchBlocks(peer, from, count);
        if (blocks.length > 0) return { peer, from, blocks: blocks.slice(0, count) };
      } catch (err) {
        this.logger.debug({ peer, from, count, err: (err as Error).message }, "block sync request failed");
      }
    }
    return null;
  }
}
