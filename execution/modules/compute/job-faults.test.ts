// Faults at settlement on a real chain: a minority result and a missed window are slashed (into the
// audit pool) while the job still settles; a round without quorum is re-run by a fresh, larger set,
// or fails and is refunded when no re-run is left.
import { afterEach, describe, expect, it } from "vitest";
import { codeName } from "../data/data-fixture.js";
import {
  type ComputeFixture,
  commitMsg,
  eventsOf,
  expectAllOk,
  registerPricedModel,
  resultOf,
  revealMsg,
  startComputeFixture,
  submitMsg,
  type TestWorker,
} from "./compute-fixture.js";
import type { JobView } from "./job-views.js";

let f: ComputeFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const STAKE = 1_000_000n;

interface WorkerView {
  stake: string;
  status: string;
  active_jobs: number;
  reputation: { jobs_agreed: number; jobs_minority: number; jobs_missed: number; slashes: number };
}

const workerView = (fx: ComputeFixture, w: TestWorker) => fx.query<WorkerView>(`worker/${w.key.bech32}`);
const auditPool = async (fx: ComputeFixture) =>
  BigInt((await fx.query<{ audit_pool: string }>("audit_pool")).audit_pool);
const assigned = (fx: ComputeFixture, job: JobView) => job.assignments.map((a) => fx.workerOf(a.worker));

