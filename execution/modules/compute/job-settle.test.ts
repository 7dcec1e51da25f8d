// Jobs end to end on a real chain: dev-attested workers, a priced model with a parent and a data
// license, submit -> assign -> commit -> reveal -> settle, with every balance change checked.
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../../crypto/hash.js";
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

async function balances(fx: ComputeFixture, who: { address: Uint8Array }[]): Promise<bigint[]> {
  return Promise.all(who.map((a) => fx.balance(a.address)));
}

async function stakeOf(fx: ComputeFixture, w: TestWorker): Promise<bigint> {
  return BigInt((await fx.query<{ stake: string }>(`worker/${w.key.bech32}`)).stake);
}

function assigned(fx: ComputeFixture, job: JobView): TestWorker[] {
  return job.assignments.map((a) => fx.workerOf(a.worker));
}

describe("a job with replication 3", () => {
  it("is assigned, committed, revealed and settled: workers, royalties and the refund paid exactly", async () => {
    f = await startComputeFixture({ workers: [{ price: 90n }, { price: 95n }, { price: 100n }] });
    const model = await registerPricedModel(f, 1003n);
    const total0 = await f.totalValue();
    const payees = [f.owner, f.dataOwner, f.parentOwner, f.modelOwner, ...f.workers.map((w) => w.key)];
    const before = await balances(f, payees);

    const escrow = 3n * 100n + 1003n + 500n;
    const submitted = await f.send(
      f.owner,
      submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow }),
    );
    expectAllOk([submitted], "submit");
    let job = await f.job(1);
    // Assigned in the block end of the submission block, one replica per operator.
    expect(job.state).toBe("commit");
    expect(job.escrow).toBe(escrow.toString());
    expect(job.model_fee).toBe("1003");
    expect(new Set(job.assignments.map((a) => a.operator)).size).toBe(3);
    expect(job.assignments.every((a) => a.state === "assigned" && a.trusted === false)).toBe(true);
    expect(job.commit_end_height).toBe(f.chain.height + 10);

    const output = new TextEncoder().encode("canonical output tensors");
    const workers = assigned(f, job);
    const results = workers.map((w) => resultOf(output, w, 1));
    const commits = await f.sendMany(workers.map((w, i) => [w.key, commitMsg(w, 1, 0, results[i]!)]));
    expectAllOk(commits.results, "commits");
    job = await f.job(1);
    // Everyone committed: the reveal window opens at the next block instead of after commit_end.
    expect(job.state).toBe("reveal");
    expect(job.reveal_end_height).toBe(f.chain.height + 10);

    const reveals = await f.sendMany(workers.map((w, i) => [w.key, revealMsg(1, results[i]!)]));
    expectAllOk(reveals.results, "reveals");
    job = await f.job(1);
    expect(job.state).toBe("settled");
    expect(job.result_hash).toBe(`0x${toHex(results[0]!.resultHash)}`);
    expect(job.result_output).toBe(`0x${toHex(output)}`);
    expect(job.assignments.map((a) => a.state)).toEqual(["agreed", "agreed", "agreed"]);
    expect(job.paid_workers).toBe("285");
    expect(job.paid_model_fee).toBe("1003");
    expect(job.refunded).toBe((escrow - 285n - 1003n).toString());
    expect(job.escrow).toBe("0");

    // fee 1003: dataset owner floor(1003 x 10%) = 100, parent floor(1003 x 20%) = 200, owner 703
    const after = await balances(f, payees);
    const delta = after.map((b, i) => b - before[i]!);
    const prices = workers.map((w) => w.spec.price ?? 0n);
    const byWorker = f.workers.map((w) => prices[workers.indexOf(w)] ?? 0n);
    expect(delta).toEqual([-(285n + 1003n), 100n, 200n, 703n, ...byWorker]);
    expect(await f.totalValue()).toBe(total0);

    expect(eventsOf(reveals.events, "royalty_payment").map((e) => [e.reason, e.amount])).toEqual([
      ["dataset", "100"],
      ["parent", "200"],
      ["owner", "703"],
    ]);
    expect(eventsOf(reveals.events, "pay_worker")).toHaveLength(3);
    for (const w of f.workers) {
      const view = await f.query<{ active_jobs: number; reputation: { jobs_agreed: number } }>(
        `worker/${w.key.bech32}`,
      );
      expect(view.active_jobs).toBe(0);
      expect(view.reputation.jobs_agreed).toBe(1);
      expect(await stakeOf(f, w)).toBe(STAKE);
    }
  });
});
