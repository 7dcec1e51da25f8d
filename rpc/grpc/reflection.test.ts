// A stock client that knows nothing of Kyochi: it loads only the standard reflection.proto, asks
// the server which services it has, fetches ChainService's file descriptors by reflection,
// builds a client from them and calls GetStatus. This is what grpcurl does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryChain } from "../testing/memory-chain.js";
import { describedServiceNames } from "./descriptor.js";
import { type GrpcServer, startGrpcServer } from "./server.js";
import { reflectedClient, reflectionClient } from "./stock-clients.js";

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

      const chainClient = await reflectedClient(reflection, server.address, "kyochi.chain.v1.ChainService");
      try {
        const status = await chainClient.unary("GetStatus", {});
        expect(status).toMatchObject({ chainId: "kyochi-reflection", latestHeight: 1 });
      } finally {
        chainClient.close();
      }
    } finally {
      reflection.close();
    }
  });
});
