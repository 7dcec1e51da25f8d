import { CodedError } from "../proto/coded-error.js";
export type CryptoErrorCode =
  | "INVALID_ADDRESS"
  | "INVALID_PUBLIC_KEY"
  | "INVALID_PRIVATE_KEY"
  | "UNSUPPORTED_KEY_TYPE"
  | "INVALID_SIGNATURE"
  /** a field of a consensus object cannot be SSZ-hashed (wrong byte length, out of range) */
  | "INVALID_SSZ_FIELD"
  /** a signature-verification worker thread died while a batch was in flight */
  | "VERIFY_WORKER_FAILED"
  /** VerifyPool used after close() */
  | "VERIFY_POOL_CLOSED"
  /** a caller passed an out-of-range option (e.g. a pool size) */
  | "INVALID_ARGUMENT";

/** One error class for crypto/, with a stable string code (Lodestar style). */
export class CryptoError extends CodedError<CryptoErrorCode> {}
