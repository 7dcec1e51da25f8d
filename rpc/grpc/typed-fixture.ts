// Test helpers for the typed module methods: a gRPC server (and the JSON-RPC method context) over
// a test chain's application, the protobuf reflection of a response message, and the two checks
// that keep the typed answers equal to the JSON-RPC results (module-services-typed.test.ts).
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import type { TestChain } from "../../execution/test-chain.js";
import type { MethodContext } from "../jsonrpc/methods/index.js";
import { appBackend } from "../testing/app-backend.js";
import { RawGrpcClient } from "./client-fixture.js";
import { type GrpcServer, startGrpcServer } from "./server.js";

export interface ServedChain {
  server: GrpcServer;
  client: RawGrpcClient;
  /** What the JSON-RPC methods run with: the same backend as the gRPC server's. */
  ctx: MethodContext;
  close(): Promise<void>;
}

/** A gRPC server over `appBackend(chain)`: module queries and accounts from `chain`'s application. */
export async function serveChain(chain: TestChain): Promise<ServedChain> {
  const backend = appBackend(chain);
  const server = await startGrpcServer({ backend, port: 0 });
  const client = new RawGrpcClient(server.address);
  return {
    server,
    client,
    ctx: { backend, commitTimeoutMs: 1000 },
    async close() {
      client.close();
      await server.close();
    },
  };
}

let root: protobuf.Root | undefined;

/** A message type of the generated descriptor (proto/gen/kyochi.json), by full name. */
export function messageType(fullName: string): protobuf.Type {
  root ??= protobuf.Root.fromJSON(
    JSON.parse(readFileSync(new URL("../../proto/gen/kyochi.json", import.meta.url), "utf8")),
  );
  return root.lookupType(fullName);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Where a JSON-RPC result does not fit message `type`: keys the message has no field for (which
 * fromObject would drop without a word, whatever their value), and nulls in fields that cannot be
 * absent (a client would read 0 or "" where the JSON says "none"). Paths like "jobs[0].owner".
 * Map fields hold data, not fields: their keys are not checked.
 */
export function misfits(type: protobuf.Type, value: unknown, path = ""): string[] {
  if (!isObject(value)) return [];
  const out: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const field = type.fields[key];
    if (field === undefined) {
      out.push(`${path}${key}: no field in ${type.fullName.slice(1)}`);
      continue;
    }
    field.resolve();
    if (field.map) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (inner === null && nested === undefined && field.options?.proto3_optional !== true)
      out.push(`${path}${key}: null in a field that cannot be absent`);
    if (nested === undefined) continue;
    const items = field.repeated && Array.isArray(inner) ? inner : [inner];
    items.forEach((item, i) => {
      out.push(...misfits(nested, item, `${path}${key}${field.repeated ? `[${i}]` : ""}.`));
    });
  }
  return out;
}

function isUnset(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === "" ||
    value === 0 ||
    value === false ||
    (Array.isArray(value) && value.length === 0) ||
    (isObject(value) && Object.keys(value).length === 0)
  );
}

/**
 * Both answers with what proto3 cannot tell from "unset" left out, recursively: null (an absent
 * optional or message field), "", 0, false, empty lists and objects (a plain field's default
 * value, which protobuf does not send). Elements of lists are kept as they are (normalised), since
 * their position matters. Whether each of those keys has a field at all is misfits()' job.
 */
export function withoutUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUnset);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const kept = withoutUnset(inner);
    if (!isUnset(kept)) out[key] = kept;
  }
  return out;
}
