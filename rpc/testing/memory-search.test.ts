// The memory chain's simulateTx and searchTxs: the stand-ins other RPC tests run against.
import { describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType } from "../../proto/index.js";
import { bankSendMsg, signTx } from "../client/tx-builder.js";
import { MemoryChain } from "./memory-chain.js";

const address = (key: SigningKey) => addressFromPublicKey(key.type, key.publicKey);

describe("MemoryChain simulateTx and searchTxs", () => {
  it("simulates like the block executes, and pages searches by sender and recipient", async () => {
    const alice = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    const bob = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    const chain = new MemoryChain({
      chainId: "mem",
      genesis: [{ address: address(alice), balance: 1_000_000n }],
    });
    const tx = (nonce: number, to: SigningKey) =>
      signTx(alice, [bankSendMsg(address(to), 5n)], { chainId: "mem", nonce, fee: 2000n, gasLimit: 1000 })
        .bytes;

    const first = tx(0, bob);
    const simulated = await chain.simulateTx(first);
    expect(simulated).toMatchObject({ code: 0, codename: "OK" });
    expect((await chain.getAccount(address(alice))).account).toEqual({ nonce: 0, balance: 1_000_000n });
    expect((await chain.simulateTx(tx(1, bob))).codename).toBe("TX_NONCE_TOO_HIGH");

    for (let n = 0; n < 5; n++) {
      await chain.broadcastTx(n === 0 ? first : tx(n, n % 2 === 0 ? bob : alice));
      await chain.commitBlock();
    }
    const record = await chain.getTx(
      (await chain.searchTxs({ sender: address(alice), limit: 1, order: "asc" })).txs[0]!.hash,
    );
    expect(record?.result?.gasUsed).toBe(simulated.gasUsed);
    expect(record?.result?.events).toEqual(simulated.events);

    const heights: number[] = [];
    let cursor: { height: number; index: number } | undefined;
    do {
      const page = await chain.searchTxs({
        recipient: address(bob),
        limit: 2,
        order: "desc",
        ...(cursor ? { cursor } : {}),
      });
      heights.push(...page.txs.map((t) => t.height));
      cursor = page.nextCursor;
    } while (cursor);
    expect(heights).toEqual([5, 3, 1]);
  });
});
