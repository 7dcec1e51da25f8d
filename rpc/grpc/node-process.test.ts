// gRPC on a real node process (the built CLI, one validator, fast blocks): the node serves it on
// grpc.laddr next to the JSON-RPC, blocks stream in order as consensus commits them, a tx goes
// in through Broadcast COMMIT, and malformed input leaves the node producing blocks.
import { type ClientReadableStream, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { kyochi } from "../../proto/index.js";
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "../../test/helpers/devnet.js";
import {
  freePort,
  latestHeight,
  type NodeProcess,
  removeDir,
  startNode,
  stopNode,
  waitForHeight,
} from "../../test/helpers/process-node.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import { failureOf, RawGrpcClient } from "./client-fixture.js";
import { CHAIN_SERVICE, TX_SERVICE } from "./server.js";

const chainPb = kyochi.chain.v1;
const txPb = kyochi.tx.v1;
let net: TestDevnet;
let node: NodeProcess;
let client: RawGrpcClient;

beforeAll(async () => {
  net = createTestDevnet("grpc");
  const port = await freePort();
  node = await startNode(net.nodeHome, [...FAST_BLOCKS, "--grpc.laddr", `127.0.0.1:${port}`]);
  client = new RawGrpcClient(`127.0.0.1:${port}`);
});

afterAll(async () => {
  client?.close();
  if (node) await stopNode(node);
  if (net) removeDir(net.root);
});

describe("gRPC on a running node", () => {
  it("streams committed blocks from height 1 in order, chained, as consensus makes them", async () => {
    const stream: ClientReadableStream<Buffer> = client.stream(
      `/${CHAIN_SERVICE}/StreamBlocks`,
      chainPb.StreamBlocksRequest.encode({ fromHeight: 1 }).finish(),
    );
    const got: kyochi.chain.v1.StreamBlocksResponse[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on("data", (bytes: Buffer) => {
        got.push(chainPb.StreamBlocksResponse.decode(bytes));
        if (got.length === 8) {
          stream.cancel();
          resolve();
        }
      });
      stream.on("error", (err: { code: number }) => {
        if (err.code !== status.CANCELLED) reject(err);
      });
    });
    expect(got.map((m) => m.height)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 1; i < got.length; i++) {
      expect(toHex(got[i]!.block?.header?.lastBlockHash ?? new Uint8Array())).toBe(
        toHex(got[i - 1]!.blockHash),
      );
    }
    const byHash = await client.call(
      `/${CHAIN_SERVICE}/GetBlock`,
      chainPb.GetBlockRequest,
      { hash: got[4]!.blockHash },
      chainPb.GetBlockResponse,
    );
    expect(byHash.height).toBe(5);
  });

  it("Broadcast COMMIT includes a transfer; GetTx and the bank service see it", async () => {
    const status0 = await client.call(
      `/${CHAIN_SERVICE}/GetStatus`,
      chainPb.GetStatusRequest,
      {},
      chainPb.GetStatusResponse,
    );
    const tx = signTx(net.keys.alice!, [bankSendMsg(decodeAddress(net.addresses.bob!), 1234n)], {
      chainId: status0.chainId,
      nonce: 0,
      fee: 100_000n,
      gasLimit: 100_000,
    });
    const sent = await client.call(
      `/${TX_SERVICE}/Broadcast`,
      txPb.BroadcastRequest,
      { tx: tx.bytes, mode: txPb.BroadcastMode.BROADCAST_MODE_COMMIT },
      txPb.BroadcastResponse,
    );
    expect(sent.accepted, sent.log).toBe(true);
    expect(sent.committed?.result?.code).toBe(0);
    const got = await client.call(
      `/${TX_SERVICE}/GetTx`,
      txPb.GetTxRequest,
      { hash: tx.hash },
      txPb.GetTxResponse,
    );
    expect(got.tx?.height).toBe(sent.committed?.height);
    const bob = await client.call(
      "/kyochi.bank.v1.BankQueryService/GetAccount",
      kyochi.bank.v1.GetAccountRequest,
      { address: net.addresses.bob! },
      kyochi.bank.v1.GetAccountResponse,
    );
    expect(BigInt(bob.balance)).toBeGreaterThanOrEqual(1234n);
  });

  it("malformed protobuf gets INVALID_ARGUMENT and the node keeps producing blocks", async () => {
    const before = await latestHeight(node.rpcUrl);
    const f = await failureOf(client.bytes(`/${CHAIN_SERVICE}/GetBlock`, new Uint8Array([0x12, 0x7f, 0x01])));
    expect(f.code).toBe(status.INVALID_ARGUMENT);
    await waitForHeight(node.rpcUrl, before + 2);
  });
});
