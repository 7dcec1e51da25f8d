// The SDK's tx life cycle over HTTP JSON-RPC against the in-memory chain: sendTx (sync and commit),
// waitForTx (waits while the node answers NOT_FOUND, stops on any other error, gives up with a
// TxWaitTimeoutError), simulateTx (nothing committed) and searchTxs/iterateTxs (pages that
// neither repeat nor skip a tx).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { type JsonRpcServer, startJsonRpcServer } from "../jsonrpc/server.js";
import { clientFailure } from "../testing/client-failure.js";
import { MEMORY_CHAIN_TX_GAS, MemoryChain } from "../testing/memory-chain.js";
import { KyochiRpcClient } from "./client.js";
import { TxWaitTimeoutError } from "./errors.js";
import { bankSendMsg, type SignedTx, signTx } from "./tx-builder.js";

const CHAIN_ID = "kyochi-client-tx-test";
const FEE = 1000n;
let server: JsonRpcServer;
let chain: MemoryChain;
let client: KyochiRpcClient;
let alice: SigningKey;
let aliceAddress: string;
let nonce = 0;
const bob = new Uint8Array(20).fill(0xb0);
const carol = new Uint8Array(20).fill(0xc0);
/** JSON-RPC methods the client sent, in order (through the counting fetch). */
const sent: string[] = [];

const countingFetch: typeof fetch = async (input, init) => {
  sent.push((JSON.parse(String(init?.body)) as { method: string }).method);
  return fetch(input, init);
};

function transfer(to: Uint8Array, amount: bigint, n = nonce++): SignedTx {
  return signTx(alice, [bankSendMsg(to, amount)], { chainId: CHAIN_ID, nonce: n, fee: FEE, gasLimit: 1000 });
}

/** Resolves once the client has sent `method` `times` times in all. */
async function sentTimes(method: string, times: number): Promise<void> {
  while (sent.filter((m) => m === method).length < times) await new Promise((r) => setTimeout(r, 5));
}

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  aliceAddress = encodeAddress(addressFromPublicKey(alice.type, alice.publicKey));
  chain = new MemoryChain({
    chainId: CHAIN_ID,
    genesis: [{ address: addressFromPublicKey(alice.type, alice.publicKey), balance: 1_000_000n }],
  });
  server = await startJsonRpcServer({
    backend: chain,
    port: 0,
    maxBodyBytes: 1 << 16,
    commitTimeoutMs: 5000,
  });
  client = new KyochiRpcClient(server.url, { timeoutMs: 5000, fetch: countingFetch });
});

afterAll(async () => {
  await server.close();
});

describe("sendTx and waitForTx", () => {
  it("waits while the tx is only in the mempool and resolves with its record once a block has it", async () => {
    const tx = transfer(bob, 100n);
    const accepted = await client.sendTx(tx);
    expect(accepted).toMatchObject({ mode: "sync", code: 0, hash: `0x${toHex(tx.hash)}` });

    const before = sent.filter((m) => m === "tx_get").length;
    const waiting = client.waitForTx(tx.hash, { timeoutMs: 10_000, pollMs: 10 });
    // The node has answered NOT_FOUND at least twice before the block exists.
    await sentTimes("tx_get", before + 2);
    const height = await chain.commitBlock();
    const record = await waiting;
    expect(record).toMatchObject({ hash: accepted.hash, height, index: 0 });
    expect(record.result.codename).toBe("OK");
    expect(record.tx.signer).toBe(aliceAddress);
    // An included tx is answered at once, by hex string too.
    expect((await client.waitForTx(accepted.hash)).height).toBe(height);
  });

  it("gives up with a TxWaitTimeoutError naming the hash when no block includes the tx", async () => {
    const never = transfer(bob, 1n, 10_000);
    const err = await clientFailure(client.waitForTx(never.hash, { timeoutMs: 150, pollMs: 20 }));
    expect(err).toBeInstanceOf(TxWaitTimeoutError);
    expect(err.kyochiCode).toBe("TX_WAIT_TIMEOUT");
    expect(err.data).toMatchObject({ hash: `0x${toHex(never.hash)}`, timeoutMs: 150 });
  });

  it("stops at once on an error other than NOT_FOUND", async () => {
    const badHash = await clientFailure(client.waitForTx("0x1234", { timeoutMs: 60_000 }));
    expect(badHash.kyochiCode).toBe("INVALID_PARAMS");
    const closed = await startJsonRpcServer({ backend: chain, port: 0, maxBodyBytes: 1024 });
    await closed.close();
    const unreachable = await clientFailure(
      new KyochiRpcClient(closed.url).waitForTx(new Uint8Array(32), { timeoutMs: 60_000 }),
    );
    expect(unreachable.kyochiCode).toBe("CONNECTION_FAILED");
  });

  it("commit mode answers with the result the block gave", async () => {
    chain.autoCommit = true;
    try {
      const tx = transfer(carol, 50n);
      const committed = await client.sendTx(tx, { mode: "commit" });
      expect(committed).toMatchObject({ mode: "commit", hash: `0x${toHex(tx.hash)}` });
      expect(committed.result.codename).toBe("OK");
      expect((await client.getTx(tx.hash)).height).toBe(committed.height);
    } finally {
      chain.autoCommit = false;
    }
  });

  it("refuses an answer that names another tx", async () => {
    const tx = transfer(bob, 1n, 20_000);
    const liar = new KyochiRpcClient("http://node.invalid", {
      fetch: async () =>
        new Response(
          JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            result: {
              mode: "sync",
              hash: `0x${"00".repeat(32)}`,
              code: 0,
              codename: "OK",
              log: "",
              gasWanted: 1,
            },
          }),
        ),
    });
    const err = await clientFailure(liar.sendTx(tx));
    expect(err.kyochiCode).toBe("BAD_RESPONSE");
    expect(err.data).toMatchObject({ hash: `0x${toHex(tx.hash)}` });
  });
});

