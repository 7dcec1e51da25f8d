// Test helpers: clients built only from the schemas published with the standard gRPC packages
// (reflection.proto of @grpc/reflection, health.proto of grpc-health-check), nothing of ours, as a
// stock tool such as grpcurl would use them.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  type ClientDuplexStream,
  type ClientReadableStream,
  credentials,
  type GrpcObject,
  loadPackageDefinition,
  type ServiceClientConstructor,
} from "@grpc/grpc-js";
import { fromJSON, loadSync } from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor.js";

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

interface HealthClient {
  Check(req: { service: string }, cb: (err: Error | null, res: { status: string }) => void): void;
  Watch(req: { service: string }): ClientReadableStream<{ status: string }>;
  close(): void;
}

function healthClient(address: string): HealthClient {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { enums: String }));
  const Health = serviceClient(pkg, "grpc.health.v1.Health");
  return new Health(address, credentials.createInsecure()) as unknown as HealthClient;
}

/** grpc.health.v1.Health/Check of `service` ("" for the server) at `address`: its status name. */
export async function healthCheck(address: string, service: string): Promise<string> {
  const health = healthClient(address);
  try {
    return await new Promise<string>((resolve, reject) => {
      health.Check({ service }, (err, res) => (err ? reject(err) : resolve(res.status)));
    });
  } finally {
    health.close();
  }
}

/** The first status grpc.health.v1.Health/Watch of `service` sends (the current one); then it cancels. */
export async function healthWatchFirst(address: string, service: string): Promise<string> {
  const health = healthClient(address);
  const watch = health.Watch({ service });
  try {
    return await new Promise<string>((resolve, reject) => {
      watch.once("data", (res: { status: string }) => resolve(res.status));
      watch.once("error", reject);
    });
  } finally {
    watch.on("error", () => {}); // the cancel below ends it with CANCELLED
    watch.cancel();
    health.close();
  }
}

/** A client built from reflection alone: unary methods called by name with plain objects. */
export interface ReflectedClient {
  unary(method: string, request: object): Promise<Record<string, unknown>>;
  close(): void;
}

/**
 * A client of `serviceName` built only from the file descriptors the server's reflection sends
 * (the service's file and its imports), as grpcurl builds one: no schema of ours is used.
 */
export async function reflectedClient(
  reflection: ReflectionClient,
  address: string,
  serviceName: string,
): Promise<ReflectedClient> {
  const files = await reflection.ask({ fileContainingSymbol: serviceName });
  const protos = (files.fileDescriptorResponse?.fileDescriptorProto ?? []).map((b) =>
    descriptor.FileDescriptorProto.decode(b),
  );
  const root = (protobuf.Root as unknown as { fromDescriptor(d: unknown): protobuf.Root }).fromDescriptor(
    descriptor.FileDescriptorSet.create({ file: protos }),
  );
  const Service = serviceClient(
    loadPackageDefinition(fromJSON(root.toJSON(), { longs: Number })),
    serviceName,
  );
  const client = new Service(address, credentials.createInsecure());
  type Unary = (req: object, cb: (err: Error | null, res: Record<string, unknown>) => void) => void;
  return {
    unary(method, request) {
      const fn = (client as unknown as Record<string, Unary | undefined>)[method];
      if (fn === undefined) return Promise.reject(new Error(`reflection described no method ${method}`));
      return new Promise((resolve, reject) => {
        fn.call(client, request, (err, res) => (err ? reject(err) : resolve(res)));
      });
    },
    close: () => client.close(),
  };
}
