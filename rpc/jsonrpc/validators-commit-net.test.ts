// chain_getValidators, chain_getCommit and net_info against the in-memory chain: what they answer,
// and how they refuse bad params and heights that are not there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { voteSignBytes } from "../../crypto/ssz.js";
import { KeyType, Vote, VoteType } from "../../proto/index.js";
import { KyochiRpcClient } from "../client/client.js";
import { RpcClientError } from "../client/errors.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type { BlockJson, CommitJson, NetInfo, ValidatorsJson } from "../types.js";
import { type JsonRpcServer, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-validators-test";
const POWERS = [10, 20, 30, 40, 50];

let chain: MemoryChain;
let server: JsonRpcServer;
let client: KyochiRpcClient;

interface Reply {
  result?: unknown;
  error?: { code: number; message: string; data: { code: string; [k: string]: unknown } };
}

async function call(method: string, params?: unknown): Promise<Reply> {
  const res = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, ...(params !== undefined ? { params } : {}) }),
  });
  return (await res.json()) as Reply;
}

async function result<T>(method: string, params?: unknown): Promise<T> {
  const reply = await call(method, params);
  expect(reply.error).toBeUndefined();
  return reply.result as T;
}

async function error(method: string, params?: unknown): Promise<NonNullable<Reply["error"]>> {
  const reply = await call(method, params);
  expect(reply.result).toBeUndefined();
  return reply.error!;
}

const hex = (bytes: Uint8Array) => `0x${toHex(bytes)}`;

beforeAll(async () => {
  chain = new MemoryChain({ chainId: CHAIN_ID, validatorPowers: POWERS });
  for (let i = 0; i < 3; i++) await chain.commitBlock();
  server = await startJsonRpcServer({
    backend: chain,
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: 65536,
    commitTimeoutMs: 1000,
  });
  client = new KyochiRpcClient(server.url, { timeoutMs: 5000 });
});

afterAll(async () => {
  await server.close();
});

