// Bad input, through real txs: each refusal carries its own code and changes nothing (the job,
// the owner's balance and the job list stay as they were).
import { afterEach, describe, expect, it } from "vitest";
import { sha256 } from "../../../crypto/hash.js";
import { Msg, MsgDeprecateModel } from "../../../proto/index.js";
import { newAccount, type TestAccount } from "../../test-helpers.js";
import { codeName } from "../data/data-fixture.js";
import {
  type ComputeFixture,
  commitMsg,
  expectAllOk,
  registerPricedModel,
  resultOf,
  revealMsg,
  type SubmitOptions,
  startComputeFixture,
  submitMsg,
  type TestWorker,
} from "./compute-fixture.js";

let f: ComputeFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** Sends `msg` from `from`, expects `code`, and checks that the job and the job list did not move. */
async function refused(
  fx: ComputeFixture,
  from: TestAccount,
  msg: Msg,
  code: string,
  jobId = 1,
): Promise<void> {
  const job = (await fx.queryCode(`job/${jobId}`)) === "OK" ? await fx.job(jobId) : undefined;
  const list = await fx.query<unknown>("jobs/");
  const owner = await fx.balance(fx.owner);
  const result = await fx.send(from, msg);
  expect(`${codeName(result)} ${result.log}`).toMatch(new RegExp(`^${code} `));
  if (job) expect(await fx.job(jobId)).toEqual(job);
  expect(await fx.query<unknown>("jobs/")).toEqual(list);
  expect(await fx.balance(fx.owner)).toBe(owner);
}

describe("refused submissions", () => {
  it("unknown or deprecated model, escrow below the price, bad fields, no funds", async () => {
    f = await startComputeFixture({
      workers: [{}],
      compute: { max_replication: 3, max_job_blocks: 50, max_params_bytes: 64 },
    });
    const model = await registerPricedModel(f, 50n);
    const ok: SubmitOptions = {
      modelId: model.modelId,
      replication: 2,
      maxPrice: 100n,
      escrow: 250n,
      deadlineBlocks: 50,
    };
    const o = f.owner;
    await refused(f, o, submitMsg({ ...ok, modelId: 99 }), "MODEL_NOT_FOUND");
    // 2 x 100 + the model's fee 50 = 250
    await refused(f, o, submitMsg({ ...ok, escrow: 249n }), "COMPUTE_ESCROW_TOO_LOW");
    await refused(f, o, submitMsg({ ...ok, escrow: 10n ** 12n }), "INSUFFICIENT_FUNDS");
    await refused(f, o, submitMsg({ ...ok, replication: 0 }), "COMPUTE_INVALID_JOB");
    await refused(f, o, submitMsg({ ...ok, replication: 4, escrow: 450n }), "COMPUTE_INVALID_JOB");
    await refused(f, o, submitMsg({ ...ok, deadlineBlocks: 51 }), "COMPUTE_INVALID_JOB");
    await refused(f, o, submitMsg({ ...ok, params: '{"b":1,"a":2}' }), "COMPUTE_INVALID_JOB");
    await refused(f, o, submitMsg({ ...ok, params: `{"a":"${"x".repeat(60)}"}` }), "COMPUTE_INVALID_JOB");
    await refused(f, o, submitMsg({ ...ok, maxPrice: -1n }), "INVALID_AMOUNT");
    const badUri = submitMsg(ok);
    badUri.computeSubmitJob!.inputUri = "ftp://example.com/input";
    await refused(f, o, badUri, "COMPUTE_INVALID_JOB");
    const badHash = submitMsg(ok);
    badHash.computeSubmitJob!.inputHash = new Uint8Array(31);
    await refused(f, o, badHash, "COMPUTE_INVALID_JOB");
    expectAllOk(
      [
        await f.send(
          f.modelOwner,
          Msg.create({ modelsDeprecate: MsgDeprecateModel.create({ modelId: model.modelId }) }),
        ),
      ],
      "deprecate",
    );
    await refused(f, o, submitMsg(ok), "MODEL_DEPRECATED");
    // Nothing was taken: the next valid job is job 1, and canonical params are accepted.
    expectAllOk(
      [
        await f.send(
          o,
          submitMsg({ ...ok, modelId: model.parentId, escrow: 200n, params: '{"a":2,"b":[1,"x"]}' }),
        ),
      ],
      "valid submit",
    );
    expect((await f.job(1)).params).toBe('{"a":2,"b":[1,"x"]}');
  });
});

