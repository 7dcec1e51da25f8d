// compute_* against a real application on LevelDB, built with signed txs: workers registered and
// attested (dev evidence, and nvidia-cc evidence to the test's hardware root), a priced model with a
// data license, and jobs left in each state (settled, pending, cancelled, waiting for commits).
// What each method answers (the module's JSON in camelCase, with the height), how the lists filter
// and page, a worker's attestation status (class, trusted, expiry), and the refusals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultCommitment } from "../../crypto/compute-commitment.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { type ComputeFixture, startComputeFixture } from "../../execution/modules/compute/worker-fixture.js";
import type { TestAccount } from "../../execution/test-helpers.js";
import { ModelFormat } from "../../proto/index.js";
import type { KyochiRpcClient } from "../client/client.js";
import {
  computeCancelJobMsg,
  computeCommitResultMsg,
  computeRevealResultMsg,
  computeSubmitJobMsg,
  computeUnbondWorkerMsg,
} from "../client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../client/msgs-data.js";
import { modelsRegisterMsg } from "../client/msgs-models.js";
import { serveAppJsonRpc } from "../testing/app-backend.js";
import type { JsonRpcServer } from "./server.js";

/** Attestations count for this many blocks here, so one can expire during the test. */
const VALIDITY = 30;
const MODEL_FEE = 100n;
const MAX_PRICE = 1000n;
const OUTPUT = new TextEncoder().encode("canonical output tensors");

let f: ComputeFixture;
let server: JsonRpcServer;
let client: KyochiRpcClient;
let owner: TestAccount;
let modelOwner: TestAccount;
/** dev workers of operators 0, 1, 2; `trusted` is nvidia-cc (operator 0); `idle` never attested
 * (operator 1, unbonding); `stale` attested first (operator 2) and expired by the end. */
const w: Record<"a" | "b" | "c" | "trusted" | "idle" | "stale", TestAccount> = {} as never;
let staleAttestedHeight = 0;
let submitHeight = 0;
let settledHeight = 0;
let finalHeight = 0;

interface Reply {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data: { code: string; [k: string]: unknown } };
}

async function call(method: string, params?: unknown): Promise<Reply> {
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params !== undefined ? { params } : {}) }),
  });
  return (await res.json()) as Reply;
}

/** The result of a call that must succeed. */
async function result(method: string, params: unknown): Promise<Record<string, unknown>> {
  const reply = await call(method, params);
  expect(reply.error, `${method} ${JSON.stringify(params)}`).toBeUndefined();
  return reply.result as Record<string, unknown>;
}

async function ok(...txs: Uint8Array[]): Promise<void> {
  const { codes, result } = await f.run(...txs);
  expect(codes, result.txResults.map((r) => r.log).join("; ")).toEqual(txs.map(() => "OK"));
}

const submit = (replication: number, minGpuMemoryMib = 0) =>
  computeSubmitJobMsg({
    modelId: 1,
    inputHash: sha256(new TextEncoder().encode("input")),
    inputUri: "data:,input",
    replication,
    maxPrice: MAX_PRICE,
    escrow: BigInt(replication) * MAX_PRICE + MODEL_FEE,
    deadlineBlocks: 200,
    minGpuMemoryMib,
  });

const salt = (worker: TestAccount) => sha256(worker.address).subarray(0, 16);

const ids = (page: Record<string, unknown>, key: string): unknown[] =>
  (page[key] as { id?: number; address?: string }[]).map((x) => x.id ?? x.address);

