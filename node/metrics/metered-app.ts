// The Application as consensus sees it, with the time of block execution and state commit
// measured. Consensus stays free of metrics: it drives this wrapper through the same interface.
// Durations are this node's own work, so the local monotonic clock is the right one here.
import { performance } from "node:perf_hooks";
import type { Application } from "../../consensus/application.js";

export interface ApplicationTimings {
  observeBlockExecution(seconds: number): void;
  observeStateCommit(seconds: number): void;
}

export function meteredApplication(app: Application, timings: ApplicationTimings): Application {
  const timed = async <T>(work: () => Promise<T>, observe: (seconds: number) => void): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      observe((performance.now() - start) / 1000);
    }
  };
  return {
    info: () => app.info(),
    checkTx: (tx, mode, hash) => app.checkTx(tx, mode, hash),
    prepareProposal: (req) => app.prepareProposal(req),
    processProposal: (req) => app.processProposal(req),
    finalizeBlock: (req) =>
      timed(
        () => app.finalizeBlock(req),
        (s) => timings.observeBlockExecution(s),
      ),
    commit: (batch) =>
      timed(
        () => app.commit(batch),
        (s) => timings.observeStateCommit(s),
      ),
    query: (req) => app.query(req),
    ...(app.storesBlockResults ? { storesBlockResults: true } : {}),
  };
}
