// A stock client that knows nothing of Kyochi: it loads only the standard reflection.proto, asks
// the server which services it has, fetches ChainService's file descriptors by reflection,
// builds a client from them and calls GetStatus. This is what grpcurl does.
import { credentials, loadPackageDefinition } from "@grpc/grpc-js";
import { fromJSON } from "@grpc/proto-loader";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryChain } from "../testing/memory-chain.js";
import { describedServiceNames } from "./descriptor.js";
import { type GrpcServer, startGrpcServer } from "./server.js";
import { reflectionClient, serviceClient } from "./stock-clients.js";

let chain: MemoryChain;
let server: GrpcServer;

beforeAll(async () => {
  chain = new MemoryChain({ chainId: "kyochi-reflection" });
  await chain.commitBlock();
  server = await startGrpcServer({ backend: chain, port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe("server reflection", () => {
  it("lists every service and describes ChainService well enough to call it", async () => {
    const reflection = reflectionClient(server.address);
    try {
      const names = await reflection.listServices();
      expect(names).toEqual(
        expect.arrayContaining([
          "kyochi.chain.v1.ChainService",
          "kyochi.tx.v1.TxService",
          "kyochi.bank.v1.BankQueryService",
          "kyochi.staking.v1.StakingQueryService",
          "kyochi.compute.v1.ComputeQueryService",
          "kyochi.attestation.v1.AttestationQueryService",
          "kyochi.models.v1.ModelsQueryService",
          "kyochi.data.v1.DataQueryService",
          "kyochi.gov.v1.GovQueryService",
        ]),
      );

      // Every service of the schemas is served (and listed), none left out.
      expect([...server.services].sort()).toEqual(describedServiceNames());
      expect(names).toEqual(expect.arrayContaining(describedServiceNames()));

      const files = await reflection.ask({ fileContainingSymbol: "kyochi.chain.v1.ChainService" });
      const protos = files.fileDescriptorResponse!.fileDescriptorProto.map((b) =>
        descriptor.FileDescriptorProto.decode(b),
      );
      const root = (protobuf.Root as unknown as { fromDescriptor(d: unknown): protobuf.Root }).fromDescriptor(
        descriptor.FileDescriptorSet.create({ file: protos }),
      );
      const discovered = loadPackageDefinition(fromJSON(root.toJSON(), { longs: Number }));
      const Chain = serviceClient(discovered, "kyochi.chain.v1.ChainService");
      const chainClient = new Chain(server.address, credentials.createInsecure());
      try {
        const status = await new Promise<{ chainId: string; latestHeight: number }>((resolve, reject) => {
          (
            chainClient as unknown as Record<
              string,
              (req: object, cb: (e: Error | null, r: never) => void) => void
            >
          ).GetStatus!.call(chainClient, {}, (err, res) => (err ? reject(err) : resolve(res)));
        });
        expect(status.chainId).toBe("kyochi-reflection");
        expect(status.latestHeight).toBe(1);
      } finally {
        chainClient.close();
      }
    } finally {
      reflection.close();
    }
  });
});
