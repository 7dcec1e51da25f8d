// The one shape of every Kyochi error: a class per area (CryptoError, StateError, ...) with a
// stable string `code` that RPC and the CLI show. It lives in proto/ because every folder may
// import proto/ and none may import another area's errors.
export class CodedError<C extends string> extends Error {
  readonly code: C;
  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