describe("chain_getValidators", () => {
  it("lists the whole set in address order with hex keys and decimal powers", async () => {
    const answer = await result<ValidatorsJson>("chain_getValidators", {});
    expect(answer.height).toBe(3);
    expect(answer.total).toBe(POWERS.length);
    expect(answer.nextCursor).toBeNull();
    expect(answer.validators.map((v) => v.address)).toEqual(chain.validators.map((v) => hex(v.address)));
    for (const [i, v] of answer.validators.entries()) {
      const expected = chain.validators[i]!;
      expect(v.pubKey).toBe(hex(expected.key.publicKey));
      expect(v.votingPower).toBe(String(expected.power));
      expect(v.proposerPriority).toMatch(/^-?(0|[1-9][0-9]*)$/);
    }
    const sorted = [...answer.validators.map((v) => v.address)].sort();
    expect(answer.validators.map((v) => v.address)).toEqual(sorted);
  });

  it("answers for an explicit height, including the next one (already decided)", async () => {
    expect((await result<ValidatorsJson>("chain_getValidators", { height: 1 })).height).toBe(1);
    expect((await result<ValidatorsJson>("chain_getValidators", { height: "2" })).height).toBe(2);
    const next = await result<ValidatorsJson>("chain_getValidators", { height: 4 });
    expect(next.height).toBe(4);
    expect(next.total).toBe(POWERS.length);
  });

  it("pages with cursor and limit, and the client follows the pages", async () => {
    const first = await result<ValidatorsJson>("chain_getValidators", { limit: 2 });
    expect(first.validators).toHaveLength(2);
    expect(first.nextCursor).toBe(2);
    expect(first.total).toBe(5);
    const second = await result<ValidatorsJson>("chain_getValidators", { cursor: 2, limit: 2 });
    expect(second.nextCursor).toBe(4);
    const last = await result<ValidatorsJson>("chain_getValidators", { cursor: 4, limit: 2 });
    expect(last.validators).toHaveLength(1);
    expect(last.nextCursor).toBeNull();
    const all = await client.getAllValidators();
    expect([...first.validators, ...second.validators, ...last.validators]).toEqual(all.validators);
    const past = await result<ValidatorsJson>("chain_getValidators", { cursor: 99 });
    expect(past).toMatchObject({ validators: [], total: 5, nextCursor: null });
  });

  it("refuses a height that is not decided yet, or pruned", async () => {
    const future = await error("chain_getValidators", { height: 5 });
    expect(future).toMatchObject({
      code: -32001,
      data: { code: "HEIGHT_NOT_AVAILABLE", height: 5, latestHeight: 3 },
    });
    chain.earliestHeight = 3;
    try {
      expect((await error("chain_getValidators", { height: 1 })).data.code).toBe("HEIGHT_NOT_AVAILABLE");
    } finally {
      chain.earliestHeight = 1;
    }
  });

  it("refuses bad params with INVALID_PARAMS naming the param", async () => {
    const cases: [unknown, string, string][] = [
      [{ height: -1 }, "height", "OUT_OF_RANGE"],
      [{ height: 0 }, "height", "OUT_OF_RANGE"],
      [{ height: "99999999999999999999" }, "height", "OUT_OF_RANGE"],
      [{ height: 2 ** 53 }, "height", "OUT_OF_RANGE"],
      [{ height: 1.5 }, "height", "NOT_AN_INTEGER"],
      [{ height: "-1" }, "height", "NOT_AN_INTEGER"],
      [{ height: true }, "height", "WRONG_TYPE"],
      [{ cursor: -1 }, "cursor", "OUT_OF_RANGE"],
      [{ cursor: "2" }, "cursor", "WRONG_TYPE"],
      [{ limit: 0 }, "limit", "OUT_OF_RANGE"],
      [{ limit: 101 }, "limit", "OUT_OF_RANGE"],
      [{ limit: 2.5 }, "limit", "NOT_AN_INTEGER"],
      [{ page: 1 }, "page", "UNKNOWN_PARAM"],
      [[3], "params", "NOT_AN_OBJECT"],
    ];
    for (const [params, param, reason] of cases) {
      const err = await error("chain_getValidators", params);
      expect({ params, code: err.code, data: err.data }).toMatchObject({
        params,
        code: -32602,
        data: { code: "INVALID_PARAMS", param, reason },
      });
    }
  });
});

