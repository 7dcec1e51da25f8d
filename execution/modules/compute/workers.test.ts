// Compute workers through real txs on a test chain: register (stake bonded from the operator),
// update, unbond (stake back at exactly unbonding_done_height), the refusals of each message,
// queries, and attestation expiry taking a worker out of assignment.
import { describe, expect, it } from "vitest";
import { bytesEqual } from "../../../proto/canonical.js";
import { kyochi, Msg } from "../../../proto/index.js";
import { codeName } from "../../staking-fixture.js";
import type { KvReader, StateKey } from "../../store.js";
import { newAccount } from "../../test-helpers.js";
import { loadComputeParams } from "./params.js";
import { loadAssignableWorkers } from "./worker-eligibility.js";
import {
  attestMsg,
  type ComputeFixture,
  OPERATOR_BALANCE,
  registerWorkerMsg,
  useComputeFixtures,
  WORKER_STAKE,
} from "./worker-fixture.js";
import type { WorkerView } from "./worker-queries.js";

const fixture = useComputeFixtures();
const compute = kyochi.compute.v1;

const updateMsg = (worker: Uint8Array, over: Partial<kyochi.compute.v1.MsgUpdateWorker.$Properties> = {}) =>
  Msg.create({ computeUpdateWorker: compute.MsgUpdateWorker.create({ worker, ...over }) });
const unbondMsg = (worker: Uint8Array) =>
  Msg.create({ computeUnbondWorker: compute.MsgUnbondWorker.create({ worker }) });
const unjailMsg = (worker: Uint8Array) =>
  Msg.create({ computeUnjailWorker: compute.MsgUnjailWorker.create({ worker }) });

/** Reads the chain's committed state through the `proof` query (the real tree). */
function chainReader(f: ComputeFixture): KvReader {
  return {
    async get(key: StateKey) {
      const answer = await f.chain.app.query({ path: `proof/${Buffer.from(key.bytes).toString("hex")}` });
      return answer.value;
    },
  };
}

async function assignableAt(f: ComputeFixture, height: number): Promise<Uint8Array[]> {
  const reader = chainReader(f);
  const list = await loadAssignableWorkers(reader, height, await loadComputeParams(reader));
  return list.map((a) => a.worker.address);
}

