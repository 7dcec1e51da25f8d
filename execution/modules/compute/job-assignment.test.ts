// Assignment: the pure draw (deterministic, stake-weighted, one replica per operator, trusted
// first), then on a real chain: trusted (nvidia-cc) workers before dev ones, capabilities and
// capacity respected, a job waiting for enough operators, deadlines and cancellation.
import { afterEach, describe, expect, it } from "vitest";
import { type Msg, Worker } from "../../../proto/index.js";
import type { TestAccount } from "../../test-helpers.js";
import { codeName } from "../data/data-fixture.js";
import { pickWorkers } from "./assignment.js";
import {
  type ComputeFixture,
  cancelMsg,
  eventsOf,
  expectAllOk,
  registerPricedModel,
  startComputeFixture,
  submitMsg,
} from "./compute-fixture.js";
import type { AssignableWorker } from "./worker-eligibility.js";

let f: ComputeFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

function candidate(n: number, operator: number, stake: bigint, trusted = false): AssignableWorker {
  return {
    worker: Worker.create({
      address: new Uint8Array(20).fill(n),
      operator: new Uint8Array(20).fill(100 + operator),
    }),
    stake,
    trusted,
    freeSlots: 1,
  };
}

const hash = new Uint8Array(32).fill(3);
const ids = (picks: AssignableWorker[] | undefined) => (picks ?? []).map((p) => p.worker.address[0]);

describe("pickWorkers (the draw)", () => {
  const pool = [candidate(1, 1, 10n), candidate(2, 2, 20n), candidate(3, 3, 30n), candidate(4, 4, 40n)];

  it("gives the same workers for the same block hash, job and round, and others for another seed", () => {
    const a = pickWorkers({ lastBlockHash: hash, jobId: 5, round: 0, count: 2, candidates: pool });
    const b = pickWorkers({
      lastBlockHash: new Uint8Array(32).fill(3),
      jobId: 5,
      round: 0,
      count: 2,
      candidates: pool,
    });
    expect(ids(a)).toEqual(ids(b));
    const seen = new Set<string>();
    for (let job = 1; job <= 30; job++)
      seen.add(
        ids(pickWorkers({ lastBlockHash: hash, jobId: job, round: 0, count: 2, candidates: pool })).join(),
      );
    expect(seen.size).toBeGreaterThan(4);
  });

  it("weights the draw by stake", () => {
    const counts = new Map<number, number>();
    for (let job = 1; job <= 4000; job++) {
      const [pick] = ids(
        pickWorkers({ lastBlockHash: hash, jobId: job, round: 0, count: 1, candidates: pool }),
      );
      counts.set(pick as number, (counts.get(pick as number) ?? 0) + 1);
    }
    // Expected shares 10%, 20%, 30%, 40% of 4000 draws.
    expect(counts.get(1)).toBeGreaterThan(300);
    expect(counts.get(1)).toBeLessThan(500);
    expect(counts.get(4)).toBeGreaterThan(1450);
    expect(counts.get(4)).toBeLessThan(1750);
  });

  it("never gives two replicas to one operator, and refuses when too few operators qualify", () => {
    const shared = [candidate(1, 1, 50n), candidate(2, 1, 50n), candidate(3, 2, 50n), candidate(4, 2, 50n)];
    for (let job = 1; job <= 50; job++) {
      const picks = pickWorkers({ lastBlockHash: hash, jobId: job, round: 0, count: 2, candidates: shared });
      expect(new Set(picks?.map((p) => p.worker.operator[0])).size).toBe(2);
    }
    expect(
      pickWorkers({ lastBlockHash: hash, jobId: 1, round: 0, count: 3, candidates: shared }),
    ).toBeUndefined();
  });

  it("draws trusted workers first and dev workers only for what is left, whatever the stakes", () => {
    const mixed = [
      candidate(1, 1, 1n, true),
      candidate(2, 2, 1_000_000n),
      candidate(3, 3, 1n, true),
      candidate(4, 4, 1_000_000n),
      // a dev worker of a trusted worker's operator cannot fill in for that operator
      candidate(5, 1, 1_000_000n),
    ];
    for (let job = 1; job <= 20; job++) {
      const two = pickWorkers({ lastBlockHash: hash, jobId: job, round: 0, count: 2, candidates: mixed });
      expect(ids(two).sort()).toEqual([1, 3]);
      const three = pickWorkers({ lastBlockHash: hash, jobId: job, round: 0, count: 3, candidates: mixed });
      expect(ids(three).slice(0, 2).sort()).toEqual([1, 3]);
      expect([2, 4]).toContain(ids(three)[2]);
    }
  });
});

