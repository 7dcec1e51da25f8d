// Stateless checks of what a worker declares: its key, its capabilities, its amounts.
import { PUBLIC_KEY_LENGTH } from "../../../crypto/keys.js";
import { type KeyType, type kyochi, WorkerCapabilities } from "../../../proto/index.js";
import { parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";

export const MAX_GPU_MODEL_BYTES = 128;
export const MAX_RUNTIMES = 16;
export const MAX_CONCURRENT_JOBS = 64;
const RUNTIME = /^[a-z0-9][a-z0-9._-]{0,31}$/;

function invalidCapabilities(message: string): ExecutionError {
  return new ExecutionError("COMPUTE_INVALID_CAPABILITIES", message);
}

/** Throws COMPUTE_INVALID_WORKER unless `publicKey` has the length of its key type. */
export function checkWorkerKey(keyType: KeyType | null | undefined, publicKey: Uint8Array): void {
  const length = keyType == null ? undefined : PUBLIC_KEY_LENGTH[keyType];
  if (length === undefined)
    throw new ExecutionError("COMPUTE_INVALID_WORKER", `key type ${keyType} is not ed25519 or secp256k1`);
  if (publicKey.length !== length)
    throw new ExecutionError(
      "COMPUTE_INVALID_WORKER",
      `public key is ${publicKey.length} bytes, a key of this type has ${length}`,
    );
}

/** Throws COMPUTE_INVALID_CAPABILITIES unless `c` is a well-formed declaration. */
export function checkCapabilities(
  c: kyochi.compute.v1.WorkerCapabilities.$Properties | null | undefined,
): WorkerCapabilities {
  if (!c) throw invalidCapabilities("capabilities are missing");
  const gpuModel = c.gpuModel ?? "";
  if (Buffer.byteLength(gpuModel, "utf8") > MAX_GPU_MODEL_BYTES)
    throw invalidCapabilities(`gpu_model is longer than ${MAX_GPU_MODEL_BYTES} UTF-8 bytes`);
  const memory = c.gpuMemoryMib ?? 0;
  if (!Number.isSafeInteger(memory) || memory < 0)
    throw invalidCapabilities("gpu_memory_mib is out of range");
  const runtimes = c.runtimes ?? [];
  if (runtimes.length < 1 || runtimes.length > MAX_RUNTIMES)
    throw invalidCapabilities(`runtimes must list 1..${MAX_RUNTIMES} runtimes, got ${runtimes.length}`);
  for (const [i, r] of runtimes.entries()) {
    if (!RUNTIME.test(r))
      throw invalidCapabilities(
        `runtime ${JSON.stringify(r)} is not 1..32 lower-case characters [a-z0-9._-]`,
      );
    // Sorted and unique, so one set of runtimes has one encoding (and one state hash).
    if (i > 0 && r <= runtimes[i - 1]!)
      throw invalidCapabilities(
        `runtimes must be sorted and unique: ${JSON.stringify(r)} follows ${JSON.stringify(runtimes[i - 1])}`,
      );
  }
  const jobs = c.maxConcurrentJobs ?? 0;
  if (jobs < 1 || jobs > MAX_CONCURRENT_JOBS)
    throw invalidCapabilities(`max_concurrent_jobs must be 1..${MAX_CONCURRENT_JOBS}, got ${jobs}`);
  return WorkerCapabilities.create({
    gpuModel,
    gpuMemoryMib: memory,
    runtimes: [...runtimes],
    maxConcurrentJobs: jobs,
  });
}

/** A worker amount (stake, price) as a bigint; COMPUTE_INVALID_WORKER when not 0..2^128-1. */
export function workerAmount(text: string | null | undefined, what: string): bigint {
  return parseAmount(text ?? "", what, "COMPUTE_INVALID_WORKER");
}
