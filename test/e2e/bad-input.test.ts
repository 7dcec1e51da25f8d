// Every bad input the foundation issue names, sent to a real node process: each gets a clear
// error with a stable code, changes no state, and the node keeps producing blocks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import { encode } from "../../proto/canonical.js";
import { Msg, MsgSend, Tx } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "../helpers/devnet.js";
import {
  latestHeight,
  type NodeProcess,
  type RpcResponse,
  removeDir,
  rpc,
  rpcRaw,
  startNode,
  stopNode,
  waitForHeight,
} from "../helpers/process-node.js";

const CHAIN_ID = "kyochi-devnet";
let net: TestDevnet;
let node: NodeProcess;
let alice: SigningKey;
let bob: Uint8Array;

beforeAll(async () => {
  net = createTestDevnet("badinput");
  node = await startNode(net.nodeHome, [...FAST_BLOCKS, "--rpc.max_body_bytes", "200000"]);
  alice = net.keys.alice!;
  bob = decodeAddress(net.addresses.bob!);
});

afterAll(async () => {
  if (node) await stopNode(node);
  if (net) removeDir(net.root);
});

async function aliceState(): Promise<{ nonce: number; balance: string }> {
  const res = await rpc(node.rpcUrl, "account_get", { address: net.addresses.alice });
  const a = res.result as { nonce: number; balance: string };
  return { nonce: a.nonce, balance: a.balance };
}

async function broadcast(tx: Uint8Array | string): Promise<RpcResponse> {
  return rpc(node.rpcUrl, "tx_broadcast", {
    tx: typeof tx === "string" ? tx : `0x${toHex(tx)}`,
    mode: "sync",
  });
}

function send(opts: {
  nonce: number;
  amount?: string;
  fee?: bigint;
  gas?: number;
  chainId?: string;
  memo?: string;
  key?: SigningKey;
}) {
  const msg = Msg.create({ bankSend: MsgSend.create({ to: bob, amount: opts.amount ?? "1000" }) });
  return signTx(opts.key ?? alice, [msg], {
    chainId: opts.chainId ?? CHAIN_ID,
    nonce: opts.nonce,
    fee: opts.fee ?? 100_000n,
    gasLimit: opts.gas ?? 100_000,
    memo: opts.memo ?? "",
  }).bytes;
}

function expectRejected(res: RpcResponse, code: string | RegExp): void {
  expect(res.result, JSON.stringify(res)).toBeUndefined();
  expect(res.error?.message.length).toBeGreaterThan(0);
  if (typeof code === "string") expect(res.error?.data?.code).toBe(code);
  else expect(res.error?.data?.code).toMatch(code);
}