describe("refused commits and reveals", () => {
  it("from a worker not assigned, without commit, not matching the commit, after the window", async () => {
    f = await startComputeFixture({
      workers: [{}, {}, {}, {}],
      compute: { commit_window_blocks: 20, reveal_window_blocks: 30, max_output_bytes: 64 },
    });
    const model = await registerPricedModel(f, 0n);
    expectAllOk(
      [
        await f.send(
          f.owner,
          submitMsg({ modelId: model.modelId, replication: 3, maxPrice: 100n, escrow: 300n }),
        ),
      ],
      "submit",
    );
    const job = await f.job(1);
    const mine = new Set(job.assignments.map((x) => x.worker));
    const [a, b, c] = f.workers.filter((w) => mine.has(w.key.bech32)) as [TestWorker, TestWorker, TestWorker];
    const outsider = f.workers.find((w) => !mine.has(w.key.bech32)) as TestWorker;
    const out = (w: TestWorker) => resultOf("the output", w, 1);

    await refused(f, outsider.key, commitMsg(outsider, 1, 0, out(outsider)), "COMPUTE_NOT_ASSIGNED");
    const stranger = newAccount();
    await refused(
      f,
      stranger,
      commitMsg({ ...outsider, key: stranger }, 1, 0, out(outsider)),
      "COMPUTE_NOT_ASSIGNED",
    );
    await refused(f, a.key, commitMsg(a, 2, 0, out(a)), "COMPUTE_JOB_NOT_FOUND");
    await refused(f, a.key, revealMsg(1, out(a)), "COMPUTE_NOT_COMMITTED");

    expectAllOk([await f.send(a.key, commitMsg(a, 1, 0, out(a)))], "commit a");
    await refused(f, a.key, commitMsg(a, 1, 0, out(a)), "COMPUTE_ALREADY_COMMITTED");
    await refused(f, a.key, revealMsg(1, out(a)), "COMPUTE_REVEAL_WINDOW_NOT_OPEN");
    // b commits to an output above compute.max_output_bytes (64): it can never reveal it inline.
    const big = resultOf("y".repeat(65), b, 1);
    expectAllOk([await f.send(b.key, commitMsg(b, 1, 0, big))], "commit b");

    // c lets the commit window pass.
    await f.advanceTo(job.commit_end_height as number);
    expect((await f.job(1)).state).toBe("reveal");
    await refused(f, c.key, commitMsg(c, 1, 0, out(c)), "COMPUTE_COMMIT_WINDOW_CLOSED");
    await refused(f, c.key, revealMsg(1, out(c)), "COMPUTE_NOT_COMMITTED");
    await refused(f, outsider.key, revealMsg(1, out(outsider)), "COMPUTE_NOT_ASSIGNED");

    // Reveals that do not open a's commitment: another salt, another result.
    await refused(
      f,
      a.key,
      revealMsg(1, { ...out(a), salt: new Uint8Array(16).fill(1) }),
      "COMPUTE_REVEAL_MISMATCH",
    );
    await refused(f, a.key, revealMsg(1, resultOf("another output", a, 1)), "COMPUTE_REVEAL_MISMATCH");
    // Opens the commitment, but the bytes shown are not the committed output.
    await refused(
      f,
      a.key,
      revealMsg(1, out(a), { output: new TextEncoder().encode("other bytes") }),
      "COMPUTE_OUTPUT_MISMATCH",
    );
    await refused(f, a.key, revealMsg(1, out(a), { salt: new Uint8Array(8) }), "COMPUTE_INVALID_RESULT");
    await refused(f, a.key, revealMsg(1, out(a), { output: new Uint8Array(0) }), "COMPUTE_INVALID_RESULT");
    await refused(f, b.key, revealMsg(1, big), "COMPUTE_INVALID_RESULT");
    expect(sha256(big.output)).toEqual(big.resultHash);

    // A URI instead of the bytes is accepted; a reveal is accepted once.
    expectAllOk([await f.send(a.key, revealMsg(1, out(a)))], "reveal a");
    await refused(f, a.key, revealMsg(1, out(a)), "COMPUTE_ALREADY_REVEALED");
    expectAllOk(
      [
        await f.send(
          b.key,
          revealMsg(1, big, { output: new Uint8Array(0), outputUri: "https://example.com/out" }),
        ),
      ],
      "reveal b by uri",
    );
    // Everyone who committed revealed: the round closed at once. a and b disagree and c missed: no
    // quorum, and 300 of escrow cannot pay a re-run of 5 replicas, so the job failed.
    expect(await f.job(1)).toMatchObject({ state: "failed", failure: "no_quorum", refunded: "300" });
    await refused(f, a.key, revealMsg(1, out(a)), "COMPUTE_REVEAL_WINDOW_CLOSED");
  });
});
