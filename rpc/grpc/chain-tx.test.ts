// ChainService and TxService against the in-memory chain, through a bare client that encodes and
// decodes with the static classes: answers, every error status (with its stable code), malformed
// and oversized requests (the server keeps serving), and the health service.

import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { accountKey } from "../../execution/modules/accounts/index.js";
import { Account, KeyType, kyochi, Tx } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import { chainGetBlocks } from "../jsonrpc/methods/chain-blocks.js";
import type { RpcLogger } from "../logger.js";
import { MemoryChain } from "../testing/memory-chain.js";
import { failureOf, RawGrpcClient } from "./client-fixture.js";
import { describedMethods } from "./descriptor.js";
import { CHAIN_SERVICE, type GrpcServer, startGrpcServer, TX_SERVICE } from "./server.js";
import { healthCheck } from "./stock-clients.js";

const CHAIN_ID = "kyochi-grpc-test";
const MAX_MESSAGE = 64 * 1024;
const chainPb = kyochi.chain.v1;
const txPb = kyochi.tx.v1;

let chain: MemoryChain;
let server: GrpcServer;
let client: RawGrpcClient;
let alice: SigningKey;
let aliceNonce = 0;
const bob = addressFromPublicKey(
  KeyType.KEY_TYPE_ED25519,
  generateSigningKey(KeyType.KEY_TYPE_ED25519).publicKey,
);
const logged: { obj: object; msg?: string }[] = [];
const called = new Set<string>();

const logger: RpcLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (obj, msg) => {
    logged.push(msg === undefined ? { obj } : { obj, msg });
  },
};

function transfer(amount: bigint) {
  return signTx(alice, [bankSendMsg(bob, amount)], {
    chainId: CHAIN_ID,
    nonce: aliceNonce++,
    fee: 2000n,
    gasLimit: 1000,
  });
}

// Typed calls by method name; each records the method as called.
function chainCall<Req, Res>(
  method: string,
  req: { encode(m: Req): { finish(): Uint8Array } },
  request: Req,
  res: { decode(b: Uint8Array): Res },
): Promise<Res> {
  called.add(`${CHAIN_SERVICE}/${method}`);
  return client.call(`/${CHAIN_SERVICE}/${method}`, req, request, res);
}
function txCall<Req, Res>(
  method: string,
  req: { encode(m: Req): { finish(): Uint8Array } },
  request: Req,
  res: { decode(b: Uint8Array): Res },
): Promise<Res> {
  called.add(`${TX_SERVICE}/${method}`);
  return client.call(`/${TX_SERVICE}/${method}`, req, request, res);
}
const getBlock = (request: kyochi.chain.v1.IGetBlockRequest) =>
  chainCall("GetBlock", chainPb.GetBlockRequest, request, chainPb.GetBlockResponse);
const broadcast = (request: kyochi.tx.v1.IBroadcastRequest) =>
  txCall("Broadcast", txPb.BroadcastRequest, request, txPb.BroadcastResponse);

