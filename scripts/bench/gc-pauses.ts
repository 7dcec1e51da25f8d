// Main-thread garbage-collection pauses over a measured span, by kind. CPU figures move with the
// machine's speed; the time V8 holds the main thread for young- and old-generation collections
// shows whether a change made less garbage survive, which a 3% CPU difference cannot.
import { constants, type PerformanceEntry, PerformanceObserver } from "node:perf_hooks";

export interface GcPauseTotals {
  /** scavenges (young generation) */
  minorMs: number;
  /** mark-compact, including the incremental marking steps V8 reports */
  majorMs: number;
}

export class GcPauses {
  private readonly totals: GcPauseTotals = { minorMs: 0, majorMs: 0 };
  private readonly observer: PerformanceObserver;

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.count(entry);
    });
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /** Stops observing and returns the totals (entries still buffered are counted). */
  stop(): GcPauseTotals {
    for (const entry of this.observer.takeRecords()) this.count(entry);
    this.observer.disconnect();
    return { ...this.totals };
  }

  private count(entry: PerformanceEntry): void {
    const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.totals.minorMs += entry.duration;
    else this.totals.majorMs += entry.duration;
  }
}
