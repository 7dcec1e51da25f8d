import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { encode } from "../../proto/canonical.js";
import { KeyType, Tx } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import type { RpcLogger } from "../logger.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type {
  BlockJson,
  BlockResultsJson,
  BlockTxHashesJson,
  BroadcastCommitJson,
  ProofJson,
  TxRecordJson,
} from "../types.js";
import { type JsonRpcServer, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-rpc-test";
const MAX_BODY = 16 * 1024;

interface RawReply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

interface ErrorReply {
  jsonrpc: "2.0";
  id: unknown;
  error: { code: number; message: string; data: { code: string; [k: string]: unknown } };
}

let server: JsonRpcServer;
let chain: MemoryChain;
let alice: SigningKey;
let bob: SigningKey;
let aliceNonce = 0;
const logged: { obj: object; msg?: string }[] = [];

const address = (key: SigningKey) => addressFromPublicKey(key.type, key.publicKey);

function transfer(from: SigningKey, nonce: number, amount: bigint, memo = "") {
  return signTx(from, [bankSendMsg(address(bob), amount)], {
    chainId: CHAIN_ID,
    nonce,
    fee: 2000n,
    gasLimit: 1000,
    memo,
  });
}

async function post(body: string, headers: Record<string, string> = { "content-type": "application/json" }) {
  const res = await fetch(server.url, { method: "POST", headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json } satisfies RawReply;
}

async function call(method: string, params?: unknown, id: unknown = 1) {
  const reply = await post(
    JSON.stringify({ jsonrpc: "2.0", id, method, ...(params !== undefined ? { params } : {}) }),
  );
  expect(reply.status).toBe(200);
  return reply.json as { result?: unknown; error?: ErrorReply["error"]; id: unknown };
}

async function result<T>(method: string, params?: unknown): Promise<T> {
  const reply = await call(method, params);
  expect(reply.error).toBeUndefined();
  return reply.result as T;
}

async function error(method: string, params?: unknown): Promise<ErrorReply["error"]> {
  const reply = await call(method, params);
  expect(reply.result).toBeUndefined();
  expect(reply.error).toBeDefined();
  return reply.error!;
}

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  bob = generateSigningKey(KeyType.KEY_TYPE_SECP256K1);
  chain = new MemoryChain({ chainId: CHAIN_ID, genesis: [{ address: address(alice), balance: 10n ** 30n }] });
  // Height 1: one good transfer; height 2: an empty block.
  const first = await chain.broadcastTx(transfer(alice, aliceNonce++, 5n, "first").bytes);
  expect(first.accepted).toBe(true);
  await chain.commitBlock();
  await chain.commitBlock();
  const sink = (obj: object, msg?: string) => void logged.push({ obj, msg });
  const logger: RpcLogger = { debug: () => {}, info: () => {}, warn: sink, error: sink };
  server = await startJsonRpcServer({
    backend: chain,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: MAX_BODY,
    maxBatch: 5,
    commitTimeoutMs: 2000,
    logger,
  });
});

afterAll(async () => {
  await server.close();
});

