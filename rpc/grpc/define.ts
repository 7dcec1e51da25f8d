// Typed gRPC methods over the static protobuf classes, checked against the descriptor. A service is
// written as `defineService(name, { Method: unary(Req, Res, impl), ... })`; defineService refuses
// (at startup, and in the tests) any method whose name, message types or streaming differ from
// the .proto, so the code and the schemas cannot drift apart.
//
// Requests are decoded here, not by grpc-js: bytes that do not decode become an INVALID_ARGUMENT
// answer naming the message type, instead of grpc-js's generic INTERNAL "Error deserializing".
// Every call is also reported, once answered, to an optional observer (the node's metrics), and
// passes the server's cap on calls (unary) or streams in progress first (call-limits.ts).
import {
  type MethodDefinition,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type StatusObject,
  type sendUnaryData,
  status,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { AnyDefinition } from "@grpc/proto-loader";
import type { RpcLogger } from "../logger.js";
import type { CallGate, CallLimits } from "./call-limits.js";
import { describedMethods, kyochiPackageDefinition } from "./descriptor.js";
import { GrpcError, toServiceError } from "./errors.js";

/** What the static classes of proto/gen provide (e.g. kyochi.chain.v1.GetBlockRequest). */
export interface MessageCodec<T> {
  // NoInfer: T is the decoded class (Foo), not the wider input interface (IFoo) encode accepts.
  encode(message: NoInfer<T>): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  getTypeUrl(prefix?: string): string;
}

/**
 * Told of every call of a kyochi method once it is answered (a stream: once it ends, by the
 * server, an error or the client's cancel): the path ("/package.Service/Method"), the gRPC
 * status name (OK, NOT_FOUND, CANCELLED...) and the seconds it took. A plain callback: the node
 * feeds its metrics with it. Unknown methods never reach a handler (grpc-js answers them).
 */
export type GrpcRequestObserver = (method: string, code: string, seconds: number) => void;

/** What a method's handler reports to, set once the service is defined. */
interface HandlerHooks {
  path: string;
  logger: RpcLogger | undefined;
  onRequest: GrpcRequestObserver | undefined;
  /** The cap this method's calls pass (none: unlimited). */
  gate: CallGate | undefined;
}

/** What every method of a service is wired to (the GrpcContext has both). */
export interface ServiceHooks {
  onRequest?: GrpcRequestObserver | undefined;
  limits?: CallLimits | undefined;
}

/** Takes a slot of the method's gate; the refusal to answer with when none is free. */
function admit(hooks: HandlerHooks): Partial<StatusObject> | undefined {
  if (hooks.gate === undefined || hooks.gate.tryAcquire()) return undefined;
  return toServiceError(hooks.gate.refusal(), hooks.path);
}

/** Starts timing a call; the returned function reports its status once (later calls are ignored). */
function track(hooks: HandlerHooks): (code: status | undefined) => void {
  const { onRequest } = hooks;
  if (onRequest === undefined) return () => {};
  const started = performance.now();
  let reported = false;
  return (code) => {
    if (reported) return;
    reported = true;
    const name = status[code ?? status.UNKNOWN] ?? String(code);
    try {
      onRequest(hooks.path, name, (performance.now() - started) / 1000);
    } catch (err) {
      // An observer's bug must not cost the client its answer.
      hooks.logger?.error({ err, method: hooks.path }, "grpc request observer failed");
    }
  };
}

/** A request whose bytes did not decode; handlers never see it. */
class MalformedRequest {
  constructor(readonly reason: string) {}
}

interface MethodSpec {
  responseStream: boolean;
  requestType: string;
  responseType: string;
  deserialize(bytes: Buffer): unknown;
  serialize(value: unknown): Buffer;
  /** Builds grpc-js's handler; its path, logger and observer are only known once the service is defined. */
  handler(hooks: HandlerHooks): UntypedHandleCall;
}

function typeName(codec: MessageCodec<unknown>): string {
  return codec.getTypeUrl("");
}

function codecs<Req, Res>(
  req: MessageCodec<Req>,
  res: MessageCodec<Res>,
): Pick<MethodSpec, "requestType" | "responseType" | "deserialize" | "serialize"> {
  const requestType = typeName(req as MessageCodec<unknown>).replace(/^\//, "");
  return {
    requestType,
    responseType: typeName(res as MessageCodec<unknown>).replace(/^\//, ""),
    deserialize(bytes) {
      try {
        return req.decode(bytes);
      } catch (err) {
        return new MalformedRequest(`malformed ${requestType}: ${(err as Error).message}`);
      }
    },
    serialize: (value) => Buffer.from(res.encode(value as Res).finish()),
  };
}

function malformed(request: unknown): Partial<StatusObject> | undefined {
  if (!(request instanceof MalformedRequest)) return undefined;
  return toServiceError(new GrpcError("MALFORMED_REQUEST", request.reason), "");
}

/** A request -> response method. */
export function unary<Req, Res>(
  req: MessageCodec<Req>,
  res: MessageCodec<Res>,
  impl: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): MethodSpec {
  return {
    ...codecs(req, res),
    responseStream: false,
    handler: (hooks) =>
      ((call: ServerUnaryCall<Req | MalformedRequest, Res>, callback: sendUnaryData<Res>) => {
        const finish = track(hooks);
        const bad = malformed(call.request) ?? admit(hooks);
        if (bad !== undefined) {
          finish(bad.code);
          return callback(bad);
        }
        impl(call.request as Req, call as ServerUnaryCall<Req, Res>).then(
          (response) => {
            hooks.gate?.release();
            finish(status.OK);
            callback(null, response);
          },
          (err: unknown) => {
            hooks.gate?.release();
            const failed = toServiceError(err, hooks.path, hooks.logger);
            finish(failed.code);
            callback(failed);
          },
        );
      }) satisfies UntypedHandleCall,
  };
}

/**
 * A request -> stream of responses method. `impl` writes and resolves when it is done; a throw
 * ends the stream with that error's status (unless the client is already gone).
 */
export function serverStream<Req, Res>(
  req: MessageCodec<Req>,
  res: MessageCodec<Res>,
  impl: (request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>,
): MethodSpec {
  return {
    ...codecs(req, res),
    responseStream: true,
    handler: (hooks) =>
      ((call: ServerWritableStream<Req | MalformedRequest, Res>) => {
        const finish = track(hooks);
        const bad = malformed(call.request) ?? admit(hooks);
        if (bad !== undefined) {
          finish(bad.code);
          // grpc-js ends a server stream with a status on an "error" event.
          call.emit("error", Object.assign(new Error(bad.details), bad));
          return;
        }
        const gone = () => call.cancelled || call.destroyed;
        // The slot is held until the stream ends, whoever ends it (impl returns on a cancel too).
        impl(call.request as Req, call as ServerWritableStream<Req, Res>).then(
          () => {
            hooks.gate?.release();
            if (gone()) return finish(status.CANCELLED);
            finish(status.OK);
            call.end();
          },
          (err: unknown) => {
            hooks.gate?.release();
            if (gone()) return finish(status.CANCELLED);
            const failed = toServiceError(err, hooks.path, hooks.logger);
            finish(failed.code);
            call.emit("error", Object.assign(new Error(failed.details), failed));
          },
        );
      }) satisfies UntypedHandleCall,
  };
}

/** proto-loader describes a method's types by their descriptors, not by name: compare those. */
function sameType(named: AnyDefinition | undefined, used: { type: object }): boolean {
  return named !== undefined && "type" in named && JSON.stringify(named.type) === JSON.stringify(used.type);
}

export interface DefinedService {
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

/**
 * The grpc-js definition and implementation of service `name` (full name, e.g.
 * "kyochi.chain.v1.ChainService"). Throws GrpcError DESCRIPTOR_MISMATCH when `methods` and the
 * descriptor disagree in any method, type or streaming flag. `hooks.onRequest` hears of every
 * call; `hooks.limits` caps the calls (unary methods) and streams in progress.
 */
export function defineService(
  name: string,
  methods: Record<string, MethodSpec>,
  logger?: RpcLogger,
  hooks: ServiceHooks = {},
): DefinedService {
  const { onRequest, limits } = hooks;
  const described = describedMethods(name);
  const pkg = kyochiPackageDefinition();
  const mismatch = (why: string) => new GrpcError("DESCRIPTOR_MISMATCH", `${name}: ${why}`);
  const missing = Object.keys(described).filter((m) => !(m in methods));
  const extra = Object.keys(methods).filter((m) => !(m in described));
  if (missing.length > 0) throw mismatch(`no implementation of ${missing.join(", ")}`);
  if (extra.length > 0) throw mismatch(`${extra.join(", ")} not in the descriptor`);

  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const [method, spec] of Object.entries(methods)) {
    const d = described[method]!;
    if (d.requestStream || d.responseStream !== spec.responseStream)
      throw mismatch(`${method} streams differently`);
    if (!sameType(pkg[spec.requestType], d.requestType))
      throw mismatch(`${method} takes another request type than ${spec.requestType}`);
    if (!sameType(pkg[spec.responseType], d.responseType))
      throw mismatch(`${method} returns another response type than ${spec.responseType}`);
    definition[method] = {
      path: d.path,
      requestStream: false,
      responseStream: spec.responseStream,
      requestSerialize: (value: unknown) => Buffer.from(value as Uint8Array),
      requestDeserialize: spec.deserialize,
      responseSerialize: spec.serialize,
      responseDeserialize: (bytes: Buffer) => bytes,
      ...(d.originalName !== undefined ? { originalName: d.originalName } : {}),
    };
    const gate = spec.responseStream ? limits?.stream : limits?.unary;
    implementation[method] = spec.handler({ path: d.path, logger, onRequest, gate });
  }
  return { name, definition: definition as ServiceDefinition, implementation };
}
