// Sampled audits of single-replica jobs on a real chain: paid from the audit pool (slashed stake),
// never given to the audited worker's operator; a mismatch slashes the original worker, a match
// counts a passed audit; the audit's unspent escrow returns to the pool.
import { afterEach, describe, expect, it } from "vitest";
import { codeName } from "../data/data-fixture.js";
import { auditSampled } from "./audits.js";
import {
  type ComputeFixture,
  cancelMsg,
  commitMsg,
  eventsOf,
  expectAllOk,
  registerPricedModel,
  resultOf,
  revealMsg,
  startComputeFixture,
  submitMsg,
} from "./compute-fixture.js";

let f: ComputeFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const STAKE = 2_000_000n;
const auditPool = async (fx: ComputeFixture) =>
  BigInt((await fx.query<{ audit_pool: string }>("audit_pool")).audit_pool);

/** Commits then reveals `output` for the single worker of `jobId`; returns the reveal block's events. */
async function answer(fx: ComputeFixture, jobId: number, output: string) {
  const job = await fx.job(jobId);
  const w = fx.workerOf(job.assignments[0]?.worker ?? "");
  const r = resultOf(output, w, jobId);
  expectAllOk([await fx.send(w.key, commitMsg(w, jobId, job.round, r))], "commit");
  const reveal = await fx.sendMany([[w.key, revealMsg(jobId, r)]]);
  expectAllOk(reveal.results, "reveal");
  return { worker: w, events: reveal.events };
}