describe("simulateTx", () => {
  it("answers gas, result and events of the next tx without committing it", async () => {
    const height = (await client.status()).latestBlockHeight;
    const account = await client.getAccount(aliceAddress);
    const tx = transfer(bob, 7n, account.nonce);
    const simulated = await client.simulateTx(tx.bytes);
    expect(simulated).toMatchObject({
      code: 0,
      codename: "OK",
      gasWanted: 1000,
      gasUsed: MEMORY_CHAIN_TX_GAS,
    });
    expect(simulated.events.map((e) => e.type)).toEqual(["transfer"]);
    expect(simulated.events[0]?.attributes).toContainEqual({ key: "amount", value: "7" });
    expect(await client.getAccount(aliceAddress)).toEqual(account);
    expect((await client.status()).latestBlockHeight).toBe(height);
    expect(chain.pendingCount).toBe(0);

    const tooMuch = transfer(bob, 10_000_000n, account.nonce);
    const refused = await client.simulateTx(`0x${toHex(tooMuch.bytes)}`);
    expect(refused.code).not.toBe(0);
    expect(refused.codename).toBe("INSUFFICIENT_FUNDS");
  });
});

describe("searchTxs and iterateTxs", () => {
  it("finds txs by sender and recipient, one page at a time", async () => {
    // Three more transfers in two blocks: bob, carol | bob.
    const account = await client.getAccount(aliceAddress);
    nonce = account.nonce;
    const txs = [transfer(bob, 3n), transfer(carol, 4n)];
    for (const tx of txs) await client.sendTx(tx);
    await chain.commitBlock();
    const last = transfer(bob, 5n);
    await client.sendTx(last);
    await chain.commitBlock();

    const toBob = await client.searchTxs({ recipient: encodeAddress(bob) });
    expect(toBob.txs.map((t) => t.tx.body?.messages[0]?.value.amount)).toEqual(["100", "3", "5"]);
    expect(toBob.nextCursor).toBeNull();

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.searchTxs({
        sender: aliceAddress,
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      pages.push(page.txs.map((t) => t.hash));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);

    const all: string[] = [];
    for await (const record of client.iterateTxs({ sender: aliceAddress, limit: 2 })) all.push(record.hash);
    expect(all).toEqual(pages.flat());
    expect(new Set(all).size).toBe(5);
    expect(all.at(-1)).toBe(`0x${toHex(last.hash)}`);

    const newestFirst = await client.searchTxs({ sender: aliceAddress, order: "desc", limit: 1 });
    expect(newestFirst.txs[0]?.hash).toBe(`0x${toHex(last.hash)}`);
  });

  it("refuses a search without a selector", async () => {
    const err = await clientFailure(client.searchTxs({}));
    expect(err.kyochiCode).toBe("INVALID_PARAMS");
  });
});
