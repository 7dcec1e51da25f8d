// Bad input on every API surface of one running node process — JSON-RPC over HTTP (malformed and
// deeply nested JSON, oversized bodies and batches, wrong param types for many methods), the
// WebSocket (invalid filters, frames that are not JSON, an oversized message) and gRPC (malformed
// protobuf, out-of-range heights on the chain service) — each gets the typed error rpc/ERRORS.md
// documents, while the node keeps producing blocks and still answers a normal request at the end.
// Transaction-level bad input (bad signatures, nonces, fees...) is test/e2e/bad-input.test.ts.
import { Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "../helpers/devnet.js";
import {
  freePort,
  latestHeight,
  type NodeProcess,
  type RpcResponse,
  removeDir,
  rpc,
  startNode,
  stopNode,
  waitForHeight,
} from "../helpers/process-node.js";

const DEPTH = 100_000;
const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
/** A well-formed address (of no account in particular). */
const ADDRESS = "kyo1zvvpkp9xvr7qe745s45yr4npnqjes22jsjf4uy";

let net: TestDevnet;
let node: NodeProcess;
let grpcAddress: string;
let grpc: Client;
let lastHeight = 0;

beforeAll(async () => {
  net = createTestDevnet("api-bad-input");
  const grpcPort = await freePort();
  grpcAddress = `127.0.0.1:${grpcPort}`;
  node = await startNode(net.nodeHome, [...FAST_BLOCKS, "--grpc.laddr", grpcAddress]);
  grpc = new Client(grpcAddress, credentials.createInsecure());
  lastHeight = await latestHeight(node.rpcUrl);
}, 60_000);

afterAll(async () => {
  grpc?.close();
  if (node) await stopNode(node);
  if (net) removeDir(net.root);
});

/** The node is alive and still committing: a new block since the last check. */
async function expectProgress(): Promise<void> {
  expect(node.child.exitCode, node.output().slice(-2000)).toBeNull();
  await waitForHeight(node.rpcUrl, lastHeight + 1, 15_000);
  lastHeight = await latestHeight(node.rpcUrl);
}

async function post(body: string | Uint8Array): Promise<{ status: number; json: unknown }> {
  const res = await fetch(node.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // kept as text: the assertions below then fail with what came back
  }
  return { status: res.status, json };
}

function expectError(reply: unknown, rpcCode: number, code: string): RpcResponse["error"] {
  const r = reply as RpcResponse;
  expect(r.result, JSON.stringify(reply)?.slice(0, 500)).toBeUndefined();
  expect(r.error?.code, JSON.stringify(reply)?.slice(0, 500)).toBe(rpcCode);
  expect(r.error?.data?.code).toBe(code);
  expect(r.error?.message.length).toBeGreaterThan(0);
  return r.error;
}

describe("JSON-RPC over HTTP", () => {
  it("answers JSON that does not parse with PARSE_ERROR", async () => {
    for (const body of [
      "",
      "{",
      "nope",
      '{"jsonrpc":"2.0","id":1,"method":"chain_status"} trailing',
      new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
      `${"[".repeat(DEPTH)}`,
    ]) {
      const reply = await post(body);
      expect(reply.status).toBe(200);
      expectError(reply.json, -32700, "PARSE_ERROR");
    }
  });

  it("answers unknown methods, even the names of Object's own properties, with METHOD_NOT_FOUND", async () => {
    for (const method of ["chain_nope", "__proto__", "constructor", "toString", "hasOwnProperty", ""]) {
      const error = expectError(await rpc(node.rpcUrl, method, {}), -32601, "METHOD_NOT_FOUND");
      expect(error?.data?.methods).toContain("chain_getBlocks");
    }
  });

  it("answers deeply nested JSON (100,000 levels) with a typed error, not a crash", async () => {
    // A nested array as the whole body is a batch whose one entry is not a request object.
    const bare = await post(nested(DEPTH));
    expect(bare.status).toBe(200);
    expect(bare.json).toHaveLength(1);
    expectError((bare.json as unknown[])[0], -32600, "INVALID_REQUEST");
    const member = (name: string, value: string, rest = '"method":"chain_status"') =>
      post(`{"jsonrpc":"2.0",${name === "id" ? "" : '"id":1,'}${rest}${rest ? "," : ""}"${name}":${value}}`);
    expectError((await member("id", nested(DEPTH))).json, -32600, "INVALID_REQUEST");
    expectError((await member("method", nested(DEPTH), "")).json, -32600, "INVALID_REQUEST");
    const asParams = await member("params", nested(DEPTH));
    expect(expectError(asParams.json, -32602, "INVALID_PARAMS")?.data?.reason).toBe("NOT_AN_OBJECT");
    const deepObject = `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;
    expectError((await member("params", deepObject)).json, -32602, "INVALID_PARAMS");
    // Nested values where a method expects a scalar, inside a well-formed params object.
    for (const [method, params] of [
      ["chain_getBlock", `{"height":${nested(DEPTH)}}`],
      ["chain_getBlocks", `{"cursor":${nested(DEPTH)}}`],
      ["tx_search", `{"event":{"type":${nested(DEPTH)},"key":"k","value":"v"}}`],
      ["account_get", `{"address":${deepObject}}`],
      ["compute_listWorkers", `{"attested":${nested(DEPTH)}}`],
    ] as const) {
      const reply = await member("params", params, `"method":"${method}"`);
      expectError(reply.json, -32602, "INVALID_PARAMS");
    }
    // Deeper than the body limit (1 MiB by default): refused before parsing.
    const huge = await post(nested(1_500_000));
    expect(huge.status).toBe(413);
    expectError(huge.json, -32600, "REQUEST_TOO_LARGE");
    await expectProgress();
  });

  it("answers empty and oversized batches, and each bad entry of a batch, on its own", async () => {
    expectError((await post("[]")).json, -32600, "INVALID_REQUEST");
    const tooMany = Array.from({ length: 101 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "chain_status",
    }));
    const error = expectError((await post(JSON.stringify(tooMany))).json, -32600, "BATCH_TOO_LARGE");
    expect(error?.data?.maxBatch).toBe(100);
    const mixed = await post(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "chain_status" },
        { jsonrpc: "1.0", id: 2, method: "chain_status" },
        { jsonrpc: "2.0", id: 3, method: "chain_getBlock", params: { height: -1 } },
        42,
        { jsonrpc: "2.0", id: 4, method: "chain_status", extra: true },
      ]),
    );
    const answers = mixed.json as (RpcResponse & { id: unknown })[];
    expect(answers).toHaveLength(5);
    expect(answers[0]!.result).toBeDefined();
    expectError(answers[1], -32600, "INVALID_REQUEST");
    expectError(answers[2], -32602, "INVALID_PARAMS");
    expectError(answers[3], -32600, "INVALID_REQUEST");
    expectError(answers[4], -32600, "INVALID_REQUEST");
  });

  it("refuses wrong param types with INVALID_PARAMS naming the param and the reason", async () => {
    const hash = `0x${"ab".repeat(32)}`;
    const cases: [method: string, params: unknown, param: string, reason: string][] = [
      ["chain_getBlock", { height: "ten" }, "height", "NOT_AN_INTEGER"],
      ["chain_getBlock", { height: "-1" }, "height", "NOT_AN_INTEGER"],
      ["chain_getBlock", { height: "1e3" }, "height", "NOT_AN_INTEGER"],
      ["chain_getBlock", { height: 1.5 }, "height", "NOT_AN_INTEGER"],
      ["chain_getBlock", { height: -1 }, "height", "OUT_OF_RANGE"],
      ["chain_getBlock", { height: 0 }, "height", "OUT_OF_RANGE"],
      ["chain_getBlock", { height: 2 ** 64 }, "height", "OUT_OF_RANGE"],
      ["chain_getBlock", { height: "18446744073709551616" }, "height", "OUT_OF_RANGE"],
      ["chain_getBlock", { height: true }, "height", "WRONG_TYPE"],
      ["chain_getBlockResults", {}, "height", "MISSING"],
      ["chain_getCommit", { height: [1] }, "height", "WRONG_TYPE"],
      ["chain_getBlocks", { minHeight: 5, maxHeight: 4 }, "maxHeight", "CONFLICT"],
      ["chain_getBlocks", { cursor: "99999999999999999999" }, "cursor", "BAD_VALUE"],
      ["chain_getBlocks", { limit: 0 }, "limit", "OUT_OF_RANGE"],
      ["chain_getBlocks", { limit: 1e9 }, "limit", "OUT_OF_RANGE"],
      ["chain_getValidators", { cursor: 1e300 }, "cursor", "OUT_OF_RANGE"],
      ["chain_getValidators", { cursor: -1 }, "cursor", "OUT_OF_RANGE"],
      ["tx_search", { sender: ADDRESS, cursor: "99999999999999999999:1" }, "cursor", "BAD_VALUE"],
      ["tx_search", { sender: ADDRESS, limit: 0 }, "limit", "OUT_OF_RANGE"],
      ["tx_search", { sender: ADDRESS, limit: 1e9 }, "limit", "OUT_OF_RANGE"],
      ["tx_search", { sender: ADDRESS, order: "sideways" }, "order", "BAD_VALUE"],
      ["tx_search", {}, "sender|recipient|event", "MISSING"],
      ["model_list", { limit: 0 }, "limit", "OUT_OF_RANGE"],
      ["data_listDatasets", { cursor: 1.5 }, "cursor", "NOT_AN_INTEGER"],
      ["data_getDataset", { id: "99999999999999999999" }, "id", "OUT_OF_RANGE"],
      ["compute_getJob", { id: 0 }, "id", "OUT_OF_RANGE"],
      ["account_get", { address: ADDRESS, nonce: 1 }, "nonce", "UNKNOWN_PARAM"],
      ["chain_status", { verbose: true }, "verbose", "UNKNOWN_PARAM"],
      ["chain_status", [], "params", "NOT_AN_OBJECT"],
      ["account_get", { address: `${ADDRESS.slice(0, -1)}x` }, "address", "BAD_ADDRESS"],
      ["account_get", { address: "cosmos1zvvpkp9xvr7qe745s45yr4npnqjes22jsjf4uy" }, "address", "BAD_ADDRESS"],
      ["account_get", { address: 42 }, "address", "WRONG_TYPE"],
      ["compute_getWorker", { address: "kyo1" }, "address", "BAD_ADDRESS"],
      ["tx_get", { hash: "0xzz" }, "hash", "BAD_HEX"],
      ["tx_get", { hash: "0xabc" }, "hash", "BAD_HEX"],
      ["tx_get", { hash: "0xabcd" }, "hash", "BAD_LENGTH"],
      ["state_getProof", { key: "0x1" }, "key", "BAD_HEX"],
      ["state_getProof", { key: "0x01", address: ADDRESS }, "key", "CONFLICT"],
      ["tx_broadcast", { tx: "0x" }, "tx", "BAD_LENGTH"],
      ["tx_broadcast", { tx: "0x00", mode: "eventually" }, "mode", "BAD_VALUE"],
      ["tx_broadcast", { tx: "0x00", mode: "commit", timeoutMs: 1e12 }, "timeoutMs", "OUT_OF_RANGE"],
      ["tx_simulate", { tx: 7 }, "tx", "WRONG_TYPE"],
      ["compute_listWorkers", { attested: "yes" }, "attested", "WRONG_TYPE"],
      ["attestation_getAllowedMeasurements", { evidenceClass: "dev/limit=1" }, "evidenceClass", "BAD_VALUE"],
    ];
    for (const [method, params, param, reason] of cases) {
      const label = `${method} ${JSON.stringify(params)}`;
      const error = expectError(await rpc(node.rpcUrl, method, params), -32602, "INVALID_PARAMS");
      expect({ param: error?.data?.param, reason: error?.data?.reason }, label).toEqual({ param, reason });
    }
    // JSON numbers past double range parse as Infinity: out of range too.
    const infinite = await post(
      '{"jsonrpc":"2.0","id":1,"method":"chain_getBlock","params":{"height":1e400}}',
    );
    expect(expectError(infinite.json, -32602, "INVALID_PARAMS")?.data?.reason).toBe("OUT_OF_RANGE");
    // Well-formed heights the node does not have: HEIGHT_NOT_AVAILABLE, not a param error.
    for (const method of ["chain_getBlock", "chain_getBlockResults", "chain_getCommit"]) {
      const error = expectError(
        await rpc(node.rpcUrl, method, { height: Number.MAX_SAFE_INTEGER }),
        -32001,
        "HEIGHT_NOT_AVAILABLE",
      );
      expect(error?.data?.latestHeight).toBeGreaterThan(0);
    }
    expectError(await rpc(node.rpcUrl, "tx_get", { hash }), -32000, "NOT_FOUND");
    await expectProgress();
  });
});

describe("JSON-RPC over WebSocket", () => {
  async function open(): Promise<{
    ws: WebSocket;
    reply: (id: string) => Promise<RpcResponse>;
    closed: Promise<number>;
    next: () => Promise<RpcResponse>;
  }> {
    const ws = new WebSocket(`${node.rpcUrl.replace("http", "ws")}/websocket`);
    const messages: (RpcResponse & { id?: unknown })[] = [];
    const waiters: (() => void)[] = [];
    ws.on("message", (data) => {
      messages.push(JSON.parse(data.toString()) as RpcResponse);
      for (const w of waiters.splice(0)) w();
    });
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    const waitFor = async (pick: () => RpcResponse | undefined): Promise<RpcResponse> => {
      for (;;) {
        const found = pick();
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    let read = 0;
    return {
      ws,
      closed,
      reply: (id) => waitFor(() => messages.find((m) => m.id === id)),
      next: () => waitFor(() => (messages.length > read ? messages[read++] : undefined)),
    };
  }

  it("answers invalid subscription filters with INVALID_PARAMS, and valid ones still work", async () => {
    const conn = await open();
    try {
      const cases: [params: unknown, param: string, reason: string][] = [
        [{}, "kind", "MISSING"],
        [{ kind: "mempool" }, "kind", "BAD_VALUE"],
        [{ kind: 7 }, "kind", "BAD_VALUE"],
        [{ kind: "txs", filter: { module: "nope" } }, "filter.module", "BAD_VALUE"],
        [{ kind: "txs", filter: { module: 1 } }, "filter.module", "WRONG_TYPE"],
        [{ kind: "blocks", filter: { module: "bank" } }, "filter", "CONFLICT"],
        [{ kind: "events", filter: { sender: "x" } }, "filter.sender", "UNKNOWN_PARAM"],
        [{ kind: "events", filter: "transfer" }, "filter", "WRONG_TYPE"],
        [{ kind: "events", filter: { attribute: { key: "a" } } }, "filter.attribute.value", "MISSING"],
        [{ kind: "events", filter: { attribute: [] } }, "filter.attribute", "OUT_OF_RANGE"],
        [
          {
            kind: "events",
            filter: { attribute: Array.from({ length: 17 }, () => ({ key: "a", value: "b" })) },
          },
          "filter.attribute",
          "OUT_OF_RANGE",
        ],
        [{ kind: "events", filter: { eventType: "x".repeat(300) } }, "filter.eventType", "OUT_OF_RANGE"],
        [{ kind: "events", extra: 1 }, "extra", "UNKNOWN_PARAM"],
        [[], "params", "NOT_AN_OBJECT"],
      ];
      for (const [i, [params, param, reason]] of cases.entries()) {
        conn.ws.send(JSON.stringify({ jsonrpc: "2.0", id: `f${i}`, method: "subscribe", params }));
        const error = expectError(await conn.reply(`f${i}`), -32602, "INVALID_PARAMS");
        expect({ param: error?.data?.param, reason: error?.data?.reason }, JSON.stringify(params)).toEqual({
          param,
          reason,
        });
      }
      // A kind nested 100,000 deep (this used to overflow the stack: an internal error).
      conn.ws.send(`{"jsonrpc":"2.0","id":"deep","method":"subscribe","params":{"kind":${nested(DEPTH)}}}`);
      expect(expectError(await conn.reply("deep"), -32602, "INVALID_PARAMS")?.data?.param).toBe("kind");
      conn.ws.send(JSON.stringify({ jsonrpc: "2.0", id: "u1", method: "unsubscribe", params: { id: 1 } }));
      expectError(await conn.reply("u1"), -32602, "INVALID_PARAMS");
      conn.ws.send(
        JSON.stringify({ jsonrpc: "2.0", id: "u2", method: "unsubscribe", params: { id: "404" } }),
      );
      expectError(await conn.reply("u2"), -32000, "NOT_FOUND");

      conn.ws.send(
        JSON.stringify({ jsonrpc: "2.0", id: "ok", method: "subscribe", params: { kind: "blocks" } }),
      );
      expect(typeof (await conn.reply("ok")).result).toBe("string");
    } finally {
      conn.ws.close();
    }
  });

  it("answers frames that are not JSON with PARSE_ERROR and keeps the connection", async () => {
    const conn = await open();
    try {
      conn.ws.send("not json");
      expectError(await conn.next(), -32700, "PARSE_ERROR");
      conn.ws.send(Buffer.from([0xff, 0x00, 0x13, 0x37]), { binary: true });
      expectError(await conn.next(), -32700, "PARSE_ERROR");
      conn.ws.send(nested(DEPTH).slice(0, DEPTH + 10));
      expectError(await conn.next(), -32700, "PARSE_ERROR");
      // Binary frames that do carry JSON are served like text ones.
      conn.ws.send(Buffer.from(JSON.stringify({ jsonrpc: "2.0", id: "bin", method: "chain_status" })), {
        binary: true,
      });
      expect((await conn.reply("bin")).result).toMatchObject({ chainId: "kyochi-devnet" });
    } finally {
      conn.ws.close();
    }
  });

  it("closes a connection that sends a message above the limit (1009), and only that one", async () => {
    const conn = await open();
    conn.ws.send(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chain_status", pad: "x".repeat(1_100_000) }),
    );
    expect(await conn.closed).toBe(1009);
    await expectProgress();
  });
});

describe("gRPC", () => {
  const identity = (b: Buffer) => b;
  const CHAIN = "/kyochi.chain.v1.ChainService";

  function unary(path: string, bytes: readonly number[]): Promise<{ code: number; stable: string }> {
    return new Promise((resolve) => {
      grpc.makeUnaryRequest(path, identity, identity, Buffer.from(bytes), new Metadata(), {}, (err) => {
        const e = err as ServiceError | null;
        const stable = e?.metadata?.get("kyochi-error-code")[0];
        resolve({ code: e ? e.code : status.OK, stable: typeof stable === "string" ? stable : "" });
      });
    });
  }

  function varint(value: bigint): number[] {
    const out: number[] = [];
    let v = value;
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return out;
  }

  it("answers malformed protobuf with INVALID_ARGUMENT / MALFORMED_REQUEST", async () => {
    for (const [method, bytes] of [
      ["GetBlock", [0x08, 0xff, 0xff, 0xff]], // a varint that never ends
      ["GetStatus", [0xde, 0xad, 0xbe, 0xef, 0x00, 0x11]], // wire type 6 does not exist
      ["GetBlockResults", [0x0a, 0x05, 0x01]], // a length past the end
      ["GetCommit", [0x0b]], // a group start with no end
    ] as const) {
      expect(await unary(`${CHAIN}/${method}`, bytes), method).toEqual({
        code: status.INVALID_ARGUMENT,
        stable: "MALFORMED_REQUEST",
      });
    }
    const stream = await new Promise<number>((resolve) => {
      const s = grpc.makeServerStreamRequest(
        `${CHAIN}/StreamBlocks`,
        identity,
        identity,
        Buffer.from([0x08, 0xff]),
        new Metadata(),
        {},
      );
      s.on("data", () => {});
      s.on("error", (err: ServiceError) => resolve(err.code));
      s.on("end", () => resolve(status.OK));
    });
    expect(stream).toBe(status.INVALID_ARGUMENT);
    expect((await unary(`${CHAIN}/NoSuchMethod`, [])).code).toBe(status.UNIMPLEMENTED);
  });

  it("answers heights above the chain, up to 2^64-1, with OUT_OF_RANGE", async () => {
    for (const height of [10n ** 9n, 2n ** 53n, 2n ** 64n - 1n]) {
      for (const method of ["GetBlock", "GetBlockResults", "GetCommit", "GetValidators"]) {
        expect(await unary(`${CHAIN}/${method}`, [0x08, ...varint(height)]), `${method} ${height}`).toEqual({
          code: status.OUT_OF_RANGE,
          stable: "HEIGHT_NOT_COMMITTED",
        });
      }
    }
    // A height that is there is served.
    expect((await unary(`${CHAIN}/GetBlock`, [0x08, 0x01])).code).toBe(status.OK);
    await expectProgress();
  });
});

describe("after all of it", () => {
  it("the node still commits blocks and answers a normal request", async () => {
    await expectProgress();
    const reply = await rpc(node.rpcUrl, "chain_getBlocks", { limit: 3 });
    const heights = (reply.result as { blocks: { height: number }[] }).blocks.map((b) => b.height);
    expect(heights[0]).toBeGreaterThanOrEqual(lastHeight);
    expect(heights).toEqual([heights[0], heights[0]! - 1, heights[0]! - 2]);
    expect(node.output()).not.toMatch(/"level":50.*rpc method failed/);
  });
});