beforeAll(async () => {
  f = await startComputeFixture({ operators: 5, attestation: { validity_blocks: VALIDITY } });
  const [op0, op1, op2, op3, op4] = f.operators as [
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
    TestAccount,
  ];
  owner = op3;
  modelOwner = op4;
  // `stale` first: its attestation expires while the others still count. Its price is above every
  // job's max_price, so it never takes a job.
  w.stale = await f.registerWorker(op2, { price: 5000n });
  await f.attestWorker(w.stale, { evidenceClass: "dev" });
  staleAttestedHeight = f.chain.height;
  w.a = await f.registerWorker(op0);
  w.b = await f.registerWorker(op1);
  w.c = await f.registerWorker(op2);
  w.trusted = await f.registerWorker(op0);
  w.idle = await f.registerWorker(op1);
  for (const x of [w.a, w.b, w.c]) await f.attestWorker(x, { evidenceClass: "dev" });
  await f.attestWorker(w.trusted, { evidenceClass: "nvidia-cc" });
  await ok(f.tx(op1, computeUnbondWorkerMsg(w.idle.address)));

  // A priced ONNX model citing a data license.
  await ok(
    f.tx(
      modelOwner,
      dataRegisterMsg({
        name: "corpus",
        contentRoot: new Uint8Array(32).fill(7),
        sizeBytes: 4096,
        locationUri: "s3://bucket/corpus",
        format: "parquet",
      }),
    ),
  );
  await ok(
    f.tx(
      modelOwner,
      dataAddOfferMsg(1, {
        price: 0n,
        durationBlocks: 0,
        commercialUse: true,
        trainingAllowed: true,
        royaltyBps: 1000,
        maxLicenses: 0,
      }),
    ),
  );
  await ok(f.tx(modelOwner, dataBuyLicenseMsg(1, 1)));
  await ok(
    f.tx(
      modelOwner,
      modelsRegisterMsg({
        name: "tiny-mlp",
        version: "1",
        weightsHash: new Uint8Array(32).fill(1),
        sizeBytes: 4096,
        format: ModelFormat.MODEL_FORMAT_ONNX,
        locationUri: "ipfs://tiny-mlp",
        cardHash: new Uint8Array(32).fill(2),
        inferenceFee: MODEL_FEE,
        licenseIds: [1],
      }),
    ),
  );

  // Job 1 (r = 3): assigned at the end of its block (the trusted worker first, then one dev
  // worker of each other operator), committed, revealed, settled.
  await ok(f.tx(owner, submit(3)));
  submitHeight = f.chain.height;
  const committers = [w.trusted, w.b, w.c];
  const resultHash = sha256(OUTPUT);
  await ok(
    ...committers.map((x) =>
      f.tx(
        x,
        computeCommitResultMsg(
          1,
          resultCommitment({ jobId: 1, round: 0, resultHash, salt: salt(x), worker: x.address }),
        ),
      ),
    ),
  );
  await ok(
    ...committers.map((x) =>
      f.tx(x, computeRevealResultMsg({ jobId: 1, resultHash, salt: salt(x), output: OUTPUT })),
    ),
  );
  settledHeight = f.chain.height;
  // Job 2: no worker offers that much memory: pending. Job 3: cancelled. Job 4 (r = 1): assigned
  // to the trusted worker, not committed yet.
  await ok(f.tx(modelOwner, submit(1, 1_000_000)));
  await ok(f.tx(owner, submit(1, 1_000_000)));
  await ok(f.tx(owner, computeCancelJobMsg(3)));
  // `stale` past its expiry; every other attestation still counts.
  await f.chain.advanceTo(staleAttestedHeight + VALIDITY + 1);
  await ok(f.tx(owner, submit(1)));
  finalHeight = f.chain.height;

  ({ server, client } = await serveAppJsonRpc(f.chain));
}, 60_000);

afterAll(async () => {
  await server?.close();
  await f?.chain.close();
});

describe("compute_getJob", () => {
  it("serves a settled job with its assignments, agreed result and payments, in camelCase", async () => {
    const job = await client.getJob(1);
    expect(job).toMatchObject({
      height: finalHeight,
      id: 1,
      owner: owner.bech32,
      modelId: 1,
      replication: 3,
      maxPrice: "1000",
      modelFee: "100",
      state: "settled",
      submittedHeight: submitHeight,
      settledHeight,
      resultHash: `0x${toHex(sha256(OUTPUT))}`,
      resultOutput: `0x${toHex(OUTPUT)}`,
      paidWorkers: "3000",
      paidModelFee: "100",
      refunded: "0",
      escrow: "0",
      auditOf: null,
      failure: null,
    });
    // The hardware-attested worker is drawn first; dev workers of the other operators fill the rest.
    const assignments = job.assignments as { worker: string; state: string; trusted: boolean }[];
    expect(assignments.map((a) => a.state)).toEqual(["agreed", "agreed", "agreed"]);
    expect(assignments.map((a) => a.trusted)).toEqual([true, false, false]);
    expect(assignments[0]?.worker).toBe(w.trusted.bech32);
    expect(new Set(assignments.slice(1).map((a) => a.worker))).toEqual(new Set([w.b.bech32, w.c.bech32]));
  });

  it("answers at a past height: job 1 waiting for commits right after its submission", async () => {
    const then = await client.getJob(1, submitHeight);
    expect(then).toMatchObject({
      height: submitHeight,
      state: "commit",
      resultHash: null,
      settledHeight: null,
    });
    expect((then.assignments as { state: string }[]).map((a) => a.state)).toEqual([
      "assigned",
      "assigned",
      "assigned",
    ]);
  });

  it("answers an unknown job with NOT_FOUND and the module's code", async () => {
    for (const id of [99, Number.MAX_SAFE_INTEGER, "5"]) {
      const reply = await call("compute_getJob", { id });
      expect(reply.error?.code, String(id)).toBe(-32000);
      expect(reply.error?.data.code).toBe("COMPUTE_JOB_NOT_FOUND");
    }
  });
});