describe("JSON-RPC protocol", () => {
  it("answers malformed JSON with -32700 PARSE_ERROR", async () => {
    const reply = await post('{"jsonrpc":"2.0","id":1,"method":');
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    const body = reply.json as ErrorReply;
    expect(body.id).toBeNull();
    expect(body.error.code).toBe(-32700);
    expect(body.error.data.code).toBe("PARSE_ERROR");
  });

  it("answers an unknown method with -32601 METHOD_NOT_FOUND and echoes the id", async () => {
    const reply = await call("chain_doesNotExist", {}, "abc");
    expect(reply.id).toBe("abc");
    expect(reply.error?.code).toBe(-32601);
    expect(reply.error?.data.code).toBe("METHOD_NOT_FOUND");
    // Names inherited from Object.prototype are not methods either.
    expect((await call("constructor")).error?.code).toBe(-32601);
    expect((await call("__proto__")).error?.code).toBe(-32601);
  });

  it("answers requests that are not JSON-RPC 2.0 with -32600 INVALID_REQUEST", async () => {
    for (const body of [
      { id: 1, method: "chain_status" },
      { jsonrpc: "1.0", id: 1, method: "chain_status" },
      { jsonrpc: "2.0", id: 1, method: 7 },
      { jsonrpc: "2.0", id: { nested: true }, method: "chain_status" },
      { jsonrpc: "2.0", id: 1, method: "chain_status", extra: 1 },
      42,
      "chain_status",
    ]) {
      const reply = (await post(JSON.stringify(body))).json as ErrorReply;
      expect(reply.error.code).toBe(-32600);
      expect(reply.error.data.code).toBe("INVALID_REQUEST");
    }
  });

  it("refuses a body above maxBodyBytes with HTTP 413 and a JSON-RPC error, declared or streamed", async () => {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tx_broadcast",
      params: { tx: `0x${"ab".repeat(MAX_BODY)}` },
    });
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect((declared.json as ErrorReply).error).toMatchObject({
      code: -32600,
      data: { code: "REQUEST_TOO_LARGE" },
    });

    // Chunked upload without Content-Length: the server stops at the limit, answers 413 and closes.
    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        server.url,
        { method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      const chunk = "x".repeat(4096);
      let sent = 0;
      // Keep sending well past the limit, a chunk at a time, until the server answers.
      const pump = () => {
        while (sent < MAX_BODY * 4) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body).error.data.code).toBe("REQUEST_TOO_LARGE");

    // The server is fine afterwards.
    expect((await result<{ chainId: string }>("chain_status")).chainId).toBe(CHAIN_ID);
  });

  it("answers fetch's whole oversized upload with the 413, not a broken pipe", async () => {
    // fetch writes the whole body before it reads the answer: the server must read (and drop) the
    // rest of a refused body for the 413 to reach it. 4 MiB is 256x the limit.
    const body = `"${"y".repeat(4 * 1024 * 1024)}"`;
    for (let i = 0; i < 5; i++) {
      const reply = await post(body);
      expect(reply.status).toBe(413);
      expect((reply.json as ErrorReply).error.data.code).toBe("REQUEST_TOO_LARGE");
    }
  });

  it("stops reading a refused upload after 16 MiB: the socket is cut, the server keeps serving", async () => {
    const { port } = new URL(server.url);
    const total = 256 * 1024 * 1024;
    const written = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), "127.0.0.1");
      let sent = 0;
      socket.on("data", () => {}); // the 413; the socket stays open on our side
      socket.on("error", () => {});
      socket.on("close", () => resolve(sent));
      const chunk = Buffer.alloc(64 * 1024, 0x7a);
      const pump = () => {
        while (sent < total && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
      };
      socket.write(
        `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n`,
        pump,
      );
    });
    // 16 MiB drained plus what the sockets' buffers held: far from the 256 MiB offered.
    expect(written).toBeGreaterThan(16 * 1024 * 1024);
    expect(written).toBeLessThan(64 * 1024 * 1024);
    expect((await result<{ chainId: string }>("chain_status")).chainId).toBe(CHAIN_ID);
  });

  it("serves batches in order, omits notifications, and limits the batch size", async () => {
    const batch = [
      { jsonrpc: "2.0", id: 1, method: "chain_status" },
      { jsonrpc: "2.0", method: "chain_status" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
      { jsonrpc: "2.0", id: 3, method: "chain_getBlock", params: { height: 1 } },
      { foo: 1 },
    ];
    const replies = (await post(JSON.stringify(batch))).json as {
      id: unknown;
      result?: unknown;
      error?: { code: number };
    }[];
    expect(replies.map((r) => r.id)).toEqual([1, 2, 3, null]);
    expect(replies[0]!.result).toBeDefined();
    expect(replies[1]!.error?.code).toBe(-32601);
    expect((replies[2]!.result as BlockJson).header.height).toBe(1);
    expect(replies[3]!.error?.code).toBe(-32600);

    const tooMany = Array.from({ length: 6 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "chain_status" }));
    const refused = (await post(JSON.stringify(tooMany))).json as ErrorReply;
    expect(refused.error).toMatchObject({ code: -32600, data: { code: "BATCH_TOO_LARGE", maxBatch: 5 } });

    expect(((await post("[]")).json as ErrorReply).error.code).toBe(-32600);

    const onlyNotifications = await post(JSON.stringify([{ jsonrpc: "2.0", method: "chain_status" }]));
    expect(onlyNotifications.status).toBe(204);
    expect(onlyNotifications.text).toBe("");
  });

  it("accepts POST with JSON only, and answers GET / with the method list", async () => {
    const help = await fetch(server.url);
    expect(help.status).toBe(200);
    expect(((await help.json()) as { methods: string[] }).methods).toContain("tx_broadcast");

    const put = await fetch(server.url, { method: "PUT", body: "{}" });
    expect(put.status).toBe(405);
    expect(((await put.json()) as ErrorReply).error.data.code).toBe("HTTP_METHOD_NOT_ALLOWED");

    const form = await post("a=b", { "content-type": "application/x-www-form-urlencoded" });
    expect(form.status).toBe(415);
    expect((form.json as ErrorReply).error.data.code).toBe("UNSUPPORTED_MEDIA_TYPE");

    const elsewhere = await fetch(`${server.url}/other`, { method: "POST", body: "{}" });
    expect(elsewhere.status).toBe(404);
  });

  it("turns a handler failure into -32603 without leaking details, logs it, and keeps serving", async () => {
    chain.failNext = new Error("disk on fire at /secret/path");
    const err = await error("chain_status");
    expect(err.code).toBe(-32603);
    expect(err.data.code).toBe("INTERNAL_ERROR");
    expect(JSON.stringify(err)).not.toContain("secret");
    expect(JSON.stringify(err)).not.toContain("at ");
    expect(logged.some((entry) => JSON.stringify(entry.obj).includes("chain_status"))).toBe(true);
    expect((await result<{ chainId: string }>("chain_status")).chainId).toBe(CHAIN_ID);
  });
});

