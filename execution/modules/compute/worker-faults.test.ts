// The worker bookkeeping job settlement calls (slash, faults and jail, agreement, slots) and what
// follows from it: unjail after jailed_until, unbonding held back while jobs are open. Run on the
// real state layer in memory, through the real message handlers.
import { describe, expect, it } from "vitest";
import { encodeAddress } from "../../../crypto/address.js";
import { type Event, WorkerAttestation } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { GasMeter } from "../../gas.js";
import { DEFAULT_GENESIS_PARAMS } from "../../genesis-types.js";
import { MeteredStore, type StateKey, StateLayer } from "../../store.js";
import { newAccount, TEST_TX_PARAMS, type TestAccount } from "../../test-helpers.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { saveWorkerAttestation } from "../attestation/worker-attestations.js";
import type { BlockEndContext, MsgContext, MsgKind, MsgPayload } from "../types.js";
import { loadAuditPool } from "./audit-pool.js";
import { WORKER_MSG_HANDLERS } from "./msgs-worker.js";
import { type ComputeParamsState, storeComputeParams } from "./params.js";
import { loadAssignableWorkers } from "./worker-eligibility.js";
import { endBlockWorkers } from "./worker-end-block.js";
import {
  recordAgreement,
  recordAuditPassed,
  recordFault,
  releaseSlot,
  slashWorker,
  takeSlot,
} from "./worker-faults.js";
import { registerWorkerMsg } from "./worker-fixture.js";
import { loadWorker } from "./worker-records.js";

class MemoryState extends StateLayer {
  protected readParent(_key: StateKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(undefined);
  }
}

type WorkerKind = keyof typeof WORKER_MSG_HANDLERS;

interface Env {
  state: MemoryState;
  params: ComputeParamsState;
  operator: TestAccount;
  worker: TestAccount;
  run<K extends WorkerKind>(
    sender: TestAccount,
    kind: K,
    payload: MsgPayload<K>,
    height: number,
  ): Promise<Event[]>;
  endBlock(height: number): Promise<Event[]>;
}

const STAKE = 2_000_000n;

async function setup(over: Partial<typeof DEFAULT_GENESIS_PARAMS.compute> = {}): Promise<Env> {
  const state = new MemoryState();
  const params = storeComputeParams(
    state,
    {
      ...DEFAULT_GENESIS_PARAMS.compute,
      max_faults: 2,
      jail_blocks: 10,
      worker_unbonding_blocks: 2,
      ...over,
    },
    "GENESIS_INVALID",
  );
  const operator = newAccount();
  saveAccount(state, accountStateKey(operator.address), { nonce: 0, balance: 10n * STAKE });
  const env: Env = {
    state,
    params,
    operator,
    worker: newAccount(),
    async run(sender, kind, payload, height) {
      const handler = WORKER_MSG_HANDLERS[kind] as unknown as {
        validate(msg: MsgPayload<MsgKind>): void;
        execute(ctx: MsgContext, msg: MsgPayload<MsgKind>): Promise<void>;
      };
      handler.validate(payload as MsgPayload<MsgKind>);
      const ctx: MsgContext = {
        store: new MeteredStore(state, new GasMeter(50_000_000)),
        sender: sender.address,
        senderBech32: sender.bech32,
        senderKey: accountStateKey(sender.address),
        events: [],
        recordsEvents: true,
        params: TEST_TX_PARAMS,
        height,
        timeMs: 1_700_000_000_000 + height * 1000,
      };
      await handler.execute(ctx, payload as MsgPayload<MsgKind>);
      return ctx.events;
    },
    async endBlock(height) {
      const ctx: BlockEndContext = {
        store: state,
        params: TEST_TX_PARAMS,
        height,
        timeMs: 1_700_000_000_000 + height * 1000,
        lastBlockHash: new Uint8Array(32),
        proposerAddress: new Uint8Array(20),
        collectedFees: 0n,
        events: [],
        validatorUpdates: [],
      };
      await endBlockWorkers(ctx);
      return ctx.events;
    },
  };
  await env.run(
    operator,
    "computeRegisterWorker",
    registerWorkerMsg(env.worker, { stake: STAKE }).computeRegisterWorker!,
    1,
  );
  // an attestation valid through height 1000, as an accepted MsgAttestWorker leaves it
  saveWorkerAttestation(
    state,
    WorkerAttestation.create({
      worker: env.worker.address,
      evidenceClass: "nvidia-cc",
      trusted: true,
      deviceId: new Uint8Array(32).fill(1),
      reportDigest: new Uint8Array(32).fill(2),
      attestedHeight: 1,
      expiresHeight: 1000,
    }),
  );
  return env;
}

async function assignable(env: Env, height: number) {
  return loadAssignableWorkers(env.state, height, env.params);
}

