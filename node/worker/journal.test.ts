import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WorkerError } from "./errors.js";
import { WorkerJournal } from "./journal.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function journal(): WorkerJournal {
  const dir = mkdtempSync(join(tmpdir(), "kyochi-journal-"));
  dirs.push(dir);
  return new WorkerJournal(dir);
}

describe("worker journal", () => {
  it("gives back after a restart exactly what was committed to, per job round", () => {
    const j = journal();
    const entry = {
      jobId: 7,
      round: 1,
      resultHash: new Uint8Array(32).fill(3),
      salt: new Uint8Array(32).fill(9),
      output: Uint8Array.of(1, 2, 3),
    };
    j.put(entry);
    j.put({ ...entry, committedHeight: 40 });
    const reopened = new WorkerJournal(j.dir);
    expect(reopened.get(7, 1)).toEqual({ ...entry, committedHeight: 40 });
    expect(reopened.get(7, 0)).toBeUndefined();
    expect(reopened.get(8, 1)).toBeUndefined();
  });

  it("prunes the rounds it is told are over, and refuses a damaged entry with a typed error", () => {
    const j = journal();
    const base = { resultHash: new Uint8Array(32), salt: new Uint8Array(16), output: new Uint8Array() };
    j.put({ jobId: 1, round: 0, ...base });
    j.put({ jobId: 2, round: 0, ...base });
    expect(j.prune((jobId) => jobId === 2)).toBe(1);
    expect(j.get(1, 0)).toBeUndefined();
    expect(j.get(2, 0)).toBeDefined();
    writeFileSync(join(j.dir, "job-3-round-0.json"), "{not json");
    expect(() => j.get(3, 0)).toThrow(WorkerError);
  });
});
