// chain_getBlocks over HTTP against the in-memory chain, through the SDK: pages in both orders
// that cover a range exactly once, summaries that agree with chain_getBlock, clamping to the
// stored blocks, cursors that stay stable while blocks are committed, and every refused param.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { KyochiRpcClient } from "../client/client.js";
import { RpcClientError } from "../client/errors.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type { BlocksJson, GetBlocksParams } from "../types.js";
import { chainGetBlocks } from "./methods/chain-blocks.js";
import { type JsonRpcServer, startJsonRpcServer } from "./server.js";

const CHAIN_ID = "kyochi-blocks-test";
let chain: MemoryChain;
let server: JsonRpcServer;
let client: KyochiRpcClient;
let alice: SigningKey;
let nonce = 0;

async function commitWithTransfers(count: number): Promise<void> {
  const to = addressFromPublicKey(alice.type, generateSigningKey(KeyType.KEY_TYPE_ED25519).publicKey);
  for (let i = 0; i < count; i++) {
    const tx = signTx(alice, [bankSendMsg(to, 1n)], {
      chainId: CHAIN_ID,
      nonce: nonce++,
      fee: 2000n,
      gasLimit: 1000,
    });
    expect((await chain.broadcastTx(tx.bytes)).accepted).toBe(true);
  }
  await chain.commitBlock();
}

/** Every page from `params` on, following nextCursor; the heights in order of arrival. */
async function walk(params: GetBlocksParams): Promise<{ heights: number[]; pages: number }> {
  const heights: number[] = [];
  let page: BlocksJson = await client.getBlocks(params);
  let pages = 1;
  heights.push(...page.blocks.map((b) => b.height));
  while (page.nextCursor !== null) {
    page = await client.getBlocks({ ...params, cursor: page.nextCursor });
    pages++;
    heights.push(...page.blocks.map((b) => b.height));
  }
  return { heights, pages };
}

