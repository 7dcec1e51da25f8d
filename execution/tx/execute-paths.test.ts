// A tx runs synchronously when its accounts are in memory and waits for reads when they are not
// (KvStore.peek). Nodes differ in what they have cached, so both paths must give the same result,
// gas and writes, or nodes would disagree on the app hash.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PackedTxResult } from "../../proto/tx-result-encoding.js";
import { openTestStore, type TestStore } from "../../state/tree/test-helpers.js";
import { prepareTx } from "../block-executor.js";
import { accountKey, accountStateKey, encodeAccount } from "../modules/accounts/index.js";
import { BlockState, CommittedState } from "../store.js";
import {
  newAccount,
  signedTransfer,
  TEST_CHAIN_ID,
  TEST_TX_PARAMS,
  type TestAccount,
} from "../test-helpers.js";
import { executeTx, type TxEnv } from "./execute.js";

let store: TestStore;
let alice: TestAccount;
let bob: TestAccount;

beforeEach(async () => {
  store = await openTestStore();
  alice = newAccount();
  bob = newAccount();
  await store.commit(1, [[accountKey(alice.address), encodeAccount({ nonce: 0, balance: 10_000_000n })]]);
});

afterEach(async () => {
  await store.close();
});

const env: TxEnv = { params: TEST_TX_PARAMS, height: 2, timeMs: 2_000, mode: "deliver" };

/** Runs `tx` on a fresh block layer, with every account it touches cached first or not. */
async function run(tx: Uint8Array, preloaded: boolean) {
  const prepared = prepareTx(tx, { chainId: TEST_CHAIN_ID, params: TEST_TX_PARAMS });
  const decoded = prepared.decoded;
  if (!decoded) throw prepared.error;
  const committed = new CommittedState(store.tree, 1_000);
  const state = new BlockState(committed);
  if (preloaded) await committed.preload([alice, bob].map((a) => accountStateKey(a.address)));
  const pending = executeTx(state, decoded, env);
  const outcome = await pending;
  return {
    sync: !(pending instanceof Promise),
    code: outcome.result.code,
    log: outcome.result.log,
    gasUsed: outcome.result.gasUsed,
    events: outcome.result.events,
    fee: outcome.feeCharged,
    writes: state
      .updates()
      .map(([k, v]) => [Buffer.from(k).toString("hex"), v && Buffer.from(v).toString("hex")]),
  };
}

describe("executeTx read paths", () => {
  it("gives the same result, gas, events and writes with accounts cached or read from the tree", async () => {
    const cases = [
      signedTransfer(alice, { to: bob.address, amount: 1_234n, nonce: 0 }), // new recipient
      signedTransfer(alice, { to: alice.address, amount: 5n, nonce: 0 }), // to oneself
      signedTransfer(alice, { to: bob.address, amount: 9_999_999_999n, nonce: 0 }), // above the balance
      signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 3 }), // wrong nonce (ante)
      signedTransfer(alice, { to: bob.address, amount: 1n, nonce: 0, gasLimit: 8_700 }), // out of gas in the messages
    ];
    const codes: number[] = [];
    for (const tx of cases) {
      const cold = await run(tx, false);
      const warm = await run(tx, true);
      // With the accounts in memory the outcome comes back without a promise (a block's txs run
      // that way); without them the tx waits for its reads.
      expect([cold.sync, warm.sync]).toEqual([false, true]);
      expect({ ...warm, sync: false }).toEqual(cold);
      codes.push(cold.code);
    }
    // The cases cover success and each kind of failure, not five copies of one outcome.
    expect(codes[0]).toBe(0);
    expect(codes[1]).toBe(0);
    expect(new Set(codes.slice(2)).size).toBe(3);
    expect(codes.slice(2).every((c) => c !== 0)).toBe(true);
  });

  it("encodes a block tx's events at once; a check builds none of a transfer's, and gets the same outcome", async () => {
    const prepared = prepareTx(signedTransfer(alice, { to: bob.address, amount: 7n, nonce: 0 }), {
      chainId: TEST_CHAIN_ID,
      params: TEST_TX_PARAMS,
    });
    if (!prepared.decoded) throw prepared.error;
    const outcome = async (mode: TxEnv["mode"]) =>
      executeTx(new BlockState(new CommittedState(store.tree, 1_000)), prepared.decoded!, { ...env, mode });
    const delivered = await outcome("deliver");
    const checked = await outcome("check");
    expect(delivered.result).toBeInstanceOf(PackedTxResult);
    expect(delivered.result.events.map((e) => e.type)).toEqual(["tx", "transfer"]);
    expect(checked.result).not.toBeInstanceOf(PackedTxResult);
    // A check's result is read for its code and dropped (MsgContext.recordsEvents).
    expect(checked.result.events).toEqual([]);
    // Events cost no gas: the check's outcome is the block's.
    for (const field of ["code", "codespace", "log", "gasWanted", "gasUsed"] as const) {
      expect(checked.result[field]).toEqual(delivered.result[field]);
    }
    expect(checked.feeCharged).toBe(delivered.feeCharged);
    expect(checked.error).toBe(delivered.error);
  });
});
