// The nonce a worker must put in its GPU's GET_MEASUREMENTS request. It binds the evidence to one
// chain, one recent block (the anchor: its height and hash, so evidence cannot be made before that
// block existed), one operator, one worker and one GPU index, so a report cannot be replayed
// for another worker or GPU. The attestation module recomputes it from the message and state and
// passes it to the verifier as the expected nonce.
//
// Encoding: sha256 over fields, each written as a 4-byte big-endian length then its bytes:
//   "kyochi/attestation/v1", chain id (UTF-8), anchor height (u64 BE), anchor block hash (32),
//   operator (address bytes), worker (the worker key's 20-byte address; `workerKey` below),
//   GPU index (u32 BE).
// Length prefixes make the encoding injective: no two inputs share a preimage.

import { u32be, u64be } from "../bytes.js";
import { sha256 } from "../hash.js";
import { AttestationError } from "./errors.js";

export const ATTESTATION_NONCE_DOMAIN = "kyochi/attestation/v1";
export const ATTESTATION_NONCE_BYTES = 32;
const MAX_FIELD_BYTES = 1024;

export interface AttestationNonceInput {
  chainId: string;
  anchorHeight: number;
  anchorBlockHash: Uint8Array;
  operator: Uint8Array;
  workerKey: Uint8Array;
  gpuIndex: number;
}

function invalid(message: string): AttestationError {
  return new AttestationError("INVALID_ARGUMENT", message);
}

function field(bytes: Uint8Array, what: string): Uint8Array[] {
  if (bytes.length > MAX_FIELD_BYTES) throw invalid(`${what} is longer than ${MAX_FIELD_BYTES} bytes`);
  return [u32be(bytes.length), bytes];
}

export function attestationNonce(input: AttestationNonceInput): Uint8Array {
  const { chainId, anchorHeight, anchorBlockHash, operator, workerKey, gpuIndex } = input;
  if (chainId.length === 0) throw invalid("chain id is empty");
  if (!Number.isSafeInteger(anchorHeight) || anchorHeight < 0)
    throw invalid(`anchor height ${anchorHeight} is not a non-negative safe integer`);
  if (anchorBlockHash.length !== 32)
    throw invalid(`anchor block hash is ${anchorBlockHash.length} bytes, not 32`);
  if (operator.length === 0) throw invalid("operator is empty");
  if (workerKey.length === 0) throw invalid("worker key is empty");
  if (!Number.isInteger(gpuIndex) || gpuIndex < 0 || gpuIndex > 0xffffffff)
    throw invalid(`GPU index ${gpuIndex} is not a u32`);
  return sha256(
    ...field(new TextEncoder().encode(ATTESTATION_NONCE_DOMAIN), "domain"),
    ...field(new TextEncoder().encode(chainId), "chain id"),
    ...field(u64be(anchorHeight), "anchor height"),
    ...field(anchorBlockHash, "anchor block hash"),
    ...field(operator, "operator"),
    ...field(workerKey, "worker key"),
    ...field(u32be(gpuIndex), "GPU index"),
  );
}