describe("settlement with faults", () => {
  it("slashes a minority worker and pays the two that agree", async () => {
    f = await startComputeFixture({ workers: [{}, {}, {}] });
    const model = await registerPricedModel(f, 0n);
    const total0 = await f.totalValue();
    const owner0 = await f.balance(f.owner);
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow: 300n }),
        ),
      ],
      "submit",
    );
    const [a, b, c] = assigned(f, await f.job(1)) as [TestWorker, TestWorker, TestWorker];
    const good = (w: TestWorker) => resultOf("the right answer", w, 1);
    const wrong = resultOf("a wrong answer", c, 1);
    await f.sendMany([
      [a.key, commitMsg(a, 1, 0, good(a))],
      [b.key, commitMsg(b, 1, 0, good(b))],
      [c.key, commitMsg(c, 1, 0, wrong)],
    ]);
    const { events } = await f.sendMany([
      [a.key, revealMsg(1, good(a))],
      [b.key, revealMsg(1, good(b))],
      [c.key, revealMsg(1, wrong)],
    ]);
    const job = await f.job(1);
    expect(job.state).toBe("settled");
    expect(job.assignments.map((x) => x.state)).toEqual(["agreed", "agreed", "minority"]);
    expect(job.paid_workers).toBe("200");
    expect(job.refunded).toBe("100");
    // slash_minority_bps 500 of a 1,000,000 stake
    expect(await workerView(f, c)).toMatchObject({
      stake: String(STAKE - 50_000n),
      active_jobs: 0,
      reputation: { jobs_minority: 1, slashes: 1, jobs_agreed: 0 },
    });
    expect(await auditPool(f)).toBe(50_000n);
    expect(eventsOf(events, "slash_worker")).toEqual([
      expect.objectContaining({ worker: c.key.bech32, reason: "minority", amount: "50000" }),
    ]);
    expect(await f.balance(f.owner)).toBe(owner0 - 200n);
    expect(await f.totalValue()).toBe(total0);
  });

  it("slashes a worker that misses its commit window; the job still settles on the others", async () => {
    f = await startComputeFixture({ workers: [{}, {}, {}], compute: { commit_window_blocks: 5 } });
    const model = await registerPricedModel(f, 10n);
    const total0 = await f.totalValue();
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow: 400n }),
        ),
      ],
      "submit",
    );
    const job0 = await f.job(1);
    const [a, b, stopped] = assigned(f, job0) as [TestWorker, TestWorker, TestWorker];
    const r = (w: TestWorker) => resultOf("output", w, 1);
    await f.sendMany([
      [a.key, commitMsg(a, 1, 0, r(a))],
      [b.key, commitMsg(b, 1, 0, r(b))],
    ]);
    expect((await f.job(1)).state).toBe("commit");
    await f.advanceTo(job0.commit_end_height as number);
    // The window closed at the end of commit_end: a late commit is refused.
    const late = await f.send(stopped.key, commitMsg(stopped, 1, 0, r(stopped)));
    expect(codeName(late)).toBe("COMPUTE_COMMIT_WINDOW_CLOSED");
    expect((await f.job(1)).state).toBe("reveal");
    await f.sendMany([
      [a.key, revealMsg(1, r(a))],
      [b.key, revealMsg(1, r(b))],
    ]);
    const job = await f.job(1);
    // Both committed workers revealed: settled at once, without waiting for reveal_end.
    expect(job.state).toBe("settled");
    expect(job.assignments.map((x) => x.state)).toEqual(["agreed", "agreed", "missed"]);
    expect(job.paid_workers).toBe("200");
    expect(job.paid_model_fee).toBe("10");
    expect(job.refunded).toBe("190");
    expect(await workerView(f, stopped)).toMatchObject({
      stake: String(STAKE - 10_000n),
      active_jobs: 0,
      reputation: { jobs_missed: 1, slashes: 1 },
    });
    expect(await f.totalValue()).toBe(total0);
  });

  it("re-runs a round without quorum on a fresh, larger set of workers", async () => {
    f = await startComputeFixture({
      workers: [{}, {}, {}, {}, {}],
      compute: { rerun_extra_replicas: 1, max_reruns: 1 },
    });
    const model = await registerPricedModel(f, 0n);
    const total0 = await f.totalValue();
    // The escrow covers the re-run: (2 + 1) x 100.
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 2, maxPrice: 100n, escrow: 300n }),
        ),
      ],
      "submit",
    );
    const first = assigned(f, await f.job(1));
    const answers = first.map((w, i) => resultOf(`answer ${i}`, w, 1));
    await f.sendMany(first.map((w, i) => [w.key, commitMsg(w, 1, 0, answers[i]!)]));
    const { events } = await f.sendMany(first.map((w, i) => [w.key, revealMsg(1, answers[i]!)]));
    let job = await f.job(1);
    expect(eventsOf(events, "rerun_job")).toEqual([
      expect.objectContaining({ job_id: "1", round: "1", replicas: "3" }),
    ]);
    // Re-assigned in the same block end to the three workers that never saw the job.
    expect(job.state).toBe("commit");
    expect(job.round).toBe(1);
    expect(job.past_workers.sort()).toEqual(first.map((w) => w.key.bech32).sort());
    const second = assigned(f, job);
    expect(second).toHaveLength(3);
    expect(second.some((w) => first.includes(w))).toBe(false);
    // Disagreeing revealers are neither paid nor slashed.
    for (const w of first)
      expect(await workerView(f, w)).toMatchObject({ stake: String(STAKE), active_jobs: 0 });

    const agreed = (w: TestWorker) => resultOf("agreed answer", w, 1);
    await f.sendMany(second.map((w) => [w.key, commitMsg(w, 1, 1, agreed(w))]));
    await f.sendMany(second.map((w) => [w.key, revealMsg(1, agreed(w))]));
    job = await f.job(1);
    expect(job.state).toBe("settled");
    expect(job.paid_workers).toBe("300");
    expect(job.refunded).toBe("0");
    expect(await f.totalValue()).toBe(total0);
  });

  it("fails a job without quorum when no re-run is left, refunds it and slashes the missing", async () => {
    f = await startComputeFixture({
      workers: [{}, {}, {}],
      compute: { max_reruns: 0, commit_window_blocks: 3, reveal_window_blocks: 3 },
    });
    const model = await registerPricedModel(f, 7n);
    const total0 = await f.totalValue();
    const owner0 = await f.balance(f.owner);
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow: 307n }),
        ),
      ],
      "submit",
    );
    const job0 = await f.job(1);
    const [a, b, c] = assigned(f, job0) as [TestWorker, TestWorker, TestWorker];
    const ra = resultOf("one", a, 1);
    const rb = resultOf("two", b, 1);
    await f.sendMany([
      [a.key, commitMsg(a, 1, 0, ra)],
      [b.key, commitMsg(b, 1, 0, rb)],
      [c.key, commitMsg(c, 1, 0, resultOf("three", c, 1))],
    ]);
    // c committed but never reveals: the round ends at reveal_end without quorum.
    await f.sendMany([
      [a.key, revealMsg(1, ra)],
      [b.key, revealMsg(1, rb)],
    ]);
    expect((await f.job(1)).state).toBe("reveal");
    const revealEnd = (await f.job(1)).reveal_end_height as number;
    const events = await f.advanceTo(revealEnd);
    const job = await f.job(1);
    expect(job.state).toBe("failed");
    expect(job.failure).toBe("no_quorum");
    expect(job.refunded).toBe("307");
    expect(job.assignments.map((x) => x.state)).toEqual(["revealed", "revealed", "missed"]);
    expect(eventsOf(events, "slash_worker").map((e) => e.worker)).toEqual([c.key.bech32]);
    expect(await f.balance(f.owner)).toBe(owner0);
    expect(await f.totalValue()).toBe(total0);
  });

  it("jails a worker after compute.max_faults consecutive faults", async () => {
    f = await startComputeFixture({
      // Above the minimum: a slashed worker below compute.min_worker_stake would get no jobs anyway.
      workers: [{ stake: 2_000_000n }],
      compute: { max_faults: 2, commit_window_blocks: 2, reveal_window_blocks: 2, max_reruns: 0 },
    });
    const model = await registerPricedModel(f, 0n);
    const w = f.workers[0] as TestWorker;
    for (const id of [1, 2]) {
      expectAllOk(
        [
          await f.send(
            f.owner,
            submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n }),
          ),
        ],
        "submit",
      );
      const job = await f.job(id);
      expect(job.assignments.map((a) => a.worker)).toEqual([w.key.bech32]);
      await f.advanceTo(job.commit_end_height as number);
      expect((await f.job(id)).failure).toBe("no_quorum");
    }
    const view = await workerView(f, w);
    expect(view.status).toBe("jailed");
    expect(view.reputation.jobs_missed).toBe(2);
    // A jailed worker gets no jobs: the next one waits.
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n }),
        ),
      ],
      "submit",
    );
    expect((await f.job(3)).state).toBe("pending");
  });
});
