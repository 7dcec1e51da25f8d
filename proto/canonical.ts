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
  const found = scan(message, 0);
  if ((found & UNKNOWN_FIELDS) !== 0) throw new NonCanonicalError(what, "unknown or mistyped fields");
  if ((found & UNSAFE_INTEGER) !== 0) throw new NonCanonicalError(what, "an integer field is above 2^53-1");
  const again = codec.encode(message).finish();
  if (!bytesEqual(again, bytes)) throw new NonCanonicalError(what, "does not re-encode to the same bytes");
  return message;
}

/** Encodes a message; the generated encoder is canonical by construction. */
export function encode<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  return codec.encode(message).finish();
}

const UNSAFE_INTEGER = 1;
const UNKNOWN_FIELDS = 2;

/**
 * One walk of a decoded message for what makes it non-canonical beyond its bytes: unknown fields
 * anywhere (UNKNOWN_FIELDS, which ends the walk) and 64-bit fields above 2^53-1 (UNSAFE_INTEGER:
 * they decode to JS numbers, and 2^60 may re-encode to the same bytes, but arithmetic on them is
 * not exact). One walk for both: every tx is walked. (for-in, which allocates no key array, was
 * slower here: generated messages keep their defaults on the prototype, so every key needs an
 * own-property check.)
 */
function scan(value: unknown, depth: number): number {
  if (typeof value === "number")
    return !Number.isSafeInteger(value) && Number.isInteger(value) ? UNSAFE_INTEGER : 0;
  if (depth > 32 || value === null || typeof value !== "object" || value instanceof Uint8Array) return 0;
  let found = 0;
  if (Array.isArray(value)) {
    for (const v of value) {
      found |= scan(v, depth + 1);
      if ((found & UNKNOWN_FIELDS) !== 0) return found;
    }
    return found;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (key === "$unknowns") {
      if (Array.isArray(v) && v.length > 0) return found | UNKNOWN_FIELDS;
      continue;
    }
    found |= scan(v, depth + 1);
    if ((found & UNKNOWN_FIELDS) !== 0) return found;
  }
  return found;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
