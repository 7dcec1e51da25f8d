// The transport-free half of the server: takes a parsed JSON body (one request or a batch),
// validates it as JSON-RPC 2.0, runs the methods and returns the response(s). Every failure,
// including a handler bug, becomes a JSON-RPC error object; nothing thrown escapes.
import { RpcBackendError } from "../backend.js";
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import type { MethodContext, MethodTable } from "./methods/index.js";
import type { JsonRpcErrorObject, JsonRpcFailure, JsonRpcId, JsonRpcResponse } from "./protocol.js";

export interface DispatcherOptions {
  methods: MethodTable;
  context: MethodContext;
  maxBatch: number;
  logger?: RpcLogger;
  /**
   * Told of every request that named a method, once answered: the method (or "unknown" when the
   * table has none of that name, so clients cannot grow the set of names), 0 or the JSON-RPC
   * error code, and the seconds it took. A plain callback: the node feeds its metrics with it.
   */
  onRequest?: RequestObserver;
}

/** See DispatcherOptions.onRequest. */
export type RequestObserver = (method: string, code: number, seconds: number) => void;

export class Dispatcher {
  constructor(private readonly opts: DispatcherOptions) {}

  /** Responses for `body`; undefined when nothing is to be sent (only notifications). */
  async dispatch(body: unknown): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (!Array.isArray(body)) return await this.one(body);
    if (body.length === 0)
      return failure(null, new RpcError("INVALID_REQUEST", "invalid request: empty batch"));
    if (body.length > this.opts.maxBatch) {
      return failure(
        null,
        new RpcError(
          "BATCH_TOO_LARGE",
          `batch of ${body.length} requests is larger than the limit of ${this.opts.maxBatch}`,
          { maxBatch: this.opts.maxBatch },
        ),
      );
    }
    const responses = await Promise.all(body.map((entry) => this.one(entry)));
    const sent = responses.filter((r): r is JsonRpcResponse => r !== undefined);
    return sent.length > 0 ? sent : undefined;
  }

  private async one(entry: unknown): Promise<JsonRpcResponse | undefined> {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      return failure(
        null,
        new RpcError("INVALID_REQUEST", "invalid request: expected a JSON-RPC request object"),
      );
    }
    const request = entry as Record<string, unknown>;
    const hasId = Object.hasOwn(request, "id");
    const id = request.id;
    if (hasId && !isId(id)) {
      return failure(
        null,
        new RpcError("INVALID_REQUEST", "invalid request: id must be a string, a number or null"),
      );
    }
    const replyId: JsonRpcId = hasId ? (id as JsonRpcId) : null;
    if (request.jsonrpc !== "2.0") {
      return failure(replyId, new RpcError("INVALID_REQUEST", 'invalid request: "jsonrpc" must be "2.0"'));
    }
    const method = request.method;
    if (typeof method !== "string") {
      return failure(replyId, new RpcError("INVALID_REQUEST", 'invalid request: "method" must be a string'));
    }
    const unknownKey = Object.keys(request).find(
      (k) => k !== "jsonrpc" && k !== "method" && k !== "params" && k !== "id",
    );
    if (unknownKey !== undefined) {
      return failure(
        replyId,
        new RpcError("INVALID_REQUEST", `invalid request: unknown member "${unknownKey}"`),
      );
    }

    const started = performance.now();
    let response: JsonRpcResponse;
    if (!Object.hasOwn(this.opts.methods, method)) {
      response = failure(
        replyId,
        new RpcError("METHOD_NOT_FOUND", `method not found: ${method.slice(0, 100)}`, {
          methods: Object.keys(this.opts.methods),
        }),
      );
    } else {
      const handler = this.opts.methods[method as keyof MethodTable];
      try {
        const result: unknown = await handler(request.params, this.opts.context);
        response = { jsonrpc: "2.0", id: replyId, result };
      } catch (err) {
        response = failure(replyId, this.toRpcError(err, method));
      }
    }
    try {
      this.opts.onRequest?.(
        Object.hasOwn(this.opts.methods, method) ? method : "unknown",
        "error" in response ? response.error.code : 0,
        (performance.now() - started) / 1000,
      );
    } catch (err) {
      // An observer's bug must not cost the client its answer.
      this.opts.logger?.error({ err, method }, "rpc request observer failed");
    }
    // A notification gets no response, whatever happened (JSON-RPC 2.0, section 4.1).
    return hasId ? response : undefined;
  }

  private toRpcError(err: unknown, method: string): RpcError {
    if (err instanceof RpcError) return err;
    if (err instanceof RpcBackendError) return new RpcError(err.code, err.message);
    // A bug or an infrastructure failure: logged in full here, never shown to the client.
    this.opts.logger?.error({ err, method }, "rpc method failed");
    return new RpcError("INTERNAL_ERROR", "internal error");
  }
}

function isId(value: unknown): value is JsonRpcId {
  return value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

export function errorObject(err: RpcError): JsonRpcErrorObject {
  return { code: err.rpcCode, message: err.message, data: err.data };
}

export function failure(id: JsonRpcId, err: RpcError): JsonRpcFailure {
  return { jsonrpc: "2.0", id, error: errorObject(err) };
}
