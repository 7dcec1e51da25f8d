// The worker daemon's loop. Every tick it reads the chain (status, its worker record, the jobs
// assigned to it) and does the next thing due:
//   1. register, when it is not registered and the operator's key is at hand;
//   2. attest, when it has no current attestation or it expires soon;
//   3. for each job in its commit window where it is still "assigned": compute the result (or
//      take it from the journal after a restart), journal it, then commit;
//   4. for each job in its reveal window where it "committed": reveal what the journal holds.
// Everything it decides comes from chain state plus the journal, so a restart at any point resumes
// without losing work or submitting anything twice. An error in one step is logged and retried on
// the next tick; the loop itself only stops on stop().
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { decodeAddress } from "../../crypto/address.js";
import { resultCommitment } from "../../crypto/compute-commitment.js";
import type { KyochiRpcClient } from "../../rpc/client/client.js";
import { RpcClientError } from "../../rpc/client/errors.js";
import {
  computeCommitResultMsg,
  computeRegisterWorkerMsg,
  computeRevealResultMsg,
  type RegisterWorkerFields,
} from "../../rpc/client/msgs-compute.js";
import { RPC_ERROR_CODES } from "../../rpc/errors.js";
import type { Attester } from "./attester.js";
import { type JobView, jobsOfPage, type WorkerView, workerView } from "./chain-views.js";
import { WorkerError } from "./errors.js";
import type { JournalEntry, WorkerJournal } from "./journal.js";
import type { TxSender } from "./tx-sender.js";

/** Computes a job's canonical output (fetching model and input, checking their hashes). */
export interface JobExecutor {
  execute(job: JobView): Promise<{ output: Uint8Array; resultHash: Uint8Array }>;
}

export interface DaemonParts {
  client: KyochiRpcClient;
  /** Signs as the worker (attest, commit, reveal). */
  worker: TxSender;
  /** Signs as the operator (register); absent when someone else registers the worker. */
  operator?: TxSender;
  registration?: RegisterWorkerFields;
  attester: Attester;
  executor: JobExecutor;
  journal: WorkerJournal;
  log: Logger;
  pollMs: number;
  /** Called after a commit is journaled and included (tests use it to crash at the worst moment). */
  afterCommit?: (job: JobView) => void;
}

const SALT_BYTES = 32;

export class WorkerDaemon {
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly failedJobs = new Set<string>();
  /** Cursor of the worker's job list where the next walk starts (see openJobs). */
  private scanFrom = 0;

  constructor(private readonly parts: DaemonParts) {}

