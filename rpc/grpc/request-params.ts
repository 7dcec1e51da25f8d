// A typed gRPC request as the params of its JSON-RPC twin, so both surfaces check input the same way.

/** What the static class of a request message offers (fields in camelCase). */
export interface RequestCodec<T> {
  toObject(message: T): Record<string, unknown>;
}

/**
 * The JSON-RPC params of a request: its fields, without the proto3 defaults a client may send
 * for "unset" (0, ""); `optional` fields (e.g. attested) keep false.
 */
export function paramsOf<T>(codec: RequestCodec<T>, request: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(codec.toObject(request))) {
    if (value !== 0 && value !== "") out[key] = value;
  }
  return out;
}