describe("compute workers: register, update, queries", () => {
  it("registers a worker with its stake bonded from the operator's balance", async () => {
    const f = await fixture();
    const op = f.operators[0]!;
    const worker = newAccount();
    const { codes, result } = await f.run(f.tx(op, registerWorkerMsg(worker, { price: 250n })));
    expect(codes).toEqual(["OK"]);
    expect(result.txResults[0]!.events.map((e) => e.type)).toContain("register_worker");
    expect(await f.chain.balance(op)).toBe(OPERATOR_BALANCE - WORKER_STAKE);
    const view = await f.query<WorkerView>(`worker/${worker.bech32}`);
    expect(view).toMatchObject({
      address: worker.bech32,
      operator: op.bech32,
      key_type: "ed25519",
      stake: WORKER_STAKE.toString(),
      price: "250",
      status: "active",
      capabilities: { gpu_model: "NVIDIA H100 80GB HBM3", runtimes: ["onnx"], max_concurrent_jobs: 2 },
      active_jobs: 0,
      registered_height: f.chain.height,
      attestation: null,
    });
    expect(view.reputation).toEqual({
      jobs_agreed: 0,
      jobs_minority: 0,
      jobs_missed: 0,
      audits_passed: 0,
      audits_failed: 0,
      slashes: 0,
      slashed_total: "0",
    });
    // registered but not attested: no jobs
    expect(await assignableAt(f, f.chain.height + 1)).toEqual([]);
  });

  it("updates capabilities, price and stake (operator only)", async () => {
    const f = await fixture();
    const [op, intruder] = f.operators as [(typeof f.operators)[0], (typeof f.operators)[0]];
    const worker = await f.registerWorker(op!);
    const caps = compute.WorkerCapabilities.create({
      gpuModel: "NVIDIA B200",
      gpuMemoryMib: 183_000,
      runtimes: ["onnx", "torch"],
      maxConcurrentJobs: 8,
    });
    const { codes } = await f.run(
      f.tx(op!, updateMsg(worker.address, { capabilities: caps, price: "77", addStake: "500" })),
      f.tx(intruder!, updateMsg(worker.address, { price: "1" })),
      f.tx(op!, updateMsg(newAccount().address, { price: "1" })),
    );
    expect(codes).toEqual(["OK", "COMPUTE_NOT_OPERATOR", "COMPUTE_WORKER_NOT_FOUND"]);
    const view = await f.query<WorkerView>(`worker/${worker.bech32}`);
    expect(view.price).toBe("77");
    expect(view.stake).toBe((WORKER_STAKE + 500n).toString());
    expect(view.capabilities).toEqual({
      gpu_model: "NVIDIA B200",
      gpu_memory_mib: 183_000,
      runtimes: ["onnx", "torch"],
      max_concurrent_jobs: 8,
    });
    expect(await f.chain.balance(op!)).toBe(OPERATOR_BALANCE - WORKER_STAKE - 500n);
  });

  it("refuses duplicates, low stake and missing funds; bad declarations are refused statelessly", async () => {
    const f = await fixture({ compute: { min_worker_stake: "1000" } });
    const [op, poor] = [f.operators[0]!, newAccount()];
    const worker = await f.registerWorker(op);
    const balance = await f.chain.balance(op);
    const { codes } = await f.run(
      f.tx(op, registerWorkerMsg(worker)),
      f.tx(op, registerWorkerMsg(newAccount(), { stake: 999n })),
      f.tx(poor, registerWorkerMsg(newAccount(), { stake: 1000n })),
      f.tx(op, unjailMsg(worker.address)),
    );
    expect(codes).toEqual([
      "COMPUTE_WORKER_EXISTS",
      "COMPUTE_STAKE_TOO_LOW",
      "INSUFFICIENT_FUNDS",
      "COMPUTE_WORKER_NOT_JAILED",
    ]);
    expect(await f.chain.balance(op)).toBe(balance);
    expect((await f.query<{ workers: WorkerView[] }>("workers")).workers).toHaveLength(1);

    const bad: [string, Msg][] = [
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { runtimes: ["torch", "onnx"] })],
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { runtimes: ["onnx", "onnx"] })],
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { runtimes: ["ONNX"] })],
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { runtimes: [] })],
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { maxConcurrentJobs: 0 })],
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { maxConcurrentJobs: 65 })],
      ["COMPUTE_INVALID_CAPABILITIES", registerWorkerMsg(newAccount(), { gpuModel: "x".repeat(129) })],
      ["COMPUTE_INVALID_WORKER", registerWorkerMsg(newAccount(), { price: (1n << 128n).toString() })],
      ["COMPUTE_INVALID_WORKER", registerWorkerMsg(newAccount(), { stake: "01000" })],
    ];
    const shortKey = registerWorkerMsg(newAccount());
    shortKey.computeRegisterWorker!.publicKey = new Uint8Array(31);
    bad.push(["COMPUTE_INVALID_WORKER", shortKey]);
    for (const [want, msg] of bad) {
      const tx = f.tx(op, msg);
      f.rewindNonce(op);
      expect(codeName(await f.chain.app.checkTx(tx, "new")), want).toBe(want);
    }
  });

  it("lists workers with operator, status and attested filters", async () => {
    const f = await fixture();
    const [a, b] = f.operators as [
      NonNullable<(typeof f.operators)[0]>,
      NonNullable<(typeof f.operators)[0]>,
    ];
    const w1 = await f.registerWorker(a);
    const w2 = await f.registerWorker(a);
    const w3 = await f.registerWorker(b);
    await f.attestWorker(w2, { evidenceClass: "dev" });
    expect((await f.run(f.tx(b, unbondMsg(w3.address)))).codes).toEqual(["OK"]);
    const list = async (q: string) =>
      (await f.query<{ workers: WorkerView[] }>(`workers${q}`)).workers.map((w) => w.address);
    expect(await list("")).toEqual([w1.bech32, w2.bech32, w3.bech32]);
    expect(await list(`/operator=${a.bech32}`)).toEqual([w1.bech32, w2.bech32]);
    expect(await list("/status=unbonding")).toEqual([w3.bech32]);
    expect(await list("/attested=true")).toEqual([w2.bech32]);
    expect(await list("/attested=false&status=active")).toEqual([w1.bech32]);
    const page = await f.query<{ workers: WorkerView[]; next_cursor: number | null }>("workers/limit=2");
    expect(page.workers).toHaveLength(2);
    expect(await list(`/cursor=${page.next_cursor}`)).toEqual([w3.bech32]);
    expect(await f.queryError("workers/status=lost")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryError(`worker/${newAccount().bech32}`)).toBe("COMPUTE_WORKER_NOT_FOUND");
  });
});