describe("chain_getCommit", () => {
  it("returns the commit of a height, signed by every validator over the precommit sign bytes", async () => {
    const block = await result<BlockJson>("chain_getBlock", { height: 2 });
    const commit = await result<CommitJson>("chain_getCommit", { height: 2 });
    expect(commit.height).toBe(2);
    expect(commit.round).toBe(0);
    expect(commit.blockHash).toBe(block.blockHash);
    expect(commit.signatures).toHaveLength(POWERS.length);
    for (const [i, sig] of commit.signatures.entries()) {
      const validator = chain.validators[i]!;
      expect(sig.flag).toBe("commit");
      expect(sig.validatorAddress).toBe(hex(validator.address));
      const vote = Vote.create({
        type: VoteType.VOTE_TYPE_PRECOMMIT,
        height: 2,
        round: 0,
        blockHash: Buffer.from(commit.blockHash.slice(2), "hex"),
        timestampMs: sig.timestampMs,
        validatorAddress: validator.address,
      });
      const ok = verifySignature(
        KeyType.KEY_TYPE_ED25519,
        validator.key.publicKey,
        voteSignBytes(CHAIN_ID, vote),
        Buffer.from(sig.signature.slice(2), "hex"),
      );
      expect(ok, `signature ${i}`).toBe(true);
    }
    // The same commit travels in the next block as its lastCommit.
    const next = await result<BlockJson>("chain_getBlock", { height: 3 });
    expect(next.lastCommit).toEqual(commit);
  });

  it("defaults to the latest height, and the client returns the same", async () => {
    const latest = await result<CommitJson>("chain_getCommit");
    expect(latest.height).toBe(3);
    expect(await client.getCommit()).toEqual(latest);
    expect((await client.getCommit(1)).height).toBe(1);
  });

  it("refuses a height not committed yet, pruned, or malformed", async () => {
    expect(await error("chain_getCommit", { height: 4 })).toMatchObject({
      code: -32001,
      data: { code: "HEIGHT_NOT_AVAILABLE", height: 4, latestHeight: 3 },
    });
    expect((await error("chain_getCommit", { height: Number.MAX_SAFE_INTEGER })).data.code).toBe(
      "HEIGHT_NOT_AVAILABLE",
    );
    chain.earliestHeight = 2;
    try {
      expect((await error("chain_getCommit", { height: 1 })).data.code).toBe("HEIGHT_NOT_AVAILABLE");
    } finally {
      chain.earliestHeight = 1;
    }
    for (const [params, reason] of [
      [{ height: -3 }, "OUT_OF_RANGE"],
      [{ height: "1e3" }, "NOT_AN_INTEGER"],
      [{ height: [1] }, "WRONG_TYPE"],
      [{ height: 2 ** 60 }, "OUT_OF_RANGE"],
    ] as const) {
      expect((await error("chain_getCommit", params)).data).toMatchObject({ param: "height", reason });
    }
    const failure = await client.getCommit(10).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RpcClientError);
    expect((failure as RpcClientError).data.code).toBe("HEIGHT_NOT_AVAILABLE");
  });

  it("refuses before the first block", async () => {
    const empty = new MemoryChain({ chainId: CHAIN_ID });
    const emptyServer = await startJsonRpcServer({
      backend: empty,
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: 65536,
    });
    try {
      const emptyClient = new KyochiRpcClient(emptyServer.url);
      const err = await emptyClient.getCommit().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcClientError);
      expect((err as RpcClientError).data.code).toBe("HEIGHT_NOT_AVAILABLE");
      // The set of height 1 is known before any block: it is the genesis set.
      const genesis = await emptyClient.getValidators();
      expect(genesis).toMatchObject({ height: 1, total: 1 });
      expect(
        (await emptyClient.getValidators({ height: 2 }).catch((e: unknown) => e)) as RpcClientError,
      ).toBeInstanceOf(RpcClientError);
    } finally {
      await emptyServer.close();
    }
  });
});

describe("net_info", () => {
  it("reports no peers when the node has none", async () => {
    expect(await result<NetInfo>("net_info", {})).toEqual({ peerId: "", listenAddresses: [], peers: [] });
  });

  it("reports the p2p host's identity and peers, and the client reads the same", async () => {
    chain.net = {
      peerId: "12D3KooWSelf",
      listenAddresses: ["/ip4/127.0.0.1/tcp/26656"],
      peers: [
        {
          peerId: "12D3KooWA",
          address: "/ip4/127.0.0.1/tcp/40000",
          direction: "outbound",
          height: 3,
          score: 1.5,
        },
        {
          peerId: "12D3KooWB",
          address: "/ip4/127.0.0.1/tcp/40001",
          direction: "inbound",
          height: 0,
          score: Number.NEGATIVE_INFINITY,
        },
      ],
    };
    try {
      const info = await client.netInfo();
      expect(info.peerId).toBe("12D3KooWSelf");
      expect(info.listenAddresses).toEqual(["/ip4/127.0.0.1/tcp/26656"]);
      expect(info.peers[0]).toEqual(chain.net.peers[0]);
      // JSON has no -Infinity: a banned peer's score stays a (very) negative number, not null.
      expect(info.peers[1]!.score).toBe(-Number.MAX_VALUE);
      expect(info.peers[1]!.direction).toBe("inbound");
    } finally {
      chain.net = { peerId: "", listenAddresses: [], peers: [] };
    }
  });

  it("takes no params", async () => {
    expect((await error("net_info", { verbose: true })).data).toMatchObject({
      code: "INVALID_PARAMS",
      param: "verbose",
      reason: "UNKNOWN_PARAM",
    });
  });
});