describe("bad input gets a clear error and changes nothing", () => {
  it("at the JSON-RPC layer", async () => {
    const malformed = await rpcRaw(node.rpcUrl, '{"jsonrpc":"2.0","id":1,"method":');
    expect((malformed.json as RpcResponse).error?.code).toBe(-32700);
    expect((malformed.json as RpcResponse).error?.data?.code).toBe("PARSE_ERROR");

    const unknown = await rpc(node.rpcUrl, "chain_doesNotExist", {});
    expect(unknown.error?.code).toBe(-32601);
    expect(unknown.error?.data?.code).toBe("METHOD_NOT_FOUND");

    for (const params of [{ height: "abc" }, { height: -1 }, { height: 1.5 }, { height: [1] }]) {
      const wrong = await rpc(node.rpcUrl, "chain_getBlock", params);
      expect(wrong.error?.code, JSON.stringify(params)).toBe(-32602);
    }
    const wrongAddress = await rpc(node.rpcUrl, "account_get", { address: 42 });
    expect(wrongAddress.error?.code).toBe(-32602);

    const huge = await rpcRaw(
      node.rpcUrl,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "chain_status", params: {}, pad: "x".repeat(300_000) }),
    );
    expect(huge.status).toBe(413);
    expect((huge.json as RpcResponse).error?.data?.code).toBe("REQUEST_TOO_LARGE");
  });

  it("for transactions, at every check", async () => {
    const before = await aliceState();
    const heightBefore = await latestHeight(node.rpcUrl);
    const valid = send({ nonce: before.nonce });

    expectRejected(await broadcast("0xnothex"), "INVALID_PARAMS");
    expectRejected(await broadcast(valid.subarray(0, valid.length - 7)), /TX_MALFORMED|TX_NON_CANONICAL/);

    // The same Tx with its fields written in reverse order: valid protobuf, valid signature,
    // but not the canonical bytes (a malleable tx hash) — refused.
    const tx = Tx.decode(valid);
    const reordered = Uint8Array.from([
      ...encode(Tx, Tx.create({ signature: tx.signature })),
      ...encode(Tx, Tx.create({ keyType: tx.keyType })),
      ...encode(Tx, Tx.create({ publicKey: tx.publicKey })),
      ...encode(Tx, Tx.create({ body: tx.body })),
    ]);
    expectRejected(await broadcast(reordered), "TX_NON_CANONICAL");

    const badSig = Uint8Array.from(valid);
    const t = Tx.decode(badSig);
    t.signature[5] = t.signature[5]! ^ 0xff;
    expectRejected(await broadcast(encode(Tx, t)), "TX_BAD_SIGNATURE");

    expectRejected(
      await broadcast(send({ nonce: before.nonce, chainId: "another-chain" })),
      "TX_WRONG_CHAIN_ID",
    );
    expectRejected(await broadcast(send({ nonce: before.nonce + 17 })), "TX_NONCE_GAP_TOO_LARGE");
    expectRejected(await broadcast(send({ nonce: before.nonce, fee: 99_999n })), "TX_FEE_TOO_LOW");
    expectRejected(
      await broadcast(send({ nonce: before.nonce, amount: (10n ** 30n).toString() })),
      "INSUFFICIENT_FUNDS",
    );
    expectRejected(
      await broadcast(send({ nonce: before.nonce, amount: (1n << 128n).toString() })),
      "INVALID_AMOUNT",
    );
    expectRejected(await broadcast(send({ nonce: before.nonce, amount: "0" })), "INVALID_AMOUNT");
    expectRejected(await broadcast(send({ nonce: before.nonce, amount: "007" })), "INVALID_AMOUNT");
    expectRejected(
      await broadcast(send({ nonce: before.nonce, gas: 2_000_000_000, fee: 2_000_000_000n })),
      "TX_GAS_LIMIT_TOO_HIGH",
    );
    // A tx above the chain's max tx size (64 KiB by default) — but within the RPC body limit.
    expectRejected(
      await broadcast(send({ nonce: before.nonce, memo: "m".repeat(70_000) })),
      /TX_TOO_LARGE|MEMPOOL_TX_TOO_LARGE/,
    );

    // Nothing changed, and blocks keep coming.
    await waitForHeight(node.rpcUrl, heightBefore + 3);
    expect(await aliceState()).toEqual(before);
  });

  it("a replayed tx is refused after it was committed", async () => {
    const { nonce } = await aliceState();
    const tx = send({ nonce, amount: "5" });
    const committed = await rpc(node.rpcUrl, "tx_broadcast", { tx: `0x${toHex(tx)}`, mode: "commit" });
    expect((committed.result as { result: { code: number } }).result.code).toBe(0);
    const after = await aliceState();
    expectRejected(await broadcast(tx), /TX_NONCE_TOO_LOW|MEMPOOL_DUPLICATE/);
    const height = await latestHeight(node.rpcUrl);
    await waitForHeight(node.rpcUrl, height + 2);
    expect(await aliceState()).toEqual(after);
    // The one committed copy is still what tx_get reports.
    const got = await rpc(node.rpcUrl, "tx_get", { hash: (committed.result as { hash: string }).hash });
    expect((got.result as { height: number }).height).toBe((committed.result as { height: number }).height);
  });

  it("a send to a malformed address is refused by the CLI's SDK before signing", () => {
    expect(() => bankSendMsg(decodeAddress("kyo1invalid"), 1n)).toThrow(/INVALID_ADDRESS|bech32/i);
  });
});
