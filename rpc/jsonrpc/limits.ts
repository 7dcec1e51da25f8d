// The cap on JSON-RPC requests handled at once, shared by HTTP and every WebSocket connection.
// Nothing waits for a slot: a request that finds the cap reached is answered SERVER_BUSY at once
// (HTTP 503 with Retry-After), so the node never holds an unbounded queue of work it cannot do.
// A request holds its slot until its answer is ready, a tx_broadcast waiting for its commit
// included. A batch is one request here, as it is one HTTP request or WebSocket message: its size
// is bounded by max_batch, so the work in progress is bounded by the cap times max_batch. (Counting
// a batch's entries would let a few batches fill the cap: batches of tx_broadcast are how load
// generators and wallets submit many txs.)
import { RpcError } from "../errors.js";
import type { RpcLogger } from "../logger.js";
import { failure } from "./dispatch.js";
import type { JsonRpcFailure, JsonRpcId } from "./protocol.js";

export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;
/** Seconds a refused client is told to wait (Retry-After). */
export const BUSY_RETRY_AFTER_SECONDS = 1;
/** Refusals are logged at most this often, with their count since the last line. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

/**
 * A warning for refusals that may come by the thousand (an abusive or overloaded client): logged
 * at most once per interval, with the number of refusals since the previous line.
 */
export class RefusalLog {
  private count = 0;
  private lastLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly message: string,
    private readonly logger?: RpcLogger,
  ) {}

  note(details: object): void {
    this.count++;
    const now = performance.now();
    if (this.logger === undefined || now - this.lastLog < REFUSAL_LOG_INTERVAL_MS) return;
    this.logger.warn({ ...details, refused: this.count }, this.message);
    this.lastLog = now;
    this.count = 0;
  }
}

/**
 * A count of work in progress with a cap; nothing waits for a slot. The gRPC server keeps two (its
 * unary calls and its streams: rpc/grpc/call-limits.ts), named by `setting` in its log lines.
 */
export class RequestLimiter {
  private active = 0;
  private readonly refusals: RefusalLog;

  constructor(
    readonly max: number,
    logger?: RpcLogger,
    setting = "rpc.max_concurrent_requests",
  ) {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`${setting} must be a positive integer, got ${max}`);
    }
    this.refusals = new RefusalLog(`requests refused: too many in progress (${setting})`, logger);
  }

  /** Requests being handled now. */
  get inFlight(): number {
    return this.active;
  }

  /** Takes a slot for one request (or batch); false, and nothing taken, when none is free. */
  tryAcquire(): boolean {
    if (this.active >= this.max) {
      this.refusals.note({ maxConcurrentRequests: this.max });
      return false;
    }
    this.active++;
    return true;
  }

  /** Gives back the slot of a request whose answer is ready. */
  release(): void {
    this.active = Math.max(0, this.active - 1);
  }

  /** The SERVER_BUSY error this limiter answers with. */
  busyError(): RpcError {
    // Kind UNAVAILABLE (-32005, gRPC UNAVAILABLE) with its own stable code, like the other limits.
    return new RpcError(
      "UNAVAILABLE",
      `the server is handling its limit of ${this.max} requests at once; retry in ${BUSY_RETRY_AFTER_SECONDS} s`,
      { maxConcurrentRequests: this.max, retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
      "SERVER_BUSY",
    );
  }
}

/**
 * The answer to a body refused with `err`: for one request a failure with its id, for a batch a
 * failure per request that has an id (so a client can match them), or one with a null id.
 */
export function refusalOf(body: unknown, err: RpcError): JsonRpcFailure | JsonRpcFailure[] {
  if (!Array.isArray(body)) return failure(idOf(body) ?? null, err);
  const answers: JsonRpcFailure[] = [];
  for (const entry of body) {
    const id = idOf(entry);
    if (id !== undefined) answers.push(failure(id, err));
  }
  return answers.length > 0 ? answers : failure(null, err);
}

/** The id of a request object, when it has a valid one. */
function idOf(entry: unknown): JsonRpcId | undefined {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return undefined;
  const id = (entry as Record<string, unknown>).id;
  if (id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id))) return id;
  return undefined;
}