/** Hex of a decoded bytes field (nested messages type their fields as optional). */
const hexOf = (bytes: Uint8Array | null | undefined) => toHex(bytes ?? new Uint8Array());

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  chain = new MemoryChain({
    chainId: CHAIN_ID,
    genesis: [{ address: addressFromPublicKey(alice.type, alice.publicKey), balance: 10n ** 12n }],
    validatorPowers: [10, 20, 30],
  });
  await chain.broadcastTx(transfer(100n).bytes);
  await chain.commitBlock();
  await chain.commitBlock();
  server = await startGrpcServer({
    backend: chain,
    port: 0,
    maxMessageBytes: MAX_MESSAGE,
    commitTimeoutMs: 2000,
    logger,
  });
  client = new RawGrpcClient(server.address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe("ChainService", () => {
  it("GetStatus reports the chain's tip", async () => {
    const s = await chainCall("GetStatus", chainPb.GetStatusRequest, {}, chainPb.GetStatusResponse);
    expect(s.chainId).toBe(CHAIN_ID);
    expect(s.latestHeight).toBe(2);
    expect(toHex(s.latestBlockHash)).toBe(toHex((await chain.getBlock(2))!.blockHash));
    expect(s.earliestHeight).toBe(1);
  });

  it("GetBlock answers the same block by height, by hash and as the latest", async () => {
    const byHeight = await getBlock({ height: 1 });
    expect(byHeight.height).toBe(1);
    expect(byHeight.block?.header?.chainId).toBe(CHAIN_ID);
    expect(byHeight.block?.txs).toHaveLength(1);
    expect(hexOf(sha256(byHeight.block!.txs![0]!))).toBe(
      hexOf(sha256((await chain.getBlock(1))!.block.txs[0]!)),
    );
    const byHash = await getBlock({ hash: byHeight.blockHash });
    expect(byHash.height).toBe(1);
    expect(toHex(byHash.blockHash)).toBe(toHex(byHeight.blockHash));
    expect((await getBlock({})).height).toBe(2);
  });

  it("GetBlocks pages block summaries as chain_getBlocks does, hashes as bytes", async () => {
    const getBlocks = (request: kyochi.chain.v1.IGetBlocksRequest) =>
      chainCall("GetBlocks", chainPb.GetBlocksRequest, request, chainPb.GetBlocksResponse);
    const all = await getBlocks({});
    expect(all.blocks.map((b) => b.height)).toEqual([2, 1]);
    expect(all.nextCursor).toBeNull();
    // Every field of the JSON-RPC twin's summaries, the same values (`time` is time_ms in ISO form).
    const json = await chainGetBlocks({}, { backend: chain, commitTimeoutMs: 1000 });
    expect(Object.keys(json.blocks[0]!).sort()).toEqual(
      ["appHash", "hash", "height", "lastBlockHash", "proposerAddress", "time", "timeMs", "txCount"].sort(),
    );
    expect(
      all.blocks.map((b) => ({
        height: b.height,
        hash: `0x${hexOf(b.blockHash)}`,
        timeMs: b.timeMs,
        time: new Date(Number(b.timeMs)).toISOString(),
        proposerAddress: `0x${hexOf(b.proposerAddress)}`,
        txCount: b.txCount,
        appHash: `0x${hexOf(b.appHash)}`,
        lastBlockHash: `0x${hexOf(b.lastBlockHash)}`,
      })),
    ).toEqual(json.blocks);
    expect(all.blocks[0]!.txCount).toBe(0);
    expect(all.blocks[1]!.txCount).toBe(1);
    expect(hexOf(all.blocks[0]!.blockHash)).toBe(hexOf((await chain.getBlock(2))!.blockHash));
    expect(hexOf(all.blocks[0]!.lastBlockHash)).toBe(hexOf(all.blocks[1]!.blockHash));

    // One block a page, oldest first, by the cursor; the last page has none.
    const first = await getBlocks({ order: "asc", limit: 1 });
    expect(first.blocks.map((b) => b.height)).toEqual([1]);
    expect(first.nextCursor).toBe("2");
    const second = await getBlocks({ order: "asc", limit: 1, cursor: first.nextCursor! });
    expect(second.blocks.map((b) => b.height)).toEqual([2]);
    expect(second.nextCursor).toBeNull();
    expect((await getBlocks({ minHeight: 2, maxHeight: 99 })).blocks.map((b) => b.height)).toEqual([2]);

    for (const [request, says] of [
      [{ minHeight: 2, maxHeight: 1 }, /"maxHeight" \(1\) is below "minHeight" \(2\)/],
      [{ limit: 101 }, /"limit"/],
      [{ order: "up" }, /"order"/],
      [{ cursor: "abc" }, /"cursor" must be a nextCursor/],
    ] as const) {
      const f = await failureOf(getBlocks(request));
      expect(f, JSON.stringify(request)).toMatchObject({
        code: status.INVALID_ARGUMENT,
        stable: "INVALID_PARAMS",
      });
      expect(f.details).toMatch(says);
    }
  });

  it("GetBlock refuses a future height, a bad or unknown hash, and both at once", async () => {
    const future = await failureOf(getBlock({ height: 99 }));
    expect(future).toMatchObject({ code: status.OUT_OF_RANGE, stable: "HEIGHT_NOT_COMMITTED" });
    expect(future.details).toMatch(/height 99 is not committed yet \(latest is 2\)/);
    const huge = await failureOf(getBlock({ height: Number.MAX_SAFE_INTEGER }));
    expect(huge.code).toBe(status.OUT_OF_RANGE);
    expect(await failureOf(getBlock({ hash: new Uint8Array(5) }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: "hash must be 32 bytes, got 5",
    });
    expect(await failureOf(getBlock({ hash: new Uint8Array(32).fill(9) }))).toMatchObject({
      code: status.NOT_FOUND,
      stable: "NOT_FOUND",
    });
    expect(await failureOf(getBlock({ height: 1, hash: new Uint8Array(32) }))).toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: "give either height or hash, not both",
    });
  });

  it("a pruned height is FAILED_PRECONDITION", async () => {
    chain.earliestHeight = 2;
    try {
      const f = await failureOf(getBlock({ height: 1 }));
      expect(f).toMatchObject({ code: status.FAILED_PRECONDITION, stable: "HEIGHT_PRUNED" });
      expect(f.details).toMatch(/height 1 is not stored \(pruned\)/);
      const proof = await failureOf(
        chainCall(
          "GetProof",
          chainPb.GetProofRequest,
          { key: new Uint8Array([1]), height: 1 },
          chainPb.GetProofResponse,
        ),
      );
      expect(proof).toMatchObject({ code: status.FAILED_PRECONDITION, stable: "HEIGHT_NOT_AVAILABLE" });
    } finally {
      chain.earliestHeight = 1;
    }
  });

  it("GetBlockResults carries the tx results with their events", async () => {
    const r = await chainCall(
      "GetBlockResults",
      chainPb.GetBlockResultsRequest,
      { height: 1 },
      chainPb.GetBlockResultsResponse,
    );
    expect(r.results?.height).toBe(1);
    expect(r.results?.txResults).toHaveLength(1);
    expect(r.results?.txResults?.[0]?.events?.[0]?.type).toBe("transfer");
  });

  it("GetValidators lists the set in address order, up to the next height", async () => {
    const v = await chainCall(
      "GetValidators",
      chainPb.GetValidatorsRequest,
      {},
      chainPb.GetValidatorsResponse,
    );
    expect(v.height).toBe(2);
    expect(v.validators.map((x) => hexOf(x.address))).toEqual(chain.validators.map((x) => hexOf(x.address)));
    expect(v.validators.map((x) => x.votingPower)).toEqual(chain.validators.map((x) => String(x.power)));
    const next = await chainCall(
      "GetValidators",
      chainPb.GetValidatorsRequest,
      { height: 3 },
      chainPb.GetValidatorsResponse,
    );
    expect(next.height).toBe(3);
    const later = await failureOf(
      chainCall("GetValidators", chainPb.GetValidatorsRequest, { height: 4 }, chainPb.GetValidatorsResponse),
    );
    expect(later.code).toBe(status.OUT_OF_RANGE);
  });

  it("GetCommit has one signature per validator for the block", async () => {
    const c = await chainCall(
      "GetCommit",
      chainPb.GetCommitRequest,
      { height: 2 },
      chainPb.GetCommitResponse,
    );
    expect(c.commit?.height).toBe(2);
    expect(c.commit?.signatures).toHaveLength(3);
    expect(hexOf(c.commit!.blockHash)).toBe(hexOf((await chain.getBlock(2))!.blockHash));
  });

  it("GetProof proves an account's value against the app hash", async () => {
    const key = accountKey(addressFromPublicKey(alice.type, alice.publicKey));
    const p = await chainCall("GetProof", chainPb.GetProofRequest, { key }, chainPb.GetProofResponse);
    expect(p.exists).toBe(true);
    expect(p.proof?.kind).toBe("inclusion");
    expect(p.proof?.valueHash).toBe(toHex(sha256(p.value)));
    expect(Account.decode(p.value).nonce).toBe(1);
    const absent = await chainCall(
      "GetProof",
      chainPb.GetProofRequest,
      { key: accountKey(new Uint8Array(20).fill(3)) },
      chainPb.GetProofResponse,
    );
    expect(absent.exists).toBe(false);
    expect(absent.proof?.kind).toBe("exclusion");
    const empty = await failureOf(
      chainCall("GetProof", chainPb.GetProofRequest, {}, chainPb.GetProofResponse),
    );
    expect(empty.code).toBe(status.INVALID_ARGUMENT);
  });
});

