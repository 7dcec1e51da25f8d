// Runs a job: looks up its model version on chain, fetches the weights and the input by URI
// (each checked against the hash the chain holds, and cached by hash), runs the model with
// onnxruntime and returns the canonical output and its hash. Sessions are kept per weights hash,
// so a worker serving the same model does not reload it for every job.
import { fromHex, sha256 } from "../../crypto/hash.js";
import type { KyochiRpcClient } from "../../rpc/client/client.js";
import type { JobView } from "./chain-views.js";
import type { JobExecutor } from "./daemon.js";
import { WorkerError } from "./errors.js";
import { fetchVerified } from "./runtime/fetch.js";
import { runInference } from "./runtime/inference.js";
import { type InferenceProvider, OnnxSession } from "./runtime/onnx-runner.js";

export interface OnnxJobExecutorOptions {
  cacheDir: string;
  provider: InferenceProvider;
  /** Open sessions kept (least recently used closed first). */
  maxSessions?: number;
}

/**
 * A test hook: KYOCHI_WORKER_FAULT=wrong-result makes the worker reveal a result it did not
 * compute (the last output byte flipped), as a dishonest or broken worker would. Used by the
 * end-to-end test that checks such a worker is slashed; never set it in production.
 */
const FAULT = process.env.KYOCHI_WORKER_FAULT;

export class OnnxJobExecutor implements JobExecutor {
  private readonly sessions = new Map<string, OnnxSession>();

  constructor(
    private readonly client: KyochiRpcClient,
    private readonly options: OnnxJobExecutorOptions,
  ) {}

  async execute(job: JobView): Promise<{ output: Uint8Array; resultHash: Uint8Array }> {
    const model = await this.client.getModel(job.modelId);
    const format = model.format;
    if (format !== "onnx") {
      throw new WorkerError("WORKER_JOB_FAILED", `model ${job.modelId} is ${String(format)}, not onnx`);
    }
    if (typeof model.weightsHash !== "string" || typeof model.locationUri !== "string") {
      throw new WorkerError("WORKER_JOB_FAILED", `model ${job.modelId} has no weights hash or location`);
    }
    const session = await this.session(model.weightsHash, model.locationUri);
    const input = await fetchVerified(job.inputUri, fromHex(job.inputHash), {
      cacheDir: this.options.cacheDir,
    });
    const result = await runInference(session, input, job.params);
    if (FAULT === "wrong-result") {
      const output = result.output.slice();
      output[output.length - 1] = (output[output.length - 1] ?? 0) ^ 0xff;
      return { output, resultHash: sha256(output) };
    }
    return { output: result.output, resultHash: result.resultHash };
  }

  private async session(weightsHash: string, uri: string): Promise<OnnxSession> {
    const cached = this.sessions.get(weightsHash);
    if (cached !== undefined) {
      // Most recently used last.
      this.sessions.delete(weightsHash);
      this.sessions.set(weightsHash, cached);
      return cached;
    }
    const bytes = await fetchVerified(uri, fromHex(weightsHash), { cacheDir: this.options.cacheDir });
    const session = await OnnxSession.create(bytes, { provider: this.options.provider });
    this.sessions.set(weightsHash, session);
    const max = this.options.maxSessions ?? 4;
    for (const [hash, old] of this.sessions) {
      if (this.sessions.size <= max) break;
      this.sessions.delete(hash);
      await old.close();
    }
    return session;
  }
}