  get address(): string {
    return this.parts.worker.address;
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Runs until stop(); resolves when the current tick is over. */
  async run(): Promise<void> {
    const { log } = this.parts;
    log.info({ worker: this.address }, "worker daemon started");
    while (!this.stopped) {
      try {
        await this.tick();
      } catch (err) {
        log.warn({ err: describe(err) }, "worker tick failed; retrying");
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.parts.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    log.info("worker daemon stopped");
  }

  async tick(): Promise<void> {
    const { client, log } = this.parts;
    const status = await client.status();
    const worker = await this.ensureRegistered();
    if (worker === undefined) return;
    const attestedAt = await this.parts.attester.maybeAttest(status, worker);
    if (attestedAt !== undefined) log.info({ height: attestedAt }, "attested");

    const open = await this.openJobs();
    for (const job of open) if (job.state === "commit") await this.commitIfDue(job);
    for (const job of open) if (job.state === "reveal") await this.revealIfDue(job);
    // Rounds no longer open (settled, failed, re-run) need no journal entry.
    const rounds = new Set(open.map((j) => `${j.id}/${j.round}`));
    this.parts.journal.prune((jobId, round) => rounds.has(`${jobId}/${round}`));
  }

  private async ensureRegistered(): Promise<WorkerView | undefined> {
    const { client, operator, registration, log } = this.parts;
    try {
      return workerView(await client.getWorker(this.address));
    } catch (err) {
      if (!(err instanceof RpcClientError && err.code === RPC_ERROR_CODES.NOT_FOUND)) throw err;
    }
    if (operator === undefined || registration === undefined) {
      log.warn({ worker: this.address }, "worker is not registered; waiting for its operator to register it");
      return undefined;
    }
    const sent = await operator.send([computeRegisterWorkerMsg(registration)], "register worker");
    log.info({ height: sent.height, operator: operator.address }, "worker registered");
    return workerView(await client.getWorker(this.address));
  }

  /**
   * The jobs assigned to this worker that are in their commit or reveal window. The worker's job
   * list only grows and a closed job never reopens for it, so each walk starts at the first page
   * that still held an open job last time: the cost follows the open jobs, not the history.
   */
  private async openJobs(): Promise<JobView[]> {
    const out: JobView[] = [];
    let cursor = this.scanFrom;
    let firstOpenPage: number | undefined;
    for (;;) {
      const page = await this.parts.client.listJobs({ worker: this.address, cursor });
      const open = jobsOfPage(page).filter((j) => j.state === "commit" || j.state === "reveal");
      if (open.length > 0) firstOpenPage ??= cursor;
      out.push(...open);
      if (typeof page.nextCursor !== "number") break;
      cursor = page.nextCursor;
    }
    this.scanFrom = firstOpenPage ?? cursor;
    return out;
  }

  private myState(job: JobView): string | undefined {
    return job.assignments.find((a) => a.worker === this.address)?.state;
  }

  private async commitIfDue(job: JobView): Promise<void> {
    if (this.myState(job) !== "assigned") return;
    const { journal, log } = this.parts;
    const key = `${job.id}/${job.round}`;
    if (this.failedJobs.has(key)) return;
    let entry = journal.get(job.id, job.round);
    if (entry === undefined) {
      let result: { output: Uint8Array; resultHash: Uint8Array };
      try {
        result = await this.parts.executor.execute(job);
      } catch (err) {
        // Never commit to something not computed: the window is missed and the chain decides.
        this.failedJobs.add(key);
        log.error({ job: job.id, round: job.round, err: describe(err) }, "job failed; not committing");
        return;
      }
      entry = { jobId: job.id, round: job.round, ...result, salt: randomBytes(SALT_BYTES) };
      // On disk before the commit leaves: after a crash we reveal exactly this.
      journal.put(entry);
      log.info({ job: job.id, round: job.round }, "job computed");
    }
    const commitment = resultCommitment({
      jobId: job.id,
      round: job.round,
      resultHash: entry.resultHash,
      salt: entry.salt,
      worker: decodeAddress(this.address),
    });
    const sent = await this.parts.worker.send(
      [computeCommitResultMsg(job.id, commitment)],
      `commit job ${job.id}`,
    );
    journal.put({ ...entry, committedHeight: sent.height });
    log.info({ job: job.id, round: job.round, height: sent.height }, "result committed");
    this.parts.afterCommit?.(job);
  }

  private async revealIfDue(job: JobView): Promise<void> {
    if (this.myState(job) !== "committed") return;
    const { journal, log } = this.parts;
    const entry: JournalEntry | undefined = journal.get(job.id, job.round);
    if (entry === undefined) {
      log.error({ job: job.id, round: job.round }, "committed on chain but no journal entry: cannot reveal");
      return;
    }
    const sent = await this.parts.worker.send(
      [
        computeRevealResultMsg({
          jobId: job.id,
          resultHash: entry.resultHash,
          salt: entry.salt,
          output: entry.output,
        }),
      ],
      `reveal job ${job.id}`,
    );
    journal.put({ ...entry, revealedHeight: sent.height });
    log.info({ job: job.id, round: job.round, height: sent.height }, "result revealed");
  }
}

function describe(err: unknown): string {
  if (err instanceof WorkerError || err instanceof RpcClientError) return `${err.name} ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
