// A transfer sent with the CLI against a real node process: included, balances change, the fee is
// charged and paid out, tx_get returns it with its height, result code and events; and the
// state proofs served for present and absent keys verify against the chain's app hash.

import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeAddress } from "../../crypto/address.js";
import { Account } from "../../proto/index.js";
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "../helpers/devnet.js";
import {
  type NodeProcess,
  removeDir,
  rpc,
  runCli,
  startNode,
  stopNode,
  waitForHeight,
} from "../helpers/process-node.js";

let net: TestDevnet;
let node: NodeProcess;

beforeAll(async () => {
  net = createTestDevnet("transfer");
  node = await startNode(net.nodeHome, FAST_BLOCKS);
});

afterAll(async () => {
  if (node) await stopNode(node);
  if (net) removeDir(net.root);
});

async function account(address: string, height?: number): Promise<{ nonce: number; balance: bigint }> {
  const res = await rpc(node.rpcUrl, "account_get", height === undefined ? { address } : { address, height });
  const a = res.result as { nonce: number; balance: string };
  return { nonce: a.nonce, balance: BigInt(a.balance) };
}

describe("a transfer with the CLI", () => {
  it("is included, moves the amount, charges the fee and pays it to the validator", async () => {
    const before = await rpc(node.rpcUrl, "chain_status", {});
    const startHeight = (before.result as { latestBlockHeight: number }).latestBlockHeight;
    const aliceBefore = await account(net.addresses.alice!);
    const bobBefore = await account(net.addresses.bob!);

    const sent = runCli([
      "tx",
      "bank",
      "send",
      "alice",
      net.addresses.bob!,
      "123456",
      "--home",
      net.root,
      "--node",
      node.rpcUrl,
      "--mode",
      "commit",
      "--gas",
      "50000",
      "--fee",
      "60000",
    ]);
    expect(sent.stderr).toBe("");
    expect(sent.code).toBe(0);
    const out = JSON.parse(sent.stdout) as { hash: string; height: number; result: { code: number } };
    expect(out.result.code).toBe(0);
    expect(out.height).toBeGreaterThan(startHeight);

    const h = out.height;
    const aliceAfter = await account(net.addresses.alice!, h);
    const bobAfter = await account(net.addresses.bob!, h);
    expect(bobAfter.balance - bobBefore.balance).toBe(123456n);
    expect(aliceBefore.balance - aliceAfter.balance).toBe(123456n + 60000n);
    expect(aliceAfter.nonce).toBe(aliceBefore.nonce + 1);
    // The only tx of its block: the validator's operator receives exactly its fee in that block.
    const opBefore = await account(net.operator, h - 1);
    const opAfter = await account(net.operator, h);
    expect(opAfter.balance - opBefore.balance).toBe(60000n);

    const got = await rpc(node.rpcUrl, "tx_get", { hash: out.hash });
    const record = got.result as {
      height: number;
      result: { code: number; events: { type: string; attributes: { key: string; value: string }[] }[] };
    };
    expect(record.height).toBe(h);
    expect(record.result.code).toBe(0);
    const transfer = record.result.events.find((e) => e.type === "transfer");
    expect(transfer?.attributes).toEqual(
      expect.arrayContaining([
        { key: "sender", value: net.addresses.alice },
        { key: "recipient", value: net.addresses.bob },
        { key: "amount", value: "123456" },
      ]),
    );

    // The CLI's own query commands agree.
    const q = runCli(["query", "tx", out.hash, "--node", node.rpcUrl]);
    expect(JSON.parse(q.stdout).height).toBe(h);
  });
});

// ---- A proof verifier written from state/tree/PROOFS.md, independent of the tree's code. ----

const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const nibble = (h: Uint8Array, i: number) => (i % 2 === 0 ? h[i >> 1]! >> 4 : h[i >> 1]! & 0x0f);

interface Proof {
  keyHash: string;
  kind: string;
  valueHash?: string;
  otherLeaf?: { keyHash: string; valueHash: string };
  siblings: string[];
}

function verify(root: Uint8Array, key: Uint8Array, value: Uint8Array | undefined, p: Proof): boolean {
  const kh = sha(key);
  if (p.keyHash !== hex(kh)) return false;
  if (p.siblings.length % 15 !== 0) return false;
  const depth = p.siblings.length / 15;
  if (depth > 64 || !p.siblings.every((s) => /^[0-9a-f]{64}$/.test(s))) return false;
  let cur: Uint8Array;
  if (p.kind === "inclusion") {
    if (value === undefined || p.otherLeaf) return false;
    const vh = sha(value);
    if (p.valueHash !== hex(vh)) return false;
    cur = sha(Uint8Array.of(0), kh, vh);
  } else if (p.kind === "exclusion") {
    if (value !== undefined || p.valueHash !== undefined) return false;
    if (p.otherLeaf) {
      const okh = unhex(p.otherLeaf.keyHash);
      if (hex(okh) === hex(kh)) return false;
      for (let i = 0; i < depth; i++) if (nibble(okh, i) !== nibble(kh, i)) return false;
      cur = sha(Uint8Array.of(0), okh, unhex(p.otherLeaf.valueHash));
    } else {
      cur = new Uint8Array(32);
    }
  } else {
    return false;
  }
  for (let d = depth - 1; d >= 0; d--) {
    const n = nibble(kh, d);
    const group = p.siblings.slice(15 * (depth - 1 - d), 15 * (depth - 1 - d) + 15).map(unhex);
    const children = [...group.slice(0, n), cur, ...group.slice(n)];
    cur = sha(Uint8Array.of(1), ...children);
  }
  return hex(cur) === hex(root);
}

describe("state proofs over JSON-RPC", () => {
  it("prove present and absent keys against the app hash in the next block's header", async () => {
    await waitForHeight(node.rpcUrl, 3);
    const status = (await rpc(node.rpcUrl, "chain_status", {})).result as { latestBlockHeight: number };
    const h = status.latestBlockHeight - 1;
    // The state root after block h is the app_hash of block h+1's header (as in CometBFT).
    const next = (await rpc(node.rpcUrl, "chain_getBlock", { height: h + 1 })).result as {
      header: { appHash: string };
    };
    const root = unhex(next.header.appHash.replace(/^0x/, ""));

    const aliceKey = Uint8Array.of(0x01, ...decodeAddress(net.addresses.alice!));
    const present = (await rpc(node.rpcUrl, "state_getProof", { key: `0x${hex(aliceKey)}`, height: h }))
      .result as {
      value: string | null;
      proof: Proof;
    };
    expect(present.value).not.toBeNull();
    const value = unhex(present.value!.replace(/^0x/, ""));
    expect(BigInt(Account.decode(value).balance)).toBeGreaterThan(0n);
    expect(verify(root, aliceKey, value, present.proof)).toBe(true);
    // A lie about the value, or a proof checked against another root, fails.
    expect(verify(root, aliceKey, Uint8Array.of(...value, 0), present.proof)).toBe(false);
    expect(verify(new Uint8Array(32).fill(7), aliceKey, value, present.proof)).toBe(false);

    const absentKey = Uint8Array.of(0x01, ...new Uint8Array(20).fill(0xab));
    const absent = (await rpc(node.rpcUrl, "state_getProof", { key: `0x${hex(absentKey)}`, height: h }))
      .result as {
      value: string | null;
      proof: Proof;
    };
    expect(absent.value).toBeNull();
    expect(absent.proof.kind).toBe("exclusion");
    expect(verify(root, absentKey, undefined, absent.proof)).toBe(true);
    expect(verify(root, absentKey, Uint8Array.of(1), absent.proof)).toBe(false);
  });
});
