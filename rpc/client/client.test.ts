import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { type JsonRpcServer, startJsonRpcServer } from "../jsonrpc/server.js";
import { clientFailure } from "../testing/client-failure.js";
import { MemoryChain } from "../testing/memory-chain.js";
import { KyochiRpcClient } from "./client.js";
import { bankSendMsg, signTx } from "./tx-builder.js";

const CHAIN_ID = "kyochi-client-test";
let server: JsonRpcServer;
let chain: MemoryChain;
let client: KyochiRpcClient;
let alice: SigningKey;
const bob = new Uint8Array(20).fill(0xb0);

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  const aliceAddress = addressFromPublicKey(alice.type, alice.publicKey);
  chain = new MemoryChain({
    chainId: CHAIN_ID,
    genesis: [{ address: aliceAddress, balance: 1_000_000n }],
    autoCommit: true,
  });
  server = await startJsonRpcServer({ backend: chain, port: 0, maxBodyBytes: 4096, commitTimeoutMs: 5000 });
  client = new KyochiRpcClient(server.url, { timeoutMs: 5000 });
});

afterAll(async () => {
  await server.close();
});

describe("KyochiRpcClient", () => {
  it("sends a transfer, waits for its block, and reads it back through every method", async () => {
    const aliceAddress = encodeAddress(addressFromPublicKey(alice.type, alice.publicKey));
    const tx = signTx(alice, [bankSendMsg(bob, 250n)], {
      chainId: CHAIN_ID,
      nonce: 0,
      fee: 1000n,
      gasLimit: 1000,
    });

    const committed = await client.broadcastTx(tx.bytes, "commit");
    expect(committed.hash).toBe(`0x${toHex(tx.hash)}`);
    expect(committed.result.codename).toBe("OK");

    const status = await client.status();
    expect(status).toMatchObject({ chainId: CHAIN_ID, latestBlockHeight: committed.height });

    const block = await client.getBlock();
    expect(block.txs.map((t) => t.hash)).toEqual([committed.hash]);
    expect((await client.getBlock(committed.height)).blockHash).toBe(block.blockHash);
    const hashesOnly = await client.getBlockTxHashes(committed.height);
    expect(hashesOnly.txs).toEqual([committed.hash]);
    expect(hashesOnly.blockHash).toBe(block.blockHash);
    expect((await client.getBlockTxHashes()).header.height).toBe(committed.height);

    const results = await client.getBlockResults(committed.height);
    expect(results.txResults[0]?.hash).toBe(committed.hash);

    const record = await client.getTx(tx.hash);
    expect(record).toMatchObject({ height: committed.height, index: 0 });
    expect(record.tx.signer).toBe(aliceAddress);

    const sender = await client.getAccount(aliceAddress);
    expect(sender).toMatchObject({ nonce: 1, balance: (1_000_000n - 1000n - 250n).toString(), exists: true });
    const receiver = await client.getAccount(encodeAddress(bob), committed.height);
    expect(receiver.balance).toBe("250");

    const proof = await client.getProof({ address: encodeAddress(bob) });
    expect(proof.account?.balance).toBe("250");
    const sameByKey = await client.getProof({ key: Uint8Array.of(0x01, ...bob) });
    expect(sameByKey).toEqual(proof);

    const next = signTx(alice, [bankSendMsg(bob, 1n)], {
      chainId: CHAIN_ID,
      nonce: 1,
      fee: 1000n,
      gasLimit: 1000,
    });
    chain.autoCommit = false;
    try {
      const sync = await client.broadcastTx(`0x${toHex(next.bytes)}`);
      expect(sync).toMatchObject({ mode: "sync", code: 0, hash: `0x${toHex(next.hash)}` });
    } finally {
      chain.autoCommit = true;
    }
  });

  it("throws RpcClientError with the JSON-RPC code and the stable Kyochi code", async () => {
    const notFound = await clientFailure(client.getTx(new Uint8Array(32)));
    expect(notFound.code).toBe(-32000);
    expect(notFound.kyochiCode).toBe("NOT_FOUND");

    const badParams = await clientFailure(client.getAccount("kyo1bad"));
    expect(badParams.code).toBe(-32602);
    expect(badParams.data).toMatchObject({ code: "INVALID_PARAMS", param: "address", reason: "BAD_ADDRESS" });

    const tooLarge = await clientFailure(client.broadcastTx(new Uint8Array(5000)));
    expect(tooLarge.httpStatus).toBe(413);
    expect(tooLarge.kyochiCode).toBe("REQUEST_TOO_LARGE");

    const rejected = await clientFailure(client.broadcastTx(Uint8Array.of(1, 2, 3)));
    expect(rejected.code).toBe(-32002);
    expect(rejected.kyochiCode).toBe("TX_MALFORMED");
  });

  it("reports an unreachable node and a non-JSON-RPC answer as client-side codes", async () => {
    const closed = await startJsonRpcServer({ backend: chain, port: 0, maxBodyBytes: 1024 });
    const url = closed.url;
    await closed.close();
    const refused = await clientFailure(new KyochiRpcClient(url).status());
    expect(refused.code).toBe(0);
    expect(refused.kyochiCode).toBe("CONNECTION_FAILED");
    expect(refused.message).toContain(url);

    const html = createServer((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
    });
    await new Promise<void>((resolve) => html.listen(0, "127.0.0.1", resolve));
    try {
      const port = (html.address() as AddressInfo).port;
      const bad = await clientFailure(new KyochiRpcClient(`http://127.0.0.1:${port}`).status());
      expect(bad.kyochiCode).toBe("BAD_RESPONSE");
      expect(bad.httpStatus).toBe(502);
    } finally {
      html.closeAllConnections();
      await new Promise<void>((resolve) => html.close(() => resolve()));
    }
  });
});
