// Issue 6 end to end, with real processes: a node, and three `kyochi worker` daemons that register
// themselves, attest with dev evidence and run a tiny ONNX MLP (generated here) with onnxruntime.
// A model trained under a data license is registered; an inference job with r = 3 is assigned,
// computed, committed, revealed and settled; its output is read back through JSON-RPC and equals
// the model's answer; fees and royalties are paid to the base unit. worker2 is patched to return a
// wrong result (KYOCHI_WORKER_FAULT) and is slashed as the minority. Then worker2 is restarted
// honest, and worker1 is stopped in the middle of a second job: it is slashed for missing its
// window and the job still settles with the other two. Last, worker0 dies right after committing
// to a job (before revealing) and is restarted: it reveals from its journal and is paid.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "../../crypto/address.js";
import { fromHex, sha256, toHex } from "../../crypto/hash.js";
import { decodeTensors, encodeTensors } from "../../crypto/inference-output.js";
import type { SigningKey } from "../../crypto/keys.js";
import { runInferenceOnce } from "../../node/worker/runtime/inference.js";
import { tinyMlpInput, writeTinyMlp } from "../../node/worker/runtime/tiny-mlp.js";
import { ModelFormat, type Msg } from "../../proto/index.js";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { computeSubmitJobMsg, computeUnbondWorkerMsg } from "../../rpc/client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../../rpc/client/msgs-data.js";
import { modelsRegisterMsg } from "../../rpc/client/msgs-models.js";
import { signTx } from "../../rpc/client/tx-builder.js";
import type { JsonObject } from "../../rpc/types.js";
import { createTestDevnet, type TestDevnet } from "../helpers/devnet.js";
import { CLI, type NodeProcess, removeDir, startNode, stopNode, waitFor } from "../helpers/process-node.js";

const GAS = 200_000;
/** min_gas_price is 1 on a devnet: every tx below pays exactly its gas limit. */
const TX_FEE = BigInt(GAS);
const WORKER_PRICE = 1000n; // `kyochi worker`'s default --price
const WORKER_STAKE = 1_000_000n; // its default --stake
const MODEL_FEE = 1000n;
const ROYALTY_BPS = 1000; // 10% to the dataset's owner

interface Worker {
  name: string;
  address: string;
  proc: ChildProcess;
  out: () => string;
}

let devnet: TestDevnet;
let node: NodeProcess;
let client: KyochiRpcClient;
const workers = new Map<string, Worker>();
let modelPath: string;
let inputPath: string;
let chainId: string;

