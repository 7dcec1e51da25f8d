export type CryptoErrorCode =
  | "INVALID_ADDRESS"
  | "INVALID_PUBLIC_KEY"
  | "INVALID_PRIVATE_KEY"
  | "UNSUPPORTED_KEY_TYPE"
  | "INVALID_SIGNATURE";

/** One error class for crypto/, with a stable string code (Lodestar style). */
export class CryptoError extends Error {
  readonly code: CryptoErrorCode;
  constructor(code: CryptoErrorCode, message: string) {
    super(message);
    this.name = "CryptoError";
    this.code = code;
  }
}