describe("worker faults", () => {
  it("slashes a fraction of the stake into the audit pool and counts it by reason", async () => {
    const env = await setup({
      min_worker_stake: "1800000",
      slash_missed_bps: 100,
      slash_minority_bps: 500,
      slash_audit_bps: 1000,
    });
    expect(await assignable(env, 4)).toHaveLength(1);
    const events: Event[] = [];
    const a = env.worker.address;
    expect(await slashWorker(env.state, a, 100, "missed", 5, env.params, events)).toBe(20_000n);
    expect(await slashWorker(env.state, a, 500, "minority", 6, env.params, events)).toBe(99_000n);
    expect(await slashWorker(env.state, a, 1000, "audit", 7, env.params, events)).toBe(188_100n);
    const w = (await loadWorker(env.state, a))!;
    expect(w.stake).toBe((STAKE - 20_000n - 99_000n - 188_100n).toString());
    expect(w.reputation).toMatchObject({
      jobsMissed: 1,
      jobsMinority: 1,
      auditsFailed: 1,
      slashes: 3,
      slashedTotal: "307100",
    });
    expect(await loadAuditPool(env.state)).toBe(307_100n);
    expect(events.map((e) => [e.type, e.attributes.find((x) => x.key === "reason")?.value])).toEqual([
      ["slash_worker", "missed"],
      ["slash_worker", "minority"],
      ["slash_worker", "audit"],
    ]);
    // slashed below compute.min_worker_stake (1,800,000): no jobs
    expect(await assignable(env, 8)).toEqual([]);
    // a worker that already left loses nothing
    expect(await slashWorker(env.state, newAccount().address, 1000, "audit", 9, env.params, events)).toBe(0n);
  });

  it("jails after max_faults consecutive faults; an agreement resets the count; unjail after jailed_until", async () => {
    const env = await setup();
    const a = env.worker.address;
    const events: Event[] = [];
    await recordFault(env.state, a, 10, env.params, events);
    await recordAgreement(env.state, a);
    await recordFault(env.state, a, 11, env.params, events);
    expect(events).toEqual([]);
    expect((await loadWorker(env.state, a))!.consecutiveFaults).toBe(1);
    await recordFault(env.state, a, 12, env.params, events);
    expect(events.map((e) => e.type)).toEqual(["jail_worker"]);
    const jailed = (await loadWorker(env.state, a))!;
    expect(jailed).toMatchObject({ status: 2, jailedUntil: 22, consecutiveFaults: 0 });
    expect(jailed.reputation!.jobsAgreed).toBe(1);
    expect(await assignable(env, 13)).toEqual([]);

    const unjail = { worker: a };
    const stranger = newAccount();
    await expect(env.run(stranger, "computeUnjailWorker", unjail, 22)).rejects.toMatchObject({
      code: "COMPUTE_NOT_OPERATOR",
    });
    await expect(env.run(env.operator, "computeUnjailWorker", unjail, 21)).rejects.toMatchObject({
      code: "COMPUTE_JAIL_NOT_EXPIRED",
    });
    expect((await env.run(env.operator, "computeUnjailWorker", unjail, 22)).map((e) => e.type)).toEqual([
      "unjail_worker",
    ]);
    expect((await loadWorker(env.state, a))!.status).toBe(1);
    expect((await assignable(env, 23)).map((x) => encodeAddress(x.worker.address))).toEqual([
      env.worker.bech32,
    ]);
    await recordAuditPassed(env.state, a);
    expect((await loadWorker(env.state, a))!.reputation!.auditsPassed).toBe(1);
  });

  it("counts open jobs against max_concurrent_jobs", async () => {
    const env = await setup();
    const a = env.worker.address;
    expect((await assignable(env, 5))[0]!.freeSlots).toBe(2);
    await takeSlot(env.state, a);
    expect((await assignable(env, 5))[0]!.freeSlots).toBe(1);
    await takeSlot(env.state, a);
    expect(await assignable(env, 5)).toEqual([]);
    await releaseSlot(env.state, a);
    await releaseSlot(env.state, a);
    expect((await assignable(env, 5))[0]!.freeSlots).toBe(2);
    await expect(releaseSlot(env.state, a)).rejects.toBeInstanceOf(ExecutionError);
  });

  it("holds an unbonding worker's stake while it has open jobs, and returns it after they settle", async () => {
    const env = await setup();
    const a = env.worker.address;
    const balance = async () => (await loadAccount(env.state, accountStateKey(env.operator.address))).balance;
    const before = await balance();
    await takeSlot(env.state, a);
    await env.run(env.operator, "computeUnbondWorker", { worker: a }, 10);
    expect((await loadWorker(env.state, a))!.unbondingDoneHeight).toBe(12);
    expect(await env.endBlock(11)).toEqual([]);
    // due at 12, but a job is open: still slashable, looked at again next block
    expect(await env.endBlock(12)).toEqual([]);
    expect(await balance()).toBe(before);
    expect(await slashWorker(env.state, a, 100, "missed", 12, env.params, [])).toBe(20_000n);
    await releaseSlot(env.state, a);
    expect((await env.endBlock(13)).map((e) => e.type)).toEqual(["return_worker_stake"]);
    expect(await balance()).toBe(before + STAKE - 20_000n);
    expect(await loadWorker(env.state, a)).toBeUndefined();
    expect(await env.endBlock(14)).toEqual([]);
  });
});
