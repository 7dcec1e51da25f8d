// Inference on the worker runtime: the tiny MLP (generated, float32) on onnxruntime-node's CPU
// provider with the worker's deterministic options (one thread, sequential, basic optimisation).
// Per model size: session load time, ms/run and runs/s of onnxruntime alone, and ms per whole job
// (decode the canonical input, run, encode the outputs canonically, sha256) — what a worker spends
// on one job once the model and input are fetched.
//
//   node dist/scripts/bench/inference.js
// Env: KYOCHI_BENCH_QUICK=1 (fewer runs), KYOCHI_BENCH_INFER_SHAPES=in-hidden-out,... (default
//      16-64-4,128-512-16,512-2048-64), KYOCHI_BENCH_INFER_BATCH=1, KYOCHI_BENCH_INFER_RUNS (most runs per
//      measure, default 5000, quick 500), KYOCHI_BENCH_INFER_MS (time budget per measure, default 2000, quick 500).
// "load ms" of the first model includes onnxruntime's one-time initialisation.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { encodeTensors } from "../../crypto/inference-output.js";
import { runInference } from "../../node/worker/runtime/inference.js";
import { ONNXRUNTIME_VERSION, OnnxSession } from "../../node/worker/runtime/onnx-runner.js";
import { type TinyMlpSpec, tinyMlpBytes, tinyMlpInput } from "../../node/worker/runtime/tiny-mlp.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}: not a positive integer: ${raw}`);
  return n;
}

function shapes(): TinyMlpSpec[] {
  const raw = process.env.KYOCHI_BENCH_INFER_SHAPES ?? "16-64-4,128-512-16,512-2048-64";
  return raw.split(",").map((s, i) => {
    const [inputSize, hidden, outputSize] = s.trim().split("-").map(Number);
    if (!inputSize || !hidden || !outputSize)
      throw new Error(`KYOCHI_BENCH_INFER_SHAPES: not in-hidden-out: ${s}`);
    return { seed: i + 1, inputSize, hidden, outputSize };
  });
}

interface Row {
  model: string;
  "model KiB": number;
  batch: number;
  "load ms": string;
  runs: number;
  "ms/run": string;
  "runs/s": string;
  "ms/job (decode+run+encode+hash)": string;
}

/** Runs `f` up to `maxRuns` times or until `budgetMs` has passed; returns the runs done and their time. */
async function timeLoop(
  maxRuns: number,
  budgetMs: number,
  f: () => Promise<unknown>,
): Promise<{ runs: number; ms: number }> {
  for (let i = 0; i < Math.min(20, maxRuns); i++) await f(); // warm-up: the first runs allocate
  const start = performance.now();
  let runs = 0;
  while (runs < maxRuns) {
    await f();
    runs++;
    if (performance.now() - start > budgetMs) break;
  }
  return { runs, ms: performance.now() - start };
}

export async function run(): Promise<void> {
  const batch = envInt("KYOCHI_BENCH_INFER_BATCH", 1);
  const maxRuns = envInt("KYOCHI_BENCH_INFER_RUNS", QUICK ? 500 : 5000);
  const budgetMs = envInt("KYOCHI_BENCH_INFER_MS", QUICK ? 500 : 2000);
  const rows: Row[] = [];
  for (const spec of shapes()) {
    const bytes = tinyMlpBytes(spec);
    const loadStart = performance.now();
    const session = await OnnxSession.create(bytes);
    const loadMs = performance.now() - loadStart;
    try {
      const input = tinyMlpInput({ seed: 1, batch, inputSize: spec.inputSize });
      const inputBytes = encodeTensors([input]);
      const ort = await timeLoop(maxRuns, budgetMs, () => session.run([input]));
      const job = await timeLoop(maxRuns, budgetMs, () => runInference(session, inputBytes, ""));
      rows.push({
        model: `${spec.inputSize}-${spec.hidden}-${spec.outputSize}`,
        "model KiB": Math.round(bytes.length / 1024),
        batch,
        "load ms": loadMs.toFixed(1),
        runs: ort.runs,
        "ms/run": (ort.ms / ort.runs).toFixed(3),
        "runs/s": Math.round((ort.runs * 1000) / ort.ms).toLocaleString("en-US"),
        "ms/job (decode+run+encode+hash)": (job.ms / job.runs).toFixed(3),
      });
    } finally {
      await session.close();
    }
  }
  console.log(
    `inference: onnxruntime-node ${ONNXRUNTIME_VERSION}, CPU provider, 1 intra-op thread, node ${process.version}${QUICK ? " (quick)" : ""}`,
  );
  console.table(rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