async function refusal(params: unknown): Promise<{ code: string; param?: unknown; reason?: unknown }> {
  try {
    await client.call("chain_getBlocks", params as GetBlocksParams);
  } catch (err) {
    expect(err).toBeInstanceOf(RpcClientError);
    const e = err as RpcClientError;
    expect(e.code).toBe(-32602);
    return { code: String(e.data.code), param: e.data.param, reason: e.data.reason };
  }
  throw new Error(`chain_getBlocks ${JSON.stringify(params)} succeeded`);
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

beforeAll(async () => {
  alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  chain = new MemoryChain({
    chainId: CHAIN_ID,
    genesis: [{ address: addressFromPublicKey(alice.type, alice.publicKey), balance: 10n ** 20n }],
    validatorPowers: [10, 10, 10],
  });
  // 25 blocks: block h carries h % 3 transfers.
  for (let h = 1; h <= 25; h++) await commitWithTransfers(h % 3);
  server = await startJsonRpcServer({ backend: chain, host: "127.0.0.1", port: 0, maxBodyBytes: 1 << 20 });
  client = new KyochiRpcClient(server.url);
});

afterAll(async () => {
  await server.close();
});

describe("chain_getBlocks", () => {
  it("lists the newest 20 blocks first by default, and the cursor walks down to height 1", async () => {
    const first = await client.getBlocks();
    expect(first.blocks.map((b) => b.height)).toEqual(range(25, 6));
    expect(first.nextCursor).toBe("5");
    const second = await client.getBlocks({ cursor: first.nextCursor! });
    expect(second.blocks.map((b) => b.height)).toEqual(range(5, 1));
    expect(second.nextCursor).toBeNull();
  });

  it("summarizes each block as chain_getBlock shows it", async () => {
    const { blocks } = await client.getBlocks({ minHeight: 7, maxHeight: 8, order: "asc" });
    const [seven, eight] = blocks;
    for (const summary of blocks) {
      const full = await client.getBlock(summary.height);
      expect(summary).toEqual({
        height: full.header.height,
        hash: full.blockHash,
        timeMs: full.header.timeMs,
        time: full.header.time,
        proposerAddress: full.header.proposerAddress,
        txCount: full.txs.length,
        appHash: full.header.appHash,
        lastBlockHash: full.header.lastBlockHash,
      });
    }
    expect(seven!.txCount).toBe(1);
    expect(eight!.txCount).toBe(2);
    expect(eight!.lastBlockHash).toBe(seven!.hash);
    expect(eight!.time).toBe(new Date(eight!.timeMs).toISOString());
    expect(eight!.proposerAddress).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it("pages a range in either order, each block exactly once", async () => {
    const asc = await walk({ minHeight: 3, maxHeight: 17, order: "asc", limit: 4 });
    expect(asc.heights).toEqual(range(3, 17));
    expect(asc.pages).toBe(4);
    const desc = await walk({ minHeight: "3", maxHeight: "17", limit: 4 });
    expect(desc.heights).toEqual(range(17, 3));
    const whole = await walk({ order: "asc", limit: 100 });
    expect(whole).toEqual({ heights: range(1, 25), pages: 1 });
    const one = await walk({ minHeight: 9, maxHeight: 9 });
    expect(one).toEqual({ heights: [9], pages: 1 });
  });

  it("clamps ranges to the stored blocks, and answers an empty page past the tip", async () => {
    expect((await client.getBlocks({ maxHeight: 1_000_000, limit: 2 })).blocks.map((b) => b.height)).toEqual([
      25, 24,
    ]);
    expect(await client.getBlocks({ minHeight: 26 })).toEqual({ blocks: [], nextCursor: null });
    expect(await client.getBlocks({ minHeight: 1000, maxHeight: 2000 })).toEqual({
      blocks: [],
      nextCursor: null,
    });
    // A cursor above the range starts at its top; one below it gives an empty last page.
    expect((await client.getBlocks({ maxHeight: 10, cursor: "20", limit: 1 })).blocks[0]!.height).toBe(10);
    expect(await client.getBlocks({ minHeight: 10, cursor: "4" })).toEqual({ blocks: [], nextCursor: null });

    chain.earliestHeight = 21;
    try {
      expect((await walk({ order: "asc" })).heights).toEqual(range(21, 25));
      expect((await walk({ limit: 2 })).heights).toEqual(range(25, 21));
      expect((await walk({ minHeight: 1, maxHeight: 22 })).heights).toEqual([22, 21]);
    } finally {
      chain.earliestHeight = 1;
    }
  });

  it("keeps a descending walk stable while blocks are committed between pages", async () => {
    const first = await client.getBlocks({ limit: 10 });
    const top = first.blocks[0]!.height;
    await commitWithTransfers(1);
    await commitWithTransfers(0);
    const rest = await walk({ limit: 10, cursor: first.nextCursor! });
    expect([...first.blocks.map((b) => b.height), ...rest.heights]).toEqual(range(top, 1));
  });

  it("answers an empty list before the first block", async () => {
    const empty = new MemoryChain({ chainId: CHAIN_ID });
    expect(await chainGetBlocks({}, { backend: empty, commitTimeoutMs: 1000 })).toEqual({
      blocks: [],
      nextCursor: null,
    });
  });

  it("refuses bad params with INVALID_PARAMS naming the param and the reason", async () => {
    expect(await refusal({ minHeight: 9, maxHeight: 8 })).toEqual({
      code: "INVALID_PARAMS",
      param: "maxHeight",
      reason: "CONFLICT",
    });
    expect(await refusal({ minHeight: -1 })).toMatchObject({ param: "minHeight", reason: "OUT_OF_RANGE" });
    expect(await refusal({ minHeight: 0 })).toMatchObject({ param: "minHeight", reason: "OUT_OF_RANGE" });
    expect(await refusal({ maxHeight: 2.5 })).toMatchObject({ param: "maxHeight", reason: "NOT_AN_INTEGER" });
    expect(await refusal({ maxHeight: "ten" })).toMatchObject({
      param: "maxHeight",
      reason: "NOT_AN_INTEGER",
    });
    expect(await refusal({ maxHeight: "18446744073709551616" })).toMatchObject({ reason: "OUT_OF_RANGE" });
    expect(await refusal({ maxHeight: true })).toMatchObject({ param: "maxHeight", reason: "WRONG_TYPE" });
    expect(await refusal({ limit: 0 })).toMatchObject({ param: "limit", reason: "OUT_OF_RANGE" });
    expect(await refusal({ limit: 101 })).toMatchObject({ param: "limit", reason: "OUT_OF_RANGE" });
    expect(await refusal({ limit: "5" })).toMatchObject({ param: "limit", reason: "WRONG_TYPE" });
    expect(await refusal({ order: "up" })).toMatchObject({ param: "order", reason: "BAD_VALUE" });
    expect(await refusal({ cursor: 5 })).toMatchObject({ param: "cursor", reason: "WRONG_TYPE" });
    for (const cursor of ["", "0", "-3", "07", "1:0", "99999999999999999999", "9007199254740992"]) {
      expect(await refusal({ cursor }), cursor).toMatchObject({ param: "cursor", reason: "BAD_VALUE" });
    }
    expect(await refusal({ height: 3 })).toMatchObject({ param: "height", reason: "UNKNOWN_PARAM" });
    expect(await refusal([3])).toMatchObject({ param: "params", reason: "NOT_AN_OBJECT" });
  });
});