describe("audits", () => {
  it("the draw is a fixed function of the block hash and job id, near audit_bps on average", () => {
    const hash = new Uint8Array(32).fill(9);
    expect(auditSampled(hash, 1, 10_000)).toBe(true);
    expect(auditSampled(hash, 1, 0)).toBe(false);
    let hits = 0;
    for (let id = 1; id <= 2000; id++) if (auditSampled(hash, id, 1000)) hits++;
    // 10% of 2000 = 200; a fair draw stays well within 140..260
    expect(hits).toBeGreaterThan(140);
    expect(hits).toBeLessThan(260);
    expect(auditSampled(hash, 7, 1000)).toBe(auditSampled(new Uint8Array(32).fill(9), 7, 1000));
  });

  it("re-runs sampled single-replica jobs from the pool: a mismatch slashes, a match counts", async () => {
    f = await startComputeFixture({
      workers: [
        { stake: STAKE, price: 60n },
        { stake: STAKE, price: 60n },
        { stake: STAKE, price: 60n },
      ],
      compute: { audit_bps: 10_000, commit_window_blocks: 2, reveal_window_blocks: 2, max_reruns: 0 },
    });
    const model = await registerPricedModel(f, 0n);
    const submit = () =>
      f!.send(f!.owner, submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n }));

    // Job 1 fills the pool: its worker misses and loses 1% of its stake. No audit: it never settled.
    expectAllOk([await submit()], "submit 1");
    await f.advanceTo((await f.job(1)).commit_end_height as number);
    expect((await f.job(1)).state).toBe("failed");
    expect(await auditPool(f)).toBe(20_000n);
    const total0 = await f.totalValue();
    const owner0 = await f.balance(f.owner);

    // Job 2: its worker returns a wrong result; it settles (one replica is its own quorum) and is audited.
    expectAllOk([await submit()], "submit 2");
    const cheat = await answer(f, 2, "a wrong result");
    expect((await f.job(2)).state).toBe("settled");
    const started = eventsOf(cheat.events, "audit_job");
    expect(started).toEqual([
      expect.objectContaining({
        job_id: "3",
        audit_of: "2",
        audited_worker: cheat.worker.key.bech32,
        escrow: "100",
      }),
    ]);
    expect(await auditPool(f)).toBe(20_000n - 100n);
    const audit = await f.job(3);
    expect(audit).toMatchObject({ audit_of: 2, replication: 1, model_fee: "0", state: "commit" });
    expect(audit.past_workers).toEqual([cheat.worker.key.bech32]);
    const auditor = f.workerOf(audit.assignments[0]?.worker ?? "");
    expect(auditor.operator.bech32).not.toBe(cheat.worker.operator.bech32);

    const cheatStake = BigInt((await f.query<{ stake: string }>(`worker/${cheat.worker.key.bech32}`)).stake);
    const judged = await answer(f, 3, "the right result");
    expect(eventsOf(judged.events, "finish_audit")).toEqual([
      expect.objectContaining({ audit_of: "2", outcome: "mismatch", slashed: String(cheatStake / 10n) }),
    ]);
    const cheatView = await f.query<{ stake: string; reputation: { audits_failed: number } }>(
      `worker/${cheat.worker.key.bech32}`,
    );
    expect(BigInt(cheatView.stake)).toBe(cheatStake - cheatStake / 10n);
    expect(cheatView.reputation.audits_failed).toBe(1);
    // The auditor was paid its 60 from the audit's 100; 40 went back, the slash came in.
    expect(await f.job(3)).toMatchObject({ state: "settled", paid_workers: "60", refunded: "40" });
    expect(await auditPool(f)).toBe(20_000n - 100n + 40n + cheatStake / 10n);
    // The audit cost the owner nothing: it paid job 2 only.
    expect(await f.balance(f.owner)).toBe(owner0 - 60n);

    // Job 4 is answered honestly: its audit matches.
    expectAllOk([await submit()], "submit 4");
    const honest = await answer(f, 4, "the right result");
    expect(eventsOf(honest.events, "audit_job")).toHaveLength(1);
    const matched = await answer(f, 5, "the right result");
    expect(eventsOf(matched.events, "finish_audit")).toEqual([
      expect.objectContaining({ audit_of: "4", outcome: "match", slashed: "0" }),
    ]);
    const honestView = await f.query<{ reputation: { audits_passed: number } }>(
      `worker/${honest.worker.key.bech32}`,
    );
    expect(honestView.reputation.audits_passed).toBe(1);
    expect(await f.totalValue()).toBe(total0);
  });

  it("starts no audit when the pool cannot pay max_price", async () => {
    f = await startComputeFixture({ workers: [{}, {}], compute: { audit_bps: 10_000 } });
    const model = await registerPricedModel(f, 0n);
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n }),
        ),
      ],
      "submit",
    );
    const { events } = await answer(f, 1, "result");
    expect(eventsOf(events, "audit_job")).toEqual([]);
    expect(eventsOf(events, "skip_audit")).toEqual([
      expect.objectContaining({ job_id: "1", needed: "100", audit_pool: "0" }),
    ]);
    expect(await f.queryCode("job/2")).toBe("COMPUTE_JOB_NOT_FOUND");
  });

  it("an audit nobody may take waits, cannot be cancelled by the owner, and returns its escrow to the pool", async () => {
    f = await startComputeFixture({
      // One operator only: the audit of its worker's job has nobody to run it.
      workers: [
        { operator: 0, stake: STAKE },
        { operator: 0, stake: STAKE },
      ],
      compute: { audit_bps: 10_000, commit_window_blocks: 2, max_reruns: 0, max_job_blocks: 5 },
    });
    const model = await registerPricedModel(f, 0n);
    const submit = () =>
      f!.send(
        f!.owner,
        submitMsg({
          modelId: model.modelId,
          replication: 1,
          maxPrice: 100n,
          escrow: 100n,
          deadlineBlocks: 5,
        }),
      );
    expectAllOk([await submit()], "submit 1");
    await f.advanceTo((await f.job(1)).commit_end_height as number);
    expect(await auditPool(f)).toBe(20_000n);
    expectAllOk([await submit()], "submit 2");
    await answer(f, 2, "result");
    expect(await f.job(3)).toMatchObject({ audit_of: 2, state: "pending" });
    expect(codeName(await f.send(f.owner, cancelMsg(3)))).toBe("COMPUTE_NOT_JOB_OWNER");
    const owner = await f.balance(f.owner);
    const events = await f.advanceTo((await f.job(3)).deadline_height);
    expect(await f.job(3)).toMatchObject({ state: "failed", failure: "deadline", refunded: "100" });
    expect(eventsOf(events, "refund_job")).toEqual([
      expect.objectContaining({ job_id: "3", to: "audit_pool", amount: "100" }),
    ]);
    expect(await auditPool(f)).toBe(20_000n);
    expect(await f.balance(f.owner)).toBe(owner);
  });
});
