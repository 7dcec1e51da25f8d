// The bridge from JSON-RPC methods to the application's module queries ("dataset/3",
// "models/cursor=5&limit=10"): checks the height, runs the query, maps a failed answer onto the
// RPC error vocabulary, and renders the module's snake_case JSON in the RPC's camelCase.
import type { AppQueryAnswer } from "../../backend.js";
import { RpcError } from "../../errors.js";
import type { JsonObject } from "../../types.js";
import { optionalHeight, optionalInteger, type Params } from "../params.js";
import { assertCommitted, type MethodContext } from "./context.js";

/** Largest page a list method returns (the modules' bound). */
export const MAX_LIST_LIMIT = 100;

/** Codenames that mean "no such object": answered as NOT_FOUND, with the codename kept in data.code. */
function isNotFound(codename: string): boolean {
  return codename.endsWith("_NOT_FOUND") || codename.startsWith("UNKNOWN_");
}

/**
 * Runs `path` at the request's optional `height` param; resolves to the answer in camelCase with
 * the height that answered: the answer's fields at the top, or the answer under `under` when given
 * (for answers that may be null). `Result` is the method's declared result (rpc/module-json.ts):
 * the module's JSON is taken to be its view, which rpc/client/module-results.test.ts checks.
 */
export async function moduleQuery<Result extends object = JsonObject>(
  ctx: MethodContext,
  params: Params,
  path: string,
  under?: string,
): Promise<Result> {
  const height = optionalHeight(params, "height");
  if (height !== undefined) assertCommitted(ctx, height);
  const answer = await ctx.backend.queryApp(path, height);
  if (answer.code !== 0) throw queryFailure(answer);
  const text = answer.value === undefined ? "null" : new TextDecoder().decode(answer.value);
  const value = camelize(JSON.parse(text) as unknown);
  const result =
    under !== undefined
      ? { height: answer.height, [under]: value }
      : { height: answer.height, ...(isObject(value) ? value : { value }) };
  return result as Result;
}

/** A failed module query's answer in the RPC error vocabulary (also used by the gRPC services). */
export function queryFailure(answer: AppQueryAnswer): RpcError {
  const details = { height: answer.height, appCode: answer.code };
  if (answer.codename === "QUERY_HEIGHT_UNAVAILABLE") {
    return new RpcError("HEIGHT_NOT_AVAILABLE", answer.log, details);
  }
  if (answer.codename === "QUERY_INVALID_ARGUMENT") {
    return new RpcError("INVALID_PARAMS", `invalid params: ${answer.log}`, {
      ...details,
      reason: "BAD_VALUE",
    });
  }
  if (isNotFound(answer.codename)) return new RpcError("NOT_FOUND", answer.log, details, answer.codename);
  return new RpcError("QUERY_FAILED", answer.log, details, answer.codename);
}

/** The `cursor=..&limit=..` part of a list query's path, from the request's params. */
export function pageArgs(params: Params): string[] {
  const out: string[] = [];
  const cursor = optionalInteger(params, "cursor", 0, Number.MAX_SAFE_INTEGER);
  const limit = optionalInteger(params, "limit", 1, MAX_LIST_LIMIT);
  if (cursor !== undefined) out.push(`cursor=${cursor}`);
  if (limit !== undefined) out.push(`limit=${limit}`);
  return out;
}

/** A `key=value` filter for a list query's path (the value URI-encoded). */
export function filterArg(key: string, value: string | number): string {
  return `${key}=${encodeURIComponent(String(value))}`;
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** snake_case keys to camelCase, recursively (values untouched). */
export function camelize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelize);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())] = camelize(inner);
  }
  return out;
}
