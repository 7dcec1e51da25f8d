// The job queries (job/, jobs/ with filters, audit_pool) on a real chain, and the pieces they and
// the block end stand on: the pending FIFO and the canonical params check.
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionError } from "../../errors.js";
import { type StateKey, StateLayer } from "../../store.js";
import {
  type ComputeFixture,
  commitMsg,
  expectAllOk,
  registerPricedModel,
  resultOf,
  revealMsg,
  startComputeFixture,
  submitMsg,
} from "./compute-fixture.js";
import { JobFifo } from "./job-queues.js";
import { checkJobParams } from "./job-validate.js";
import type { JobView } from "./job-views.js";

let f: ComputeFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

interface JobsPage {
  jobs: JobView[];
  next_cursor: number | null;
}

describe("job queries", () => {
  it("job/<id> and jobs/ filtered by state, owner and worker", async () => {
    f = await startComputeFixture({ workers: [{}, {}] });
    const model = await registerPricedModel(f, 0n);
    const other = f.dataOwner;
    const { results } = await f.sendMany([
      [f.owner, submitMsg({ modelId: model.modelId, replication: 1, maxPrice: 100n, escrow: 100n })],
      [other, submitMsg({ modelId: model.modelId, replication: 2, maxPrice: 100n, escrow: 200n })],
      [f.owner, submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow: 300n })],
    ]);
    expectAllOk(results, "submit");
    const one = await f.job(1);
    const w = f.workerOf(one.assignments[0]?.worker ?? "");
    const r = resultOf("out", w, 1);
    await f.send(w.key, commitMsg(w, 1, 0, r));
    await f.send(w.key, revealMsg(1, r));

    const settled = await f.job(1);
    expect(settled).toMatchObject({
      id: 1,
      owner: f.owner.bech32,
      model_id: model.modelId,
      state: "settled",
      replication: 1,
      max_price: "100",
      audit_of: null,
      failure: null,
      result_uri: null,
      input_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });
    expect(settled.assignments[0]).toMatchObject({
      worker: w.key.bech32,
      operator: w.operator.bech32,
      state: "agreed",
      trusted: false,
      result_hash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
    });

    const ids = async (path: string) => (await f!.query<JobsPage>(path)).jobs.map((j) => j.id);
    expect(await ids("jobs/")).toEqual([1, 2, 3]);
    expect(await ids("jobs/state=settled")).toEqual([1]);
    expect(await ids("jobs/state=commit")).toEqual([2]);
    expect(await ids("jobs/state=pending")).toEqual([3]);
    expect(await ids(`jobs/owner=${f.owner.bech32}`)).toEqual([1, 3]);
    expect(await ids(`jobs/owner=${f.owner.bech32}&state=pending`)).toEqual([3]);
    expect(await ids(`jobs/worker=${w.key.bech32}`)).toEqual([1, 2]);
    const page = await f.query<JobsPage>("jobs/limit=2");
    expect(page.jobs.map((j) => j.id)).toEqual([1, 2]);
    expect(await ids(`jobs/cursor=${page.next_cursor}`)).toEqual([3]);
    expect(await f.query("audit_pool")).toEqual({ audit_pool: "0" });

    expect(await f.queryCode("job/4")).toBe("COMPUTE_JOB_NOT_FOUND");
    expect(await f.queryCode("job/0")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("job/x")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("jobs/state=done")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("jobs/owner=kyo1nope")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryCode("jobs/color=red")).toBe("QUERY_INVALID_ARGUMENT");
  });
});

class Memory extends StateLayer {
  reads = 0;
  protected readParent(_key: StateKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(undefined);
  }
  override get(key: StateKey): Promise<Uint8Array | undefined> {
    this.reads++;
    return super.get(key);
  }
}

describe("JobFifo", () => {
  it("keeps order, skips removed ids, and moves its head past the holes at the front for good", async () => {
    const s = new Memory();
    const q = new JobFifo(Uint8Array.of(0x0a, 0x7f));
    for (const id of [5, 6, 7, 8, 9]) await q.push(s, id);
    await q.push(s, 6);
    expect(await q.front(s, 10, 100)).toEqual([5, 6, 7, 8, 9]);
    await q.remove(s, 5);
    await q.remove(s, 6);
    await q.remove(s, 8);
    expect(await q.front(s, 10, 100)).toEqual([7, 9]);
    expect(await q.front(s, 1, 100)).toEqual([7]);
    // The two holes in front were passed once: a later scan starts at 7.
    s.reads = 0;
    expect(await q.front(s, 1, 100)).toEqual([7]);
    expect(s.reads).toBe(3);
    // A re-queued id goes to the back.
    await q.remove(s, 7);
    await q.push(s, 7);
    expect(await q.front(s, 10, 100)).toEqual([9, 7]);
    expect(await q.front(s, 10, 1)).toEqual([9]);
    await q.remove(s, 9);
    await q.remove(s, 7);
    expect(await q.front(s, 10, 100)).toEqual([]);
    expect(await q.isEmpty(s)).toBe(true);
  });
});

describe("checkJobParams", () => {
  const code = (text: string, max = 4096) => {
    try {
      checkJobParams(text, max);
      return "OK";
    } catch (err) {
      return err instanceof ExecutionError ? err.code : String(err);
    }
  };

  it("accepts empty params and canonical JSON objects only", () => {
    for (const ok of ["", "{}", '{"a":1,"b":{"c":[true,null,"x"]}}', '{"A":1,"a":2}', '{"t":0.5}'])
      expect(code(ok)).toBe("OK");
    for (const bad of [
      '{"b":1,"a":2}',
      '{ "a":1}',
      '{"a":1.0}',
      '{"a":1e3}',
      '{"a":1,"a":2}',
      "[1,2]",
      '"text"',
      "{",
      `{"a":${"[".repeat(40)}${"]".repeat(40)}}`,
    ])
      expect(code(bad)).toBe("COMPUTE_INVALID_JOB");
    expect(code('{"a":"xxxx"}', 11)).toBe("COMPUTE_INVALID_JOB");
    expect(code('{"a":"xxxx"}', 12)).toBe("OK");
  });
});