describe("params validation", () => {
  it.each([
    [{ height: "abc" }, "NOT_AN_INTEGER"],
    [{ height: "01" }, "NOT_AN_INTEGER"],
    [{ height: "-1" }, "NOT_AN_INTEGER"],
    [{ height: 1.5 }, "NOT_AN_INTEGER"],
    [{ height: -1 }, "OUT_OF_RANGE"],
    [{ height: 0 }, "OUT_OF_RANGE"],
    [{ height: 2 ** 53 }, "OUT_OF_RANGE"],
    [{ height: "9007199254740993" }, "OUT_OF_RANGE"],
    [{ height: "1".repeat(400) }, "OUT_OF_RANGE"],
    [{ height: true }, "WRONG_TYPE"],
    [{ height: [1] }, "WRONG_TYPE"],
    [{ hieght: 1 }, "UNKNOWN_PARAM"],
    [[1], "NOT_AN_OBJECT"],
    ["1", "NOT_AN_OBJECT"],
  ])("chain_getBlock %j -> INVALID_PARAMS %s", async (params, reason) => {
    const err = await error("chain_getBlock", params);
    expect(err.code).toBe(-32602);
    expect(err.data.code).toBe("INVALID_PARAMS");
    expect(err.data.reason).toBe(reason);
  });

  it("refuses bad hex, bad lengths and bad addresses, naming the param", async () => {
    const cases: [string, object, string, string][] = [
      ["tx_broadcast", { tx: "0xzz" }, "tx", "BAD_HEX"],
      ["tx_broadcast", { tx: "0xabc" }, "tx", "BAD_HEX"],
      ["tx_broadcast", { tx: "0x" }, "tx", "BAD_LENGTH"],
      ["tx_broadcast", { tx: 12 }, "tx", "WRONG_TYPE"],
      ["tx_broadcast", {}, "tx", "MISSING"],
      ["tx_broadcast", { tx: "0x00", mode: "async" }, "mode", "BAD_VALUE"],
      ["tx_broadcast", { tx: "0x00", mode: "commit", timeoutMs: 10_000_000 }, "timeoutMs", "OUT_OF_RANGE"],
      ["tx_get", { hash: "0x1234" }, "hash", "BAD_LENGTH"],
      ["tx_get", { hash: `0x${"g".repeat(64)}` }, "hash", "BAD_HEX"],
      ["account_get", { address: "kyo1notanaddress" }, "address", "BAD_ADDRESS"],
      [
        "account_get",
        { address: encodeAddress(new Uint8Array(20)).replace(/^kyo/, "cosmos") },
        "address",
        "BAD_ADDRESS",
      ],
      ["account_get", { address: encodeAddress(address(alice)), height: "x" }, "height", "NOT_AN_INTEGER"],
      ["state_getProof", { key: "0x01", address: encodeAddress(address(alice)) }, "key", "CONFLICT"],
      ["state_getProof", { key: "nothex" }, "key", "BAD_HEX"],
      ["state_getProof", {}, "key", "MISSING"],
      ["chain_getBlockResults", {}, "height", "MISSING"],
      ["chain_status", { verbose: true }, "verbose", "UNKNOWN_PARAM"],
    ];
    for (const [method, params, param, reason] of cases) {
      const err = await error(method, params);
      expect({ method, code: err.code, data: err.data }).toMatchObject({
        method,
        code: -32602,
        data: { code: "INVALID_PARAMS", param, reason },
      });
    }
  });
});

