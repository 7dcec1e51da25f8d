// Canonical decoding: the one rule that keeps signed and hashed objects non-malleable.
//
// protobufjs's generated encoder writes fields in field-number order, omits proto3 defaults and
// writes minimal varints; its decoder drops explicit defaults and keeps unknown fields in
// `$unknowns`. So bytes are canonical exactly when they decode without unknown fields anywhere
// and re-encode to the same bytes. Anything else (reordered or repeated fields, explicit zeros,
// padded varints, unknown or mistyped fields, trailing bytes) is rejected.

export class NonCanonicalError extends Error {
  readonly code = "NON_CANONICAL_ENCODING";
  constructor(what: string, detail: string) {
    super(`${what} is not canonically encoded: ${detail}`);
    this.name = "NonCanonicalError";
  }
}

export interface MessageCodec<T> {
  decode(bytes: Uint8Array): T;
  encode(message: T): { finish(): Uint8Array };
}

/** Decodes `bytes` as `codec`'s message and throws NonCanonicalError unless they are canonical. */
export function decodeCanonical<T>(codec: MessageCodec<T>, bytes: Uint8Array, what: string): T {
  let message: T;
  try {
    message = codec.decode(bytes);
  } catch (err) {
    throw new NonCanonicalError(what, `malformed protobuf (${(err as Error).message})`);
  }
  if (hasUnknownFields(message)) throw new NonCanonicalError(what, "unknown or mistyped fields");
  if (hasUnsafeInteger(message)) throw new NonCanonicalError(what, "an integer field is above 2^53-1");
  const again = codec.encode(message).finish();
  if (!bytesEqual(again, bytes)) throw new NonCanonicalError(what, "does not re-encode to the same bytes");
  return message;
}

/** Encodes a message; the generated encoder is canonical by construction. */
export function encode<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  return codec.encode(message).finish();
}

function hasUnknownFields(value: unknown, depth = 0): boolean {
  if (depth > 32 || value === null || typeof value !== "object" || value instanceof Uint8Array) return false;
  if (Array.isArray(value)) return value.some((v) => hasUnknownFields(v, depth + 1));
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, "$unknowns")) {
    const unknowns = record.$unknowns;
    if (Array.isArray(unknowns) && unknowns.length > 0) return true;
  }
  for (const key of Object.keys(record)) {
    if (key !== "$unknowns" && hasUnknownFields(record[key], depth + 1)) return true;
  }
  return false;
}

// 64-bit fields decode to JS numbers; values above 2^53-1 may still re-encode to the same bytes
// (2^60 is exact in a double) but arithmetic on them is not, so they are refused outright.
function hasUnsafeInteger(value: unknown, depth = 0): boolean {
  if (typeof value === "number") return !Number.isSafeInteger(value) && Number.isInteger(value);
  if (depth > 32 || value === null || typeof value !== "object" || value instanceof Uint8Array) return false;
  if (Array.isArray(value)) return value.some((v) => hasUnsafeInteger(v, depth + 1));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key !== "$unknowns" && hasUnsafeInteger(record[key], depth + 1)) return true;
  }
  return false;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