describe("compute_listJobs", () => {
  it("lists every job, and pages with a cursor that covers each once", async () => {
    expect(ids(await client.listJobs(), "jobs")).toEqual([1, 2, 3, 4]);
    const seen: unknown[] = [];
    let cursor: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await client.listJobs({ limit: 3, ...(cursor !== undefined ? { cursor } : {}) });
      expect((page.jobs as unknown[]).length).toBeLessThanOrEqual(3);
      seen.push(...ids(page, "jobs"));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor as number;
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it("filters by state, owner and worker, alone and together", async () => {
    const cases: [Record<string, unknown>, number[]][] = [
      [{ state: "settled" }, [1]],
      [{ state: "pending" }, [2]],
      [{ state: "cancelled" }, [3]],
      [{ state: "commit" }, [4]],
      [{ state: "reveal" }, []],
      [{ state: "failed" }, []],
      [{ owner: owner.bech32 }, [1, 3, 4]],
      [{ owner: modelOwner.bech32 }, [2]],
      [{ owner: w.a.bech32 }, []],
      [{ worker: w.trusted.bech32 }, [1, 4]],
      [{ worker: w.b.bech32 }, [1]],
      [{ worker: w.a.bech32 }, []],
      [{ owner: owner.bech32, state: "commit" }, [4]],
      [{ worker: w.trusted.bech32, state: "settled" }, [1]],
      [{ worker: w.b.bech32, owner: modelOwner.bech32 }, []],
    ];
    for (const [filter, expected] of cases) {
      expect(ids(await result("compute_listJobs", filter), "jobs"), JSON.stringify(filter)).toEqual(expected);
    }
    // At the submission height only job 1 existed.
    expect(ids(await result("compute_listJobs", { height: submitHeight }), "jobs")).toEqual([1]);
  });
});

describe("compute_getWorker: attestation status", () => {
  it("shows a dev worker's attestation as untrusted, with its expiry", async () => {
    const view = await client.getWorker(w.b.bech32);
    expect(view).toMatchObject({
      height: finalHeight,
      address: w.b.bech32,
      operator: f.operators[1]!.bech32,
      status: "active",
      activeJobs: 0,
      reputation: { jobsAgreed: 1, jobsMissed: 0 },
      capabilities: { runtimes: ["onnx"] },
    });
    const att = view.attestation as Record<string, unknown>;
    expect(att).toMatchObject({ evidenceClass: "dev", trusted: false, expired: false });
    expect(att.expiresHeight).toBe((att.attestedHeight as number) + VALIDITY);
    expect(att.expiresHeight as number).toBeGreaterThanOrEqual(finalHeight);
    expect(att.deviceId).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("shows a hardware-attested worker as trusted, busy with its job", async () => {
    const view = await client.getWorker(w.trusted.bech32);
    expect(view).toMatchObject({ activeJobs: 1, reputation: { jobsAgreed: 1 } });
    expect(view.attestation).toMatchObject({ evidenceClass: "nvidia-cc", trusted: true, expired: false });
  });

  it("shows an expired attestation as expired, and as current at a height before its expiry", async () => {
    const now = await client.getWorker(w.stale.bech32);
    expect(now.attestation).toMatchObject({
      evidenceClass: "dev",
      trusted: false,
      attestedHeight: staleAttestedHeight,
      expiresHeight: staleAttestedHeight + VALIDITY,
      expired: true,
    });
    const before = await client.getWorker(w.stale.bech32, staleAttestedHeight + VALIDITY);
    expect(before.attestation).toMatchObject({ expired: false });
  });

  it("shows a never-attested worker with attestation null; unknown workers are NOT_FOUND", async () => {
    const idle = await client.getWorker(w.idle.bech32);
    expect(idle).toMatchObject({ status: "unbonding", attestation: null });
    const reply = await call("compute_getWorker", { address: owner.bech32 });
    expect(reply.error?.code).toBe(-32000);
    expect(reply.error?.data.code).toBe("COMPUTE_WORKER_NOT_FOUND");
  });
});

describe("compute_listWorkers", () => {
  const all = () => [w.stale, w.a, w.b, w.c, w.trusted, w.idle].map((x) => x.bech32);

  it("lists every worker with its attestation, and pages with a cursor that covers each once", async () => {
    const list = await client.listWorkers();
    expect(new Set(ids(list, "workers"))).toEqual(new Set(all()));
    const byAddress = new Map(
      (list.workers as { address: string; attestation: { trusted: boolean } | null }[]).map((x) => [
        x.address,
        x.attestation,
      ]),
    );
    expect(byAddress.get(w.trusted.bech32)?.trusted).toBe(true);
    expect(byAddress.get(w.a.bech32)?.trusted).toBe(false);
    expect(byAddress.get(w.idle.bech32)).toBeNull();
    const seen: unknown[] = [];
    let cursor: number | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await client.listWorkers({ limit: 4, ...(cursor !== undefined ? { cursor } : {}) });
      seen.push(...ids(page, "workers"));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor as number;
    }
    expect(seen).toEqual(ids(list, "workers"));
  });

  it("filters by operator, status and attested", async () => {
    const cases: [Record<string, unknown>, TestAccount[]][] = [
      [{ operator: f.operators[0]!.bech32 }, [w.a, w.trusted]],
      [{ operator: f.operators[1]!.bech32 }, [w.b, w.idle]],
      [{ operator: owner.bech32 }, []],
      [{ status: "unbonding" }, [w.idle]],
      [{ status: "jailed" }, []],
      [{ status: "active" }, [w.stale, w.a, w.b, w.c, w.trusted]],
      [{ attested: true }, [w.a, w.b, w.c, w.trusted]],
      [{ attested: false }, [w.stale, w.idle]],
      [{ operator: f.operators[2]!.bech32, attested: true }, [w.c]],
      [{ operator: f.operators[1]!.bech32, status: "active" }, [w.b]],
    ];
    for (const [filter, expected] of cases) {
      const got = ids(await result("compute_listWorkers", filter), "workers");
      expect(new Set(got), JSON.stringify(filter)).toEqual(new Set(expected.map((x) => x.bech32)));
      expect(got).toHaveLength(expected.length);
    }
    // Before `stale` expired it counted as attested.
    const then = await result("compute_listWorkers", {
      attested: true,
      height: staleAttestedHeight + VALIDITY,
    });
    expect(ids(then, "workers")).toContain(w.stale.bech32);
  });
});

describe("compute_* refusals", () => {
  it("refuses bad params with INVALID_PARAMS naming the param, and uncommitted heights", async () => {
    const cases: [string, unknown, string, string?][] = [
      ["compute_getJob", {}, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: 0 }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: -1 }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: 1.5 }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: 2 ** 60 }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: "99999999999999999999" }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: "abc" }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: true }, "INVALID_PARAMS", "id"],
      ["compute_getJob", { id: 1, colour: "red" }, "INVALID_PARAMS", "colour"],
      ["compute_getJob", [1], "INVALID_PARAMS", "params"],
      ["compute_listJobs", { state: "running" }, "INVALID_PARAMS", "state"],
      ["compute_listJobs", { state: "SETTLED" }, "INVALID_PARAMS", "state"],
      ["compute_listJobs", { state: 3 }, "INVALID_PARAMS", "state"],
      ["compute_listJobs", { owner: "kyo1bad" }, "INVALID_PARAMS", "owner"],
      ["compute_listJobs", { worker: "0x1234" }, "INVALID_PARAMS", "worker"],
      ["compute_listJobs", { limit: 101 }, "INVALID_PARAMS", "limit"],
      ["compute_listJobs", { limit: 0 }, "INVALID_PARAMS", "limit"],
      ["compute_listJobs", { cursor: -1 }, "INVALID_PARAMS", "cursor"],
      ["compute_listJobs", { cursor: 2 ** 60 }, "INVALID_PARAMS", "cursor"],
      ["compute_getWorker", {}, "INVALID_PARAMS", "address"],
      ["compute_getWorker", { address: "kyo1nope" }, "INVALID_PARAMS", "address"],
      ["compute_getWorker", { address: 42 }, "INVALID_PARAMS", "address"],
      ["compute_listWorkers", { attested: "true" }, "INVALID_PARAMS", "attested"],
      ["compute_listWorkers", { attested: 1 }, "INVALID_PARAMS", "attested"],
      ["compute_listWorkers", { status: "retired" }, "INVALID_PARAMS", "status"],
      ["compute_listWorkers", { operator: "kyo1bad" }, "INVALID_PARAMS", "operator"],
      ["compute_listWorkers", { limit: -5 }, "INVALID_PARAMS", "limit"],
      ["compute_getJob", { id: 1, height: -1 }, "INVALID_PARAMS", "height"],
      ["compute_getJob", { id: 1, height: f.chain.height + 5 }, "HEIGHT_NOT_AVAILABLE"],
      ["compute_listWorkers", { height: f.chain.height + 1 }, "HEIGHT_NOT_AVAILABLE"],
    ];
    for (const [method, params, code, param] of cases) {
      const reply = await call(method, params);
      const what = `${method} ${JSON.stringify(params)}`;
      expect(reply.error?.data.code, what).toBe(code);
      if (code === "INVALID_PARAMS") expect(reply.error?.code, what).toBe(-32602);
      if (param !== undefined) expect(reply.error?.data.param, what).toBe(param);
    }
  });
});
