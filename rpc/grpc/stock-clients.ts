// Test helpers: clients built only from the schemas published with the standard gRPC packages
// (reflection.proto of @grpc/reflection, health.proto of grpc-health-check), nothing of ours, as a
// stock tool such as grpcurl would use them.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  type ClientDuplexStream,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  type ServiceClientConstructor,
} from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";

export interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type ReflectionStream = ClientDuplexStream<Record<string, string>, ReflectionResponse>;

const require = createRequire(import.meta.url);
// The reflection schema as published with the gRPC reflection package.
const REFLECTION_PROTO = join(
  dirname(require.resolve("@grpc/reflection")),
  "..",
  "proto",
  "grpc",
  "reflection",
  "v1",
  "reflection.proto",
);

/** The client class of service `path` (e.g. "grpc.health.v1.Health") in a loaded package. */
export function serviceClient(pkg: GrpcObject, path: string): ServiceClientConstructor {
  let node: unknown = pkg;
  for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
  return node as ServiceClientConstructor;
}

/** A grpc.reflection.v1 stream to `address`: one request at a time, its one answer. */
export interface ReflectionClient {
  ask(request: Record<string, string>): Promise<ReflectionResponse>;
  /** The names of the services the server lists. */
  listServices(): Promise<string[]>;
  close(): void;
}

export function reflectionClient(address: string): ReflectionClient {
  const pkg = loadPackageDefinition(loadSync(REFLECTION_PROTO));
  const Reflection = serviceClient(pkg, "grpc.reflection.v1.ServerReflection");
  const client = new Reflection(address, credentials.createInsecure());
  const stream = (client as unknown as { ServerReflectionInfo(): ReflectionStream }).ServerReflectionInfo();
  const ask = (request: Record<string, string>) =>
    new Promise<ReflectionResponse>((resolve, reject) => {
      stream.once("data", resolve);
      stream.once("error", reject);
      stream.write(request);
    });
  return {
    ask,
    async listServices() {
      const listed = await ask({ listServices: "*" });
      return (listed.listServicesResponse?.service ?? []).map((s) => s.name);
    },
    close() {
      stream.end();
      client.close();
    },
  };
}

/** grpc.health.v1.Health/Check of `service` ("" for the server) at `address`: its status name. */
export async function healthCheck(address: string, service: string): Promise<string> {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = serviceClient(pkg, "grpc.health.v1.Health");
  const health = new Health(address, credentials.createInsecure()) as unknown as {
    Check(req: { service: string }, cb: (err: Error | null, res: { status: string }) => void): void;
    close(): void;
  };
  try {
    return await new Promise<string>((resolve, reject) => {
      health.Check({ service }, (err, res) => (err ? reject(err) : resolve(res.status)));
    });
  } finally {
    health.close();
  }
}
