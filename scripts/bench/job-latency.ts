// Job latency on a devnet, as a user sees it: `kyochi devnet` with 4 validators (1 s blocks by
// default) and 3 worker daemons (dev attestation, onnxruntime on CPU). An example ONNX model is
// registered, then jobs are submitted one after another; each job's latency runs from the moment
// its submit tx is broadcast to the moment compute_getJob shows it settled (polled every 50 ms),
// in seconds and in blocks (settled height - submitted height). r = 1 and r = 3.
//
// Env: KYOCHI_BENCH_JOBS (per replication, default 10; 4 with KYOCHI_BENCH_QUICK=1),
// KYOCHI_BENCH_BLOCK_MS (timeout_commit, default 1000).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import { sha256 } from "../../crypto/hash.js";
import { encodeTensors } from "../../crypto/inference-output.js";
import type { SigningKey } from "../../crypto/keys.js";
import { Keyring } from "../../node/keyring.js";
import { tinyMlpInput, writeTinyMlp } from "../../node/worker/runtime/tiny-mlp.js";
import { ModelFormat, type Msg } from "../../proto/index.js";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { computeSubmitJobMsg } from "../../rpc/client/msgs-compute.js";
import { modelsRegisterMsg } from "../../rpc/client/msgs-models.js";
import { signTx } from "../../rpc/client/tx-builder.js";
import { freePort } from "./free-port.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const JOBS = Number(process.env.KYOCHI_BENCH_JOBS ?? (QUICK ? 4 : 10));
const BLOCK_MS = Number(process.env.KYOCHI_BENCH_BLOCK_MS ?? 1000);
const CLI = resolve(import.meta.dirname, "..", "..", "node", "cli", "main.js");
const GAS = 200_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not up yet
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "kyochi-bench-latency-"));
  const rpcPort = await freePort();
  const devnet: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      "devnet",
      "--home",
      root,
      "--validators",
      "4",
      "--workers",
      "3",
      "--rpc.laddr",
      `127.0.0.1:${rpcPort}`,
      "--p2p.laddr",
      `127.0.0.1:${await freePort()}`,
      "--consensus.timeout_commit_ms",
      String(BLOCK_MS),
      "--log.level",
      "warn",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  try {
    const client = new KyochiRpcClient(`http://127.0.0.1:${rpcPort}`);
    const chainId = await until("the devnet", 60_000, async () => (await client.status()).chainId);
    const keyring = new Keyring(join(root, "keyring"));
    const send = async (key: SigningKey, msgs: Msg[]) => {
      const sender = encodeAddress(addressFromPublicKey(key.type, key.publicKey));
      const nonce = (await client.getAccount(sender)).nonce;
      const tx = signTx(key, msgs, { chainId, nonce, fee: BigInt(GAS), gasLimit: GAS, memo: "" });
      const answer = await client.broadcastTx(tx.bytes, "commit", 30_000);
      if (answer.result.code !== 0) throw new Error(`${answer.result.codename}: ${answer.result.log}`);
    };
    await until("3 attested workers", 90_000, async () =>
      ((await client.listWorkers({ attested: true })).workers as unknown[]).length === 3 ? true : undefined,
    );

    const modelPath = join(root, "mlp.onnx");
    await writeTinyMlp(modelPath, { seed: 1, inputSize: 4, hidden: 16, outputSize: 2 });
    const model = readFileSync(modelPath);
    await send(keyring.get("bob"), [
      modelsRegisterMsg({
        name: "bench-mlp",
        version: "1",
        weightsHash: sha256(model),
        sizeBytes: model.length,
        format: ModelFormat.MODEL_FORMAT_ONNX,
        locationUri: pathToFileURL(modelPath).href,
        cardHash: sha256(model),
        inferenceFee: 0n,
      }),
    ]);
    const inputPath = join(root, "input.bin");
    const input = encodeTensors([tinyMlpInput({ seed: 1, batch: 1, inputSize: 4 })]);
    writeFileSync(inputPath, input);

    const rows: Record<string, string | number>[] = [];
    let nextJob = 1;
    for (const replication of [1, 3]) {
      const seconds: number[] = [];
      const blocks: number[] = [];
      for (let i = 0; i < JOBS; i++) {
        const id = nextJob++;
        const t0 = performance.now();
        await send(keyring.get("carol"), [
          computeSubmitJobMsg({
            modelId: 1,
            inputHash: sha256(input),
            inputUri: pathToFileURL(inputPath).href,
            replication,
            maxPrice: 1000n,
            escrow: BigInt(replication) * 1000n,
            deadlineBlocks: 100,
          }),
        ]);
        const job = await until(`job ${id} settled`, 120_000, async () => {
          const j = await client.getJob(id);
          return j.state === "settled" || j.state === "failed" ? j : undefined;
        });
        if (job.state !== "settled") throw new Error(`job ${id} failed: ${String(job.failure)}`);
        seconds.push((performance.now() - t0) / 1000);
        blocks.push(Number(job.settledHeight) - Number(job.submittedHeight));
      }
      seconds.sort((a, b) => a - b);
      blocks.sort((a, b) => a - b);
      rows.push({
        replication,
        jobs: JOBS,
        "p50 s": percentile(seconds, 50).toFixed(2),
        "max s": (seconds[seconds.length - 1] ?? Number.NaN).toFixed(2),
        "p50 blocks": percentile(blocks, 50),
        "max blocks": blocks[blocks.length - 1] ?? Number.NaN,
      });
    }
    console.log(`\njob latency, submit to settled (devnet: 4 validators, 3 workers, ${BLOCK_MS} ms blocks)`);
    console.table(rows);
  } finally {
    devnet.kill("SIGINT");
    await new Promise((r) => devnet.once("exit", r));
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