describe("TxService", () => {
  it("Broadcast SYNC admits a tx, GetTx finds it once committed", async () => {
    const tx = transfer(5n);
    const sent = await broadcast({ tx: tx.bytes });
    expect(sent).toMatchObject({ accepted: true, codename: "OK" });
    expect(sent.gasWanted).toBe(1000);
    expect(toHex(sent.hash)).toBe(toHex(tx.hash));
    const missing = await failureOf(
      txCall("GetTx", txPb.GetTxRequest, { hash: tx.hash }, txPb.GetTxResponse),
    );
    expect(missing.code).toBe(status.NOT_FOUND);
    const height = await chain.commitBlock();
    const got = await txCall("GetTx", txPb.GetTxRequest, { hash: tx.hash }, txPb.GetTxResponse);
    expect(got.tx?.height).toBe(height);
    expect(got.tx?.result?.code).toBe(0);
    const bad = await failureOf(
      txCall("GetTx", txPb.GetTxRequest, { hash: new Uint8Array(3) }, txPb.GetTxResponse),
    );
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
  });

  it("Broadcast COMMIT answers with the committed record", async () => {
    chain.autoCommit = true;
    try {
      const tx = transfer(7n);
      const sent = await broadcast({ tx: tx.bytes, mode: txPb.BroadcastMode.BROADCAST_MODE_COMMIT });
      expect(sent.accepted).toBe(true);
      expect(sent.committed?.height).toBe(chain.latestHeight());
      expect(hexOf(sent.committed!.hash)).toBe(hexOf(tx.hash));
    } finally {
      chain.autoCommit = false;
    }
  });

  it("Broadcast COMMIT that is not included in time is DEADLINE_EXCEEDED", async () => {
    const f = await failureOf(
      broadcast({ tx: transfer(1n).bytes, mode: txPb.BroadcastMode.BROADCAST_MODE_COMMIT, timeoutMs: 100 }),
    );
    expect(f).toMatchObject({ code: status.DEADLINE_EXCEEDED, stable: "TX_COMMIT_TIMEOUT" });
    await chain.commitBlock();
  });

  it("a rejected tx is an answer with the rejecting component's code", async () => {
    const tx = transfer(1n);
    const decoded = Tx.decode(tx.bytes);
    decoded.signature = new Uint8Array(decoded.signature.length);
    const badSig = await broadcast({ tx: Tx.encode(decoded).finish() });
    expect(badSig).toMatchObject({ accepted: false, rejectedBy: "app", codename: "TX_BAD_SIGNATURE" });
    expect(badSig.code).toBeGreaterThan(0);
    await broadcast({ tx: tx.bytes });
    const dup = await broadcast({ tx: tx.bytes });
    expect(dup).toMatchObject({ accepted: false, rejectedBy: "mempool", codename: "MEMPOOL_DUPLICATE" });
    await chain.commitBlock();
  });

  it("Broadcast refuses an empty tx, and timeout_ms in SYNC mode or above the limit", async () => {
    expect((await failureOf(broadcast({}))).details).toBe("tx is empty");
    expect((await failureOf(broadcast({ tx: new Uint8Array([1]), timeoutMs: 5 }))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    const over = await failureOf(
      broadcast({
        tx: new Uint8Array([1]),
        mode: txPb.BroadcastMode.BROADCAST_MODE_COMMIT,
        timeoutMs: 999_999,
      }),
    );
    expect(over.details).toMatch(/above the node's limit of 2000/);
  });
});

describe("TxService Simulate and Search", () => {
  it("Simulate reports gas and events without committing", async () => {
    const tx = transfer(11n);
    aliceNonce--; // not committed: the next tx reuses the nonce
    const before = chain.latestHeight();
    const sim = await txCall("Simulate", txPb.SimulateRequest, { tx: tx.bytes }, txPb.SimulateResponse);
    expect(sim).toMatchObject({ code: 0, gasWanted: 1000 });
    expect(sim.gasUsed).toBeGreaterThan(0);
    expect(sim.events.map((e) => e.type)).toEqual(["transfer"]);
    expect(chain.latestHeight()).toBe(before);
    expect(chain.pendingCount).toBe(0);
    const empty = await failureOf(txCall("Simulate", txPb.SimulateRequest, {}, txPb.SimulateResponse));
    expect(empty.code).toBe(status.INVALID_ARGUMENT);
  });

  it("Search pages committed txs by event attribute as tx_search does, each as GetTx answers it", async () => {
    const sender = toHex(addressFromPublicKey(alice.type, alice.publicKey));
    const search = (request: kyochi.tx.v1.ISearchRequest) =>
      txCall("Search", txPb.SearchRequest, request, txPb.SearchResponse).then((r) => ({
        // decode builds TxRecord instances (the generated field type is the looser interface).
        txs: r.txs as kyochi.types.v1.TxRecord[],
        nextCursor: r.nextCursor ?? null,
      }));
    const all = await search({ event: { type: "transfer", key: "sender", value: sender } });
    expect(all.txs.length).toBeGreaterThanOrEqual(3);
    const page = await search({ event: { type: "transfer", key: "sender", value: sender }, limit: 1 });
    expect(page.txs).toHaveLength(1);
    expect(page.nextCursor).toMatch(/^\d+:\d+$/);
    const next = await search({
      event: { type: "transfer", key: "sender", value: sender },
      limit: 1,
      cursor: page.nextCursor!,
    });
    expect(next.txs[0]!.height).toBeGreaterThanOrEqual(page.txs[0]!.height);
    const first = all.txs[0]!;
    const got = await txCall("GetTx", txPb.GetTxRequest, { hash: first.hash }, txPb.GetTxResponse);
    const TxRecord = kyochi.types.v1.TxRecord;
    expect(TxRecord.toObject(got.tx as kyochi.types.v1.TxRecord)).toEqual(TxRecord.toObject(first));
    expect(first.tx.length).toBeGreaterThan(0);
    const last = await search({ event: { type: "transfer", key: "sender", value: sender }, limit: 100 });
    expect(last.nextCursor).toBeNull();
    const none = await failureOf(search({}));
    expect(none).toMatchObject({ code: status.INVALID_ARGUMENT, stable: "INVALID_PARAMS" });
  });
});

describe("bad input and failures", () => {
  it("malformed protobuf gets INVALID_ARGUMENT naming the message, and the server keeps serving", async () => {
    // A field 1 varint that never ends.
    const garbage = new Uint8Array([0x08, 0xff, 0xff, 0xff]);
    const f = await failureOf(client.bytes(`/${CHAIN_SERVICE}/GetBlock`, garbage));
    expect(f.code).toBe(status.INVALID_ARGUMENT);
    expect(f.details).toMatch(/^malformed kyochi\.chain\.v1\.GetBlockRequest/);
    const wrongWireType = new Uint8Array([0x0f, 0x01]);
    expect((await failureOf(client.bytes(`/${TX_SERVICE}/GetTx`, wrongWireType))).code).toBe(
      status.INVALID_ARGUMENT,
    );
    const stream = await failureOf(
      new Promise((resolve, reject) => {
        const s = client.stream(`/${CHAIN_SERVICE}/StreamBlocks`, garbage);
        s.on("data", () => {});
        s.on("error", reject);
        s.on("end", resolve);
      }),
    );
    expect(stream.code).toBe(status.INVALID_ARGUMENT);
    const s = await chainCall("GetStatus", chainPb.GetStatusRequest, {}, chainPb.GetStatusResponse);
    expect(s.chainId).toBe(CHAIN_ID);
  });

  it("an unknown method is UNIMPLEMENTED", async () => {
    const f = await failureOf(client.bytes(`/${CHAIN_SERVICE}/NoSuchMethod`, new Uint8Array()));
    expect(f.code).toBe(status.UNIMPLEMENTED);
  });

  it("a message above max_message_bytes is RESOURCE_EXHAUSTED, and the server keeps serving", async () => {
    const f = await failureOf(broadcast({ tx: new Uint8Array(MAX_MESSAGE + 1) }));
    expect(f.code).toBe(status.RESOURCE_EXHAUSTED);
    expect((await getBlock({ height: 1 })).height).toBe(1);
  });

  it("a backend failure is a bare INTERNAL for the client and logged in full", async () => {
    chain.failNext = new Error("disk on fire");
    const f = await failureOf(
      chainCall("GetStatus", chainPb.GetStatusRequest, {}, chainPb.GetStatusResponse),
    );
    expect(f).toMatchObject({ code: status.INTERNAL, details: "internal error", stable: "INTERNAL_ERROR" });
    expect(JSON.stringify(logged.at(-1)?.obj, (_k, v) => (v instanceof Error ? v.message : v))).toMatch(
      /disk on fire/,
    );
  });
});

describe("health", () => {
  it("grpc.health.v1.Health reports SERVING for the server and each service", async () => {
    expect(await healthCheck(server.address, "")).toBe("SERVING");
    expect(await healthCheck(server.address, CHAIN_SERVICE)).toBe("SERVING");
    expect((await failureOf(healthCheck(server.address, "no.such.Service"))).code).toBe(status.NOT_FOUND);
  });
});

describe("coverage", () => {
  it("every ChainService and TxService method except StreamBlocks (block-stream.test.ts) was called", () => {
    const all = [CHAIN_SERVICE, TX_SERVICE].flatMap((s) =>
      Object.keys(describedMethods(s)).map((m) => `${s}/${m}`),
    );
    expect(all.filter((m) => !called.has(m))).toEqual([`${CHAIN_SERVICE}/StreamBlocks`]);
  });
});