describe("assignment on chain", () => {
  it("assigns trusted (nvidia-cc) workers before dev workers and marks them in the job", async () => {
    f = await startComputeFixture({
      workers: [{ trusted: true }, {}, { trusted: true }, {}],
    });
    const model = await registerPricedModel(f, 0n);
    const trusted = new Set([f.workers[0]?.key.bech32, f.workers[2]?.key.bech32]);
    const { results } = await f.sendMany([
      [f.owner, submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n })],
      [f.owner, submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n })],
      [f.owner, submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow: 300n })],
    ]);
    expectAllOk(results, "submit");
    for (const id of [1, 2]) {
      const job = await f.job(id);
      expect(job.assignments).toHaveLength(1);
      expect(trusted.has(job.assignments[0]?.worker)).toBe(true);
      expect(job.assignments[0]?.trusted).toBe(true);
    }
    const three = await f.job(3);
    expect(three.assignments.map((a) => a.trusted)).toEqual([true, true, false]);
    expect(three.assignments.filter((a) => trusted.has(a.worker))).toHaveLength(2);
  });

  it("matches runtime, memory, price and free slots; waits for enough operators; fails at the deadline", async () => {
    f = await startComputeFixture({
      workers: [
        { operator: 0, gpuMemoryMib: 16_000, maxConcurrentJobs: 1 },
        { operator: 0, gpuMemoryMib: 80_000, price: 500n },
        { operator: 1, runtimes: ["gguf"] },
        { operator: 2, gpuMemoryMib: 80_000 },
      ],
    });
    const model = await registerPricedModel(f, 0n);
    const owner0 = await f.balance(f.owner);
    const w = f.workers.map((x) => x.key.bech32);
    // 40 GB at <= 100: only worker 3 (worker 1 asks 500, worker 0 has 16 GB, worker 2 lacks onnx).
    // Two replicas need two operators: the job waits.
    const { results, events } = await f.sendMany([
      [
        f.owner,
        submitMsg({
          modelId: model.modelId,
          replication: 2,
          maxPrice: 100n,
          escrow: 200n,
          minGpuMemoryMib: 40_000,
          deadlineBlocks: 3,
        }),
      ],
      [
        f.owner,
        submitMsg({
          modelId: model.modelId,
          replication: 1,
          maxPrice: 100n,
          escrow: 100n,
          minGpuMemoryMib: 40_000,
        }),
      ],
      [f.owner, submitMsg({ modelId: model.modelId, replication: 2, maxPrice: 100n, escrow: 200n })],
      [f.owner, submitMsg({ modelId: model.modelId, replication: 2, maxPrice: 100n, escrow: 200n })],
    ]);
    expectAllOk(results, "submit");
    expect((await f.job(1)).state).toBe("pending");
    expect((await f.job(2)).assignments.map((a) => a.worker)).toEqual([w[3]]);
    // Job 3 takes worker 0's only slot and worker 3; job 4 finds only worker 3 (operator 2) free
    // among onnx workers at <= 100 with a slot: it waits.
    expect((await f.job(3)).assignments.map((a) => a.worker).sort()).toEqual([w[0], w[3]].sort());
    expect((await f.job(4)).state).toBe("pending");
    expect(eventsOf(events, "assign_job").map((e) => e.job_id)).toEqual(["2", "3"]);

    // Job 1's deadline is its submission height + 2: then it fails and is refunded.
    const failed = await f.advanceTo((await f.job(1)).deadline_height);
    expect(await f.job(1)).toMatchObject({
      state: "failed",
      failure: "deadline",
      refunded: "200",
      escrow: "0",
    });
    expect(eventsOf(failed, "fail_job").map((e) => e.job_id)).toEqual(["1"]);

    // Cancel: only the owner, only while pending; the escrow comes back in full.
    expect(codeName(await f.send(f.dataOwner, cancelMsg(4)))).toBe("COMPUTE_NOT_JOB_OWNER");
    expect(codeName(await f.send(f.owner, cancelMsg(3)))).toBe("COMPUTE_JOB_NOT_PENDING");
    expect(codeName(await f.send(f.owner, cancelMsg(99)))).toBe("COMPUTE_JOB_NOT_FOUND");
    expectAllOk([await f.send(f.owner, cancelMsg(4))], "cancel");
    expect(await f.job(4)).toMatchObject({ state: "cancelled", refunded: "200", escrow: "0" });
    expect(codeName(await f.send(f.owner, cancelMsg(4)))).toBe("COMPUTE_JOB_NOT_PENDING");
    // Jobs 2 and 3 hold 300 in escrow; jobs 1 and 4 were refunded.
    expect(await f.balance(f.owner)).toBe(owner0 - 300n);
  });

  it("bounds the rounds assigned per block; the rest wait in order", async () => {
    f = await startComputeFixture({
      workers: [{ maxConcurrentJobs: 10 }],
      compute: { max_assignments_per_block: 2 },
    });
    const model = await registerPricedModel(f, 0n);
    const fx = f;
    const submits = Array.from({ length: 5 }, (): [TestAccount, Msg] => [
      fx.owner,
      submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n }),
    ]);
    expectAllOk((await f.sendMany(submits)).results, "submit");
    const states = async () => Promise.all([1, 2, 3, 4, 5].map(async (id) => (await fx.job(id)).state));
    expect(await states()).toEqual(["commit", "commit", "pending", "pending", "pending"]);
    await f.advanceTo(f.chain.height + 1);
    expect(await states()).toEqual(["commit", "commit", "commit", "commit", "pending"]);
    await f.advanceTo(f.chain.height + 1);
    expect(await states()).toEqual(["commit", "commit", "commit", "commit", "commit"]);
  });
});
