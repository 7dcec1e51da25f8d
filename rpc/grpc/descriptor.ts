// The gRPC schemas at run time: proto/gen/kyochi.json, the JSON descriptor `npm run proto` writes
// from proto/kyochi (services included; the static code in proto/gen/kyochi.js has none). It sits
// next to the static code in both the source tree and dist/, so the node needs no .proto files.
// proto-loader turns it into the package definition that server reflection describes; requests
// and responses are still encoded by the static classes (typed, and the same code as the rest).
import { readFileSync } from "node:fs";
import { fromJSON, type MethodDefinition, type PackageDefinition } from "@grpc/proto-loader";
import { GrpcError } from "./errors.js";

const DESCRIPTOR_URL = new URL("../../proto/gen/kyochi.json", import.meta.url);

let cached: PackageDefinition | undefined;

/** Every kyochi message and service, as proto-loader describes them (loaded once). */
export function kyochiPackageDefinition(): PackageDefinition {
  if (cached === undefined) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(DESCRIPTOR_URL, "utf8"));
    } catch (err) {
      throw new GrpcError(
        "DESCRIPTOR_MISSING",
        `cannot read the gRPC descriptor ${DESCRIPTOR_URL.pathname} (run npm run proto): ${(err as Error).message}`,
        { cause: err },
      );
    }
    cached = fromJSON(json as Parameters<typeof fromJSON>[0], { keepCase: false });
  }
  return cached;
}

/** The methods of one service of the descriptor, by method name. */
export function describedMethods(serviceName: string): Record<string, MethodDefinition<object, object>> {
  const def = kyochiPackageDefinition()[serviceName];
  if (def === undefined || "format" in def) {
    throw new GrpcError("DESCRIPTOR_MISMATCH", `the descriptor has no service ${serviceName}`);
  }
  return def as Record<string, MethodDefinition<object, object>>;
}

/** Full names of every service in the descriptor (e.g. "kyochi.chain.v1.ChainService"). */
export function describedServiceNames(): string[] {
  return Object.entries(kyochiPackageDefinition())
    .filter(([, def]) => !("format" in def))
    .map(([name]) => name)
    .sort();
}
