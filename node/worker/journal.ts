// The worker's journal: what it computed and committed for each job round, on disk before the
// commit leaves the process. After a restart the daemon reveals exactly what it committed (same
// result, same salt) and never commits twice to one round: work is neither lost nor submitted
// twice. One small JSON file per job round, written atomically (temp file, fsync, rename).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex } from "../../crypto/hash.js";
import { writeFileAtomic } from "../key-file.js";
import { WorkerError } from "./errors.js";

export interface JournalEntry {
  jobId: number;
  round: number;
  resultHash: Uint8Array;
  salt: Uint8Array;
  /** The canonical output bytes (revealed inline when small enough). */
  output: Uint8Array;
  /** Height of the block that included our commit; undefined until it is committed. */
  committedHeight?: number;
  revealedHeight?: number;
}

interface EntryJson {
  job_id: number;
  round: number;
  result_hash: string;
  salt: string;
  output: string;
  committed_height?: number;
  revealed_height?: number;
}

export class WorkerJournal {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private path(jobId: number, round: number): string {
    return join(this.dir, `job-${jobId}-round-${round}.json`);
  }

  get(jobId: number, round: number): JournalEntry | undefined {
    const path = this.path(jobId, round);
    if (!existsSync(path)) return undefined;
    try {
      const j = JSON.parse(readFileSync(path, "utf8")) as EntryJson;
      return {
        jobId: j.job_id,
        round: j.round,
        resultHash: fromHex(j.result_hash),
        salt: fromHex(j.salt),
        output: fromHex(j.output),
        ...(j.committed_height !== undefined ? { committedHeight: j.committed_height } : {}),
        ...(j.revealed_height !== undefined ? { revealedHeight: j.revealed_height } : {}),
      };
    } catch (err) {
      throw new WorkerError("WORKER_JOURNAL_CORRUPT", `journal entry ${path} is unreadable: ${String(err)}`);
    }
  }

  put(entry: JournalEntry): void {
    const json: EntryJson = {
      job_id: entry.jobId,
      round: entry.round,
      result_hash: toHex(entry.resultHash),
      salt: toHex(entry.salt),
      output: toHex(entry.output),
      ...(entry.committedHeight !== undefined ? { committed_height: entry.committedHeight } : {}),
      ...(entry.revealedHeight !== undefined ? { revealed_height: entry.revealedHeight } : {}),
    };
    writeFileAtomic(this.path(entry.jobId, entry.round), `${JSON.stringify(json)}\n`);
  }

  /** Drops the entries of jobs that are over (settled, failed, cancelled, or a later round). */
  prune(keep: (jobId: number, round: number) => boolean): number {
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      const m = /^job-(\d+)-round-(\d+)\.json$/.exec(name);
      if (!m || keep(Number(m[1]), Number(m[2]))) continue;
      rmSync(join(this.dir, name), { force: true });
      removed++;
    }
    return removed;
  }
}