describe("chain methods", () => {
  it("chain_status reports the chain and its latest block", async () => {
    const status = await result<Record<string, unknown>>("chain_status");
    expect(status).toMatchObject({
      chainId: CHAIN_ID,
      latestBlockHeight: 2,
      earliestBlockHeight: 1,
      catchingUp: false,
      validatorAddress: `0x${toHex(chain.validators[0]!.address)}`,
    });
    expect(status.latestBlockHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(status.latestBlockTime).toBe(new Date(status.latestBlockTimeMs as number).toISOString());
  });

  it("chain_getBlock renders the header, tx hashes and decoded txs", async () => {
    const block = await result<BlockJson>("chain_getBlock", { height: "1" });
    expect(block.header).toMatchObject({
      chainId: CHAIN_ID,
      height: 1,
      lastBlockHash: `0x${"00".repeat(32)}`,
    });
    expect(block.txs).toHaveLength(1);
    const tx = block.txs[0]!;
    expect(tx.signer).toBe(encodeAddress(address(alice)));
    expect(tx.keyType).toBe("ed25519");
    expect(tx.body).toEqual({
      chainId: CHAIN_ID,
      nonce: 0,
      fee: "2000",
      gasLimit: 1000,
      memo: "first",
      messages: [{ type: "kyochi.bank.v1.MsgSend", value: { to: encodeAddress(address(bob)), amount: "5" } }],
    });
    const latest = await result<BlockJson>("chain_getBlock");
    expect(latest.header.height).toBe(2);
    expect(latest.header.lastBlockHash).toBe(block.blockHash);
    expect(latest.txs).toEqual([]);
  });

  it('chain_getBlock with txs "hashes" gives the same block with each tx as its hash only', async () => {
    const full = await result<BlockJson>("chain_getBlock", { height: 1 });
    const hashes = await result<BlockTxHashesJson>("chain_getBlock", { height: 1, txs: "hashes" });
    expect(hashes.txs).toEqual(full.txs.map((tx) => tx.hash));
    expect(hashes.txs[0]).toMatch(/^0x[0-9a-f]{64}$/);
    expect({ ...hashes, txs: [] }).toEqual({ ...full, txs: [] });
    expect(await result<BlockJson>("chain_getBlock", { height: 1, txs: "full" })).toEqual(full);
    const bad = await error("chain_getBlock", { height: 1, txs: "all" });
    expect(bad).toMatchObject({
      code: -32602,
      data: { code: "INVALID_PARAMS", param: "txs", reason: "BAD_VALUE" },
    });
  });

  it("chain_getBlock refuses a height that is not committed or pruned", async () => {
    const future = await error("chain_getBlock", { height: 99 });
    expect(future).toMatchObject({
      code: -32001,
      data: { code: "HEIGHT_NOT_AVAILABLE", height: 99, latestHeight: 2 },
    });
    chain.earliestHeight = 2;
    try {
      const pruned = await error("chain_getBlock", { height: 1 });
      expect(pruned).toMatchObject({ code: -32001, data: { code: "HEIGHT_NOT_AVAILABLE" } });
    } finally {
      chain.earliestHeight = 1;
    }
  });

  it("chain_getBlockResults renders codes, codenames, gas and events with tx hashes", async () => {
    const results = await result<BlockResultsJson>("chain_getBlockResults", { height: 1 });
    const block = await result<BlockJson>("chain_getBlock", { height: 1 });
    expect(results.height).toBe(1);
    expect(results.txResults).toHaveLength(1);
    expect(results.txResults[0]).toMatchObject({
      hash: block.txs[0]!.hash,
      code: 0,
      codename: "OK",
      gasWanted: 1000,
      gasUsed: 1000,
    });
    expect(results.txResults[0]!.events[0]).toEqual({
      type: "transfer",
      attributes: [
        { key: "sender", value: toHex(address(alice)) },
        { key: "recipient", value: toHex(address(bob)) },
        { key: "amount", value: "5" },
      ],
    });
    expect(results.finalizeEvents[0]!.type).toBe("block");
    expect((await error("chain_getBlockResults", { height: 3 })).data.code).toBe("HEIGHT_NOT_AVAILABLE");
  });
});

describe("tx methods", () => {
  it("tx_broadcast sync admits a tx and returns its hash; tx_get finds it once committed", async () => {
    const tx = transfer(alice, aliceNonce++, 7n);
    const sent = await result<Record<string, unknown>>("tx_broadcast", { tx: `0x${toHex(tx.bytes)}` });
    expect(sent).toMatchObject({
      mode: "sync",
      hash: `0x${toHex(tx.hash)}`,
      code: 0,
      codename: "OK",
      gasWanted: 1000,
    });

    const notYet = await error("tx_get", { hash: `0x${toHex(tx.hash)}` });
    expect(notYet).toMatchObject({ code: -32000, data: { code: "NOT_FOUND" } });

    const height = await chain.commitBlock();
    const record = await result<TxRecordJson>("tx_get", { hash: toHex(tx.hash) });
    expect(record).toMatchObject({
      hash: `0x${toHex(tx.hash)}`,
      height,
      index: 0,
      txBytes: `0x${toHex(tx.bytes)}`,
    });
    expect(record.result).toMatchObject({ code: 0, codename: "OK" });
    expect(record.tx.body?.messages[0]?.value).toEqual({ to: encodeAddress(address(bob)), amount: "7" });
  });

  it("tx_broadcast commit waits for the block and returns height, index, result and events", async () => {
    chain.autoCommit = true;
    try {
      const tx = transfer(alice, aliceNonce++, 11n);
      const sent = await result<BroadcastCommitJson>("tx_broadcast", {
        tx: `0x${toHex(tx.bytes)}`,
        mode: "commit",
      });
      expect(sent.mode).toBe("commit");
      expect(sent.hash).toBe(`0x${toHex(tx.hash)}`);
      expect(sent.height).toBe(chain.latestHeight());
      expect(sent.index).toBe(0);
      expect(sent.checkTx).toMatchObject({ code: 0, codename: "OK" });
      expect(sent.result).toMatchObject({ code: 0, codename: "OK", gasUsed: 1000 });
      expect(sent.result.events.map((e) => e.type)).toEqual(["transfer"]);
    } finally {
      chain.autoCommit = false;
    }
  });

  it("tx_broadcast commit reports a timeout with the hash when no block comes", async () => {
    const tx = transfer(alice, aliceNonce++, 1n);
    const err = await error("tx_broadcast", { tx: `0x${toHex(tx.bytes)}`, mode: "commit", timeoutMs: 50 });
    expect(err).toMatchObject({
      code: -32004,
      data: { code: "TX_COMMIT_TIMEOUT", hash: `0x${toHex(tx.hash)}` },
    });
    await chain.commitBlock();
    expect((await result<TxRecordJson>("tx_get", { hash: `0x${toHex(tx.hash)}` })).height).toBe(
      chain.latestHeight(),
    );
  });

  it("tx_broadcast passes checkTx's codename through and changes nothing", async () => {
    const tx = transfer(alice, aliceNonce, 1n);
    const forged = Tx.decode(tx.bytes);
    forged.signature = Uint8Array.from(forged.signature);
    forged.signature[3]! ^= 0xff;
    const bytes = encode(Tx, forged);
    const before = chain.pendingCount;
    const err = await error("tx_broadcast", { tx: `0x${toHex(bytes)}` });
    expect(err.code).toBe(-32002);
    expect(err.data).toMatchObject({
      code: "TX_BAD_SIGNATURE",
      txCode: 8,
      hash: `0x${toHex(sha256(bytes))}`,
    });
    expect(chain.pendingCount).toBe(before);

    const garbage = await error("tx_broadcast", { tx: "0x0a05ffff" });
    expect(garbage).toMatchObject({ code: -32002, data: { code: "TX_MALFORMED" } });
  });

  it("tx_broadcast reports mempool refusals with the mempool's code", async () => {
    const tx = transfer(alice, aliceNonce++, 2n);
    await result("tx_broadcast", { tx: `0x${toHex(tx.bytes)}` });
    const again = await error("tx_broadcast", { tx: `0x${toHex(tx.bytes)}` });
    expect(again).toMatchObject({ code: -32003, data: { code: "MEMPOOL_DUPLICATE" } });
    await chain.commitBlock();
  });
});

describe("account and state methods", () => {
  it("account_get returns nonce and balance as a decimal string, latest or at a height", async () => {
    const now = await result<Record<string, unknown>>("account_get", {
      address: encodeAddress(address(alice)),
    });
    expect(now).toMatchObject({ address: encodeAddress(address(alice)), exists: true, nonce: aliceNonce });
    expect(typeof now.balance).toBe("string");
    expect(BigInt(now.balance as string)).toBeLessThan(10n ** 30n);

    const atOne = await result<Record<string, unknown>>("account_get", {
      address: encodeAddress(address(alice)),
      height: 1,
    });
    expect(atOne).toMatchObject({ height: 1, nonce: 1, balance: (10n ** 30n - 2005n).toString() });

    const stranger = encodeAddress(new Uint8Array(20).fill(9));
    expect(await result("account_get", { address: stranger })).toMatchObject({
      exists: false,
      nonce: 0,
      balance: "0",
    });
    expect((await error("account_get", { address: stranger, height: 10_000 })).data.code).toBe(
      "HEIGHT_NOT_AVAILABLE",
    );
  });

  it("state_getProof answers a raw key or an address, present or absent, with the app hash", async () => {
    const key = `0x01${toHex(address(alice))}`;
    const byKey = await result<ProofJson>("state_getProof", { key, height: 1 });
    expect(byKey).toMatchObject({ height: 1, key, proof: { kind: "inclusion" } });
    expect(byKey.value).toMatch(/^0x[0-9a-f]+$/);
    expect(byKey.account).toEqual({
      address: encodeAddress(address(alice)),
      nonce: 1,
      balance: (10n ** 30n - 2005n).toString(),
    });
    expect(byKey.proof.keyHash).toBe(toHex(sha256(Buffer.from(key.slice(2), "hex"))));
    const block2 = await result<BlockJson>("chain_getBlock", { height: 2 });
    // The header of block 2 carries the state root after block 1.
    expect(byKey.appHash).toBe(block2.header.appHash);

    const byAddress = await result<ProofJson>("state_getProof", {
      address: encodeAddress(address(alice)),
      height: 1,
    });
    expect(byAddress).toEqual(byKey);

    const absent = await result<ProofJson>("state_getProof", {
      address: encodeAddress(new Uint8Array(20).fill(3)),
    });
    expect(absent.value).toBeNull();
    expect(absent.proof.kind).toBe("exclusion");
    expect(absent.account).toBeUndefined();

    chain.earliestHeight = 2;
    try {
      expect((await error("state_getProof", { key, height: 1 })).data.code).toBe("HEIGHT_NOT_AVAILABLE");
    } finally {
      chain.earliestHeight = 1;
    }
  });
});