function startWorker(name: string, env: NodeJS.ProcessEnv = {}, pollMs = 200): Worker {
  const proc = spawn(
    process.execPath,
    [
      CLI,
      "worker",
      "--home",
      devnet.root,
      "--node",
      node.rpcUrl,
      "--key",
      name,
      "--register",
      "--dev-ca",
      join(devnet.root, "dev-ca.json"),
      "--data-dir",
      join(devnet.root, name),
      "--poll-ms",
      String(pollMs),
      "--log-format",
      "json",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  let out = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const w: Worker = { name, address: devnet.addresses[name]!, proc, out: () => out };
  workers.set(name, w);
  return w;
}

async function stopWorker(w: Worker, signal: NodeJS.Signals): Promise<void> {
  if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
  const exited = new Promise((r) => w.proc.once("exit", r));
  w.proc.kill(signal);
  await exited;
}

async function send(key: SigningKey, msgs: Msg[]): Promise<JsonObject> {
  const sender = encodeAddress(addressFromPublicKey(key.type, key.publicKey));
  const nonce = (await client.getAccount(sender)).nonce;
  const tx = signTx(key, msgs, { chainId, nonce, fee: TX_FEE, gasLimit: GAS, memo: "" });
  const answer = await client.broadcastTx(tx.bytes, "commit", 30_000);
  expect(answer.result.codename, answer.result.log).toBe("OK");
  return answer.result as unknown as JsonObject;
}

/** carol submits a job for model 1 on the test's input: `replication` workers at WORKER_PRICE. */
async function submitJob(replication: number, escrow: bigint): Promise<void> {
  const input = readFileSync(inputPath);
  await send(devnet.keys.carol!, [
    computeSubmitJobMsg({
      modelId: 1,
      inputHash: sha256(input),
      inputUri: pathToFileURL(inputPath).href,
      replication,
      maxPrice: WORKER_PRICE,
      escrow,
      deadlineBlocks: 200,
    }),
  ]);
}

async function balance(name: string): Promise<bigint> {
  return BigInt((await client.getAccount(devnet.addresses[name]!)).balance);
}

async function worker(name: string): Promise<JsonObject> {
  return await client.getWorker(devnet.addresses[name]!);
}

async function job(id: number): Promise<JsonObject> {
  return await client.getJob(id);
}

type Assignment = { worker: string; state: string };

function assignments(j: JsonObject): Assignment[] {
  return j.assignments as Assignment[];
}

function logsOf(): string {
  return [...workers.values()].map((w) => `--- ${w.name}\n${w.out().slice(-3000)}`).join("\n");
}

async function waitForJob(id: number, state: string, timeoutMs = 90_000): Promise<JsonObject> {
  let last: JsonObject | undefined;
  await waitFor(
    async () => {
      last = await job(id);
      return last.state === state;
    },
    timeoutMs,
    () => `job ${id} is ${JSON.stringify(last, null, 1)}\n${logsOf()}`,
  );
  return last!;
}

beforeAll(async () => {
  devnet = createTestDevnet("compute-e2e");
  // Windows wide enough for a loaded CI machine (the missed-window case waits them out), and a
  // minimum stake below what a worker keeps after one minority slash, so worker2 may serve again.
  const genesisPath = join(devnet.nodeHome, "config", "genesis.json");
  const genesis = JSON.parse(readFileSync(genesisPath, "utf8"));
  genesis.app_state.params.compute.commit_window_blocks = 40;
  genesis.app_state.params.compute.reveal_window_blocks = 40;
  genesis.app_state.params.compute.min_worker_stake = "500000";
  writeFileSync(genesisPath, JSON.stringify(genesis));
  node = await startNode(devnet.nodeHome, ["--consensus.timeout_commit_ms", "150", "--log.level", "warn"]);
  client = new KyochiRpcClient(node.rpcUrl);
  chainId = (await client.status()).chainId;

  modelPath = join(devnet.root, "mlp.onnx");
  await writeTinyMlp(modelPath, { seed: 7, inputSize: 4, hidden: 16, outputSize: 3 });
  inputPath = join(devnet.root, "input.bin");
  writeFileSync(inputPath, encodeTensors([tinyMlpInput({ seed: 3, batch: 2, inputSize: 4 })]));

  startWorker("worker0");
  // worker1 reads the chain only every 1.5 s: stopped as soon as job 2 is assigned, it cannot
  // have revealed by then (a reveal needs a later tick after everyone committed).
  startWorker("worker1", {}, 1500);
  startWorker("worker2", { KYOCHI_WORKER_FAULT: "wrong-result" });
}, 90_000);

afterAll(async () => {
  for (const w of workers.values()) await stopWorker(w, "SIGKILL");
  if (node) await stopNode(node);
  if (devnet) removeDir(devnet.root);
});

describe("compute end to end: 3 worker daemons, an ONNX model, r = 3", () => {
  it("registers and attests every worker (dev evidence: attested, never trusted)", {
    timeout: 60_000,
  }, async () => {
    await waitFor(
      async () => {
        const page = await client.listWorkers({ attested: true });
        return (page.workers as unknown[]).length === 3;
      },
      45_000,
      logsOf,
    );
    for (const name of ["worker0", "worker1", "worker2"]) {
      const w = await worker(name);
      expect(w.status).toBe("active");
      expect(w.stake).toBe(WORKER_STAKE.toString());
      const att = w.attestation as JsonObject;
      expect(att.evidenceClass).toBe("dev");
      expect(att.trusted).toBe(false);
      expect(att.expired).toBe(false);
    }
  });

  it("settles a job: majority result readable over RPC, fees and royalties exact, the wrong worker slashed", {
    timeout: 120_000,
  }, async () => {
    const { alice, bob } = devnet.keys as Record<string, SigningKey>;
    // alice sells a training + commercial license (10% royalty); bob trains the model under it.
    await send(alice!, [
      dataRegisterMsg({
        name: "sensor-readings",
        contentRoot: sha256(new TextEncoder().encode("sensor-readings")),
        sizeBytes: 1 << 20,
        locationUri: "s3://datasets/sensor-readings",
        format: "parquet",
      }),
      dataAddOfferMsg(1, {
        price: 500n,
        durationBlocks: 0,
        commercialUse: true,
        trainingAllowed: true,
        royaltyBps: ROYALTY_BPS,
        maxLicenses: 0,
      }),
    ]);
    await send(bob!, [dataBuyLicenseMsg(1, 1)]);
    const modelBytes = readFileSync(modelPath);
    await send(bob!, [
      modelsRegisterMsg({
        name: "sensor-mlp",
        version: "1",
        weightsHash: sha256(modelBytes),
        sizeBytes: modelBytes.length,
        format: ModelFormat.MODEL_FORMAT_ONNX,
        locationUri: pathToFileURL(modelPath).href,
        cardHash: sha256(new TextEncoder().encode("card")),
        inferenceFee: MODEL_FEE,
        licenseIds: [1],
      }),
    ]);

    const before = {
      alice: await balance("alice"),
      bob: await balance("bob"),
      carol: await balance("carol"),
    };
    const escrow = 3n * WORKER_PRICE + MODEL_FEE + 777n;
    await submitJob(3, escrow);
    const settled = await waitForJob(1, "settled");
    const input = readFileSync(inputPath);

    // The agreed output is the model's own answer on this input.
    const expected = await runInferenceOnce(modelBytes, input, "");
    expect(settled.resultHash).toBe(`0x${toHex(expected.resultHash)}`);
    expect(settled.resultOutput).toBe(`0x${toHex(expected.output)}`);
    const [output] = decodeTensors(fromHex(settled.resultOutput as string));
    expect(output?.dims).toEqual([2, 3]);

    const states = Object.fromEntries(assignments(settled).map((a) => [a.worker, a.state]));
    expect(states).toEqual({
      [devnet.addresses.worker0!]: "agreed",
      [devnet.addresses.worker1!]: "agreed",
      [devnet.addresses.worker2!]: "minority",
    });
    expect(settled.paidWorkers).toBe((2n * WORKER_PRICE).toString());
    expect(settled.paidModelFee).toBe(MODEL_FEE.toString());
    expect(settled.refunded).toBe((escrow - 2n * WORKER_PRICE - MODEL_FEE).toString());

    // Royalty: 10% of the fee to the dataset's owner, the rest to the model's owner; the job's
    // owner paid the escrow and its tx fee and got the rest back.
    const royalty = (MODEL_FEE * BigInt(ROYALTY_BPS)) / 10_000n;
    expect((await balance("alice")) - before.alice).toBe(royalty);
    expect((await balance("bob")) - before.bob).toBe(MODEL_FEE - royalty);
    expect((await balance("carol")) - before.carol).toBe(-TX_FEE - 2n * WORKER_PRICE - MODEL_FEE);

    // The wrong worker lost slash_minority_bps (5%) of its stake and it is on its record.
    const w2 = await worker("worker2");
    expect(w2.stake).toBe(((WORKER_STAKE * 9500n) / 10_000n).toString());
    expect((w2.reputation as JsonObject).jobsMinority).toBe(1);
    expect(((await worker("worker0")).reputation as JsonObject).jobsAgreed).toBe(1);
  });

  it("slashes a worker stopped mid-job for its missed window, and the job still settles", {
    timeout: 150_000,
  }, async () => {
    // worker2 comes back honest (same key, same journal and device key).
    await stopWorker(workers.get("worker2")!, "SIGTERM");
    startWorker("worker2");
    await submitJob(3, 3n * WORKER_PRICE + MODEL_FEE);
    // As soon as the job is assigned, worker1 dies (before or right after its commit: either way
    // it never reveals).
    await waitFor(async () => ["commit", "reveal"].includes((await job(2)).state as string), 60_000, logsOf);
    await stopWorker(workers.get("worker1")!, "SIGKILL");

    const settled = await waitForJob(2, "settled", 120_000);
    const states = Object.fromEntries(assignments(settled).map((a) => [a.worker, a.state]));
    expect(states).toEqual({
      [devnet.addresses.worker0!]: "agreed",
      [devnet.addresses.worker1!]: "missed",
      [devnet.addresses.worker2!]: "agreed",
    });
    const w1 = await worker("worker1");
    // slash_missed_bps is 1%.
    expect(w1.stake).toBe(((WORKER_STAKE * 9900n) / 10_000n).toString());
    expect((w1.reputation as JsonObject).jobsMissed).toBe(1);
    // Listing by worker finds the jobs it took part in.
    const listed = await client.listJobs({ worker: devnet.addresses.worker1!, state: "settled" });
    expect((listed.jobs as JsonObject[]).map((j) => j.id)).toEqual([1, 2]);
    // Its operator retires it: an unbonding worker gets no new jobs.
    await send(devnet.keys.worker1!, [computeUnbondWorkerMsg(decodeAddress(devnet.addresses.worker1!))]);
    expect((await worker("worker1")).status).toBe("unbonding");
  });

  it("reveals after a crash between commit and reveal, from the worker's journal", {
    timeout: 120_000,
  }, async () => {
    await stopWorker(workers.get("worker0")!, "SIGTERM");
    const crashing = startWorker("worker0", { KYOCHI_WORKER_FAULT: "crash-after-commit" });
    const crashed = new Promise((r) => crashing.proc.once("exit", (_code, signal) => r(signal)));
    // worker1 is retired: two operators are left, so r = 2.
    await submitJob(2, 2n * WORKER_PRICE + MODEL_FEE);
    expect(await crashed).toBe("SIGKILL");
    const mine = () => assignments(settledOrNot).find((a) => a.worker === devnet.addresses.worker0);
    let settledOrNot = await job(3);
    expect(mine()?.state).toBe("committed");
    startWorker("worker0");
    settledOrNot = await waitForJob(3, "settled", 90_000);
    expect(mine()?.state).toBe("agreed");
    // The restarted daemon revealed (its log line may trail the block that settled the job) and
    // did not compute or commit again: nothing was submitted twice.
    const restarted = workers.get("worker0")!;
    await waitFor(
      () => /"job":3,"round":0,"height":\d+,"msg":"result revealed"/.test(restarted.out()),
      10_000,
      restarted.out,
    );
    expect(restarted.out()).not.toMatch(/"job":3,"round":0,"msg":"job computed"/);
    expect(restarted.out()).not.toMatch(/"msg":"result committed"/);
  });
});
