// The commitment a compute worker publishes before revealing its result. Committing first means no
// worker can copy another's answer: results stay hidden until every worker of the round is bound
// to its own. The chain recomputes it from the reveal; the worker daemon computes it to commit.
//
// Encoding: sha256 over
//   utf8("kyochi/compute/commit/v1"), job id (u64 BE), round (u32 BE), result hash (32),
//   salt length (u32 BE), salt (16..64), worker address (20).
// Every field has a fixed length except the salt, which is length-prefixed: the encoding is
// injective. The job id, round and worker make a commitment useless for any other job, round or
// worker (a worker cannot replay someone else's commitment); the salt keeps a result hash that is
// easy to guess (a popular input) from being recognised in the commitment.

import { u32be, u64be } from "./bytes.js";
import { CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";

export const COMMIT_DOMAIN = "kyochi/compute/commit/v1";
export const RESULT_HASH_BYTES = 32;
export const COMMITMENT_BYTES = 32;
export const MIN_SALT_BYTES = 16;
export const MAX_SALT_BYTES = 64;
export const WORKER_ADDRESS_BYTES = 20;

export interface ResultCommitmentInput {
  jobId: number;
  round: number;
  resultHash: Uint8Array;
  salt: Uint8Array;
  worker: Uint8Array;
}

const DOMAIN_BYTES = new TextEncoder().encode(COMMIT_DOMAIN);

function invalid(message: string): CryptoError {
  return new CryptoError("INVALID_ARGUMENT", message);
}

export function resultCommitment(i: ResultCommitmentInput): Uint8Array {
  if (!Number.isSafeInteger(i.jobId) || i.jobId < 1)
    throw invalid(`job id ${i.jobId} is not a positive integer`);
  if (!Number.isInteger(i.round) || i.round < 0 || i.round > 0xffffffff)
    throw invalid(`round ${i.round} is not a u32`);
  if (i.resultHash.length !== RESULT_HASH_BYTES)
    throw invalid(`result hash is ${i.resultHash.length} bytes, not ${RESULT_HASH_BYTES}`);
  if (i.salt.length < MIN_SALT_BYTES || i.salt.length > MAX_SALT_BYTES)
    throw invalid(`salt is ${i.salt.length} bytes, not ${MIN_SALT_BYTES}..${MAX_SALT_BYTES}`);
  if (i.worker.length !== WORKER_ADDRESS_BYTES)
    throw invalid(`worker address is ${i.worker.length} bytes, not ${WORKER_ADDRESS_BYTES}`);
  return sha256(
    DOMAIN_BYTES,
    u64be(i.jobId),
    u32be(i.round),
    i.resultHash,
    u32be(i.salt.length),
    i.salt,
    i.worker,
  );
}