describe("compute workers: unbonding and expiry", () => {
  it("returns the stake to the operator at exactly unbonding_done_height and removes the worker", async () => {
    const f = await fixture({ compute: { worker_unbonding_blocks: 5 } });
    const op = f.operators[0]!;
    const worker = await f.registerWorker(op);
    const gpu = await f.attestWorker(worker, { evidenceClass: "dev" });
    expect(await assignableAt(f, f.chain.height + 1)).toHaveLength(1);
    const { codes, result } = await f.run(f.tx(op, unbondMsg(worker.address)));
    expect(codes).toEqual(["OK"]);
    const unbondHeight = f.chain.height;
    const done = unbondHeight + 5;
    expect(result.txResults[0]!.events.find((e) => e.type === "unbond_worker")).toBeDefined();
    const view = await f.query<WorkerView>(`worker/${worker.bech32}`);
    expect(view).toMatchObject({ status: "unbonding", unbonding_done_height: done });
    // leaving: no jobs, no updates, no second unbond, no attestation
    expect(await assignableAt(f, f.chain.height + 1)).toEqual([]);
    const again = await f.evidence(worker, { evidenceClass: "dev" });
    expect(
      (
        await f.run(
          f.tx(op, updateMsg(worker.address, { price: "5" })),
          f.tx(op, unbondMsg(worker.address)),
          f.tx(op, unjailMsg(worker.address)),
          f.tx(worker, attestMsg(again)),
        )
      ).codes,
    ).toEqual([
      "COMPUTE_WORKER_UNBONDING",
      "COMPUTE_WORKER_UNBONDING",
      "COMPUTE_WORKER_UNBONDING",
      "COMPUTE_WORKER_UNBONDING",
    ]);

    const bonded = OPERATOR_BALANCE - WORKER_STAKE;
    await f.chain.advanceTo(done - 1);
    expect(await f.chain.balance(op)).toBe(bonded);
    expect((await f.query<WorkerView>(`worker/${worker.bech32}`)).status).toBe("unbonding");
    const last = await f.chain.block();
    expect(f.chain.height).toBe(done);
    expect(last.events.find((e) => e.type === "return_worker_stake")).toBeDefined();
    expect(await f.chain.balance(op)).toBe(OPERATOR_BALANCE);
    expect(await f.queryError(`worker/${worker.bech32}`)).toBe("COMPUTE_WORKER_NOT_FOUND");
    expect((await f.query<{ workers: WorkerView[] }>("workers")).workers).toEqual([]);
    // its GPU is free again: another worker attests with it
    const next = await f.registerWorker(f.operators[1]!);
    await f.attestWorker(next, { evidenceClass: "dev", deviceKey: gpu.evidence.deviceKey });
  });

  it("an attestation counts up to expires_height; after it the worker gets no jobs until it re-attests", async () => {
    const f = await fixture({ attestation: { validity_blocks: 3 } });
    const worker = await f.registerWorker(f.operators[0]!);
    await f.attestWorker(worker);
    const expires = f.chain.height + 3;
    const view = await f.query<WorkerView>(`worker/${worker.bech32}`);
    expect(view.attestation).toMatchObject({ expires_height: expires, expired: false, trusted: true });
    const list = await assignableAt(f, expires);
    expect(list).toHaveLength(1);
    expect(bytesEqual(list[0]!, worker.address)).toBe(true);
    expect(await assignableAt(f, expires + 1)).toEqual([]);

    await f.chain.advanceTo(expires + 1);
    expect((await f.query<WorkerView>(`worker/${worker.bech32}`)).attestation!.expired).toBe(true);
    expect((await f.query<{ workers: WorkerView[] }>("workers/attested=true")).workers).toEqual([]);
    await f.attestWorker(worker);
    expect(await assignableAt(f, f.chain.height + 1)).toHaveLength(1);
  });
});
