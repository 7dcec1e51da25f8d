import { afterEach, describe, expect, it } from "vitest";
import type { CheckTxResult } from "../consensus/application.js";
import { registerMsg } from "./modules/data/data-fixture.js";
import { startTestChain, type TestChain } from "./test-chain.js";
import { newAccount, signedMsgs, signedTransfer, type TestAccount, testGenesis } from "./test-helpers.js";

const open: TestChain[] = [];
afterEach(async () => {
  for (const chain of open.splice(0)) await chain.close();
});

async function chainWith(accounts: TestAccount[]): Promise<TestChain> {
  const { genesis } = testGenesis(accounts.map((account) => ({ account, balance: 1_000_000n })));
  const chain = await startTestChain(genesis);
  open.push(chain);
  return chain;
}

const ok = (r: CheckTxResult) => ({ code: r.code, sender: r.sender, nonce: r.nonce, priority: r.priority });

describe("recheck after a block", () => {
  it("reuses a passing check when the block wrote nothing it read, and answers the same", async () => {
    const [alice, bob, carol, dave] = [newAccount(), newAccount(), newAccount(), newAccount()];
    const chain = await chainWith([alice, bob, carol, dave]);
    const waiting = signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 0 });
    const first = await chain.app.checkTx(waiting, "new");
    expect(first.code).toBe(0);
    // A block between two other accounts (and the proposer's fee account).
    await chain.block({ txs: [signedTransfer(carol, { to: dave.address, amount: 1n, nonce: 0 })] });
    const before = chain.app.rechecksReused;
    const again = await chain.app.checkTx(waiting, "recheck");
    expect(chain.app.rechecksReused).toBe(before + 1);
    expect(ok(again)).toEqual(ok(first));
    // And once more after an empty block.
    await chain.block();
    expect((await chain.app.checkTx(waiting, "recheck")).code).toBe(0);
    expect(chain.app.rechecksReused).toBe(before + 2);
  });

  it("runs the tx again when the block wrote a key it read: the sender's balance, the recipient", async () => {
    const [alice, bob, carol, dave] = [newAccount(), newAccount(), newAccount(), newAccount()];
    const chain = await chainWith([alice, bob, carol, dave]);
    // Alice's nonce 1 waits while her nonce 0 spends all but one fee (fees are 50,000 here).
    const spend = signedTransfer(alice, { to: carol.address, amount: 900_000n, nonce: 0 });
    const waiting = signedTransfer(alice, { to: bob.address, amount: 5_000n, nonce: 1 });
    expect((await chain.app.checkTx(waiting, "new")).code).toBe(0);
    await chain.block({ txs: [spend] });
    const before = chain.app.rechecksReused;
    expect((await chain.app.checkTx(waiting, "recheck")).codename).toBe("INSUFFICIENT_FUNDS");
    expect(chain.app.rechecksReused).toBe(before);

    // Bob's tx read carol's account (its recipient); a block that pays carol runs it again.
    const toCarol = signedTransfer(bob, { to: carol.address, amount: 1n, nonce: 0 });
    expect((await chain.app.checkTx(toCarol, "new")).code).toBe(0);
    await chain.block({ txs: [signedTransfer(dave, { to: carol.address, amount: 1n, nonce: 0 })] });
    expect((await chain.app.checkTx(toCarol, "recheck")).code).toBe(0);
    expect(chain.app.rechecksReused).toBe(before);
  });

  it("runs the tx again when its messages looked at the height or the block time", async () => {
    const [alice, bob, carol] = [newAccount(), newAccount(), newAccount()];
    const chain = await chainWith([alice, bob, carol]);
    // Registering a dataset records the height it was created at.
    const register = signedMsgs(alice, [registerMsg("corpus")], { nonce: 0, gasLimit: 200_000 });
    expect((await chain.app.checkTx(register, "new")).code).toBe(0);
    await chain.block({ txs: [signedTransfer(bob, { to: carol.address, amount: 1n, nonce: 0 })] });
    const before = chain.app.rechecksReused;
    expect((await chain.app.checkTx(register, "recheck")).code).toBe(0);
    expect(chain.app.rechecksReused).toBe(before);
  });

  it("does not reuse a check made before the last two blocks, nor a tx the chain included", async () => {
    const [alice, bob, carol] = [newAccount(), newAccount(), newAccount()];
    const chain = await chainWith([alice, bob, carol]);
    const waiting = signedTransfer(alice, { to: bob.address, amount: 5n, nonce: 0 });
    expect((await chain.app.checkTx(waiting, "new")).code).toBe(0);
    await chain.block();
    await chain.block();
    const before = chain.app.rechecksReused;
    expect((await chain.app.checkTx(waiting, "recheck")).code).toBe(0);
    expect(chain.app.rechecksReused).toBe(before);
    await chain.block({ txs: [waiting] });
    expect((await chain.app.checkTx(waiting, "recheck")).codename).toBe("TX_NONCE_TOO_LOW");
    expect(chain.app.rechecksReused).toBe(before);
  });

  it("tells the mempool each sender's committed next nonce, as getAccount does", async () => {
    const [alice, bob, fresh] = [newAccount(), newAccount(), newAccount()];
    const chain = await chainWith([alice, bob]);
    await chain.block({
      txs: [0, 1, 2].map((nonce) => signedTransfer(alice, { to: bob.address, amount: 1n, nonce })),
    });
    for (const who of [alice, bob, fresh]) {
      expect(await chain.app.committedNonce(who.address)).toBe(
        (await chain.app.getAccount(who.address)).nonce,
      );
    }
    expect(await chain.app.committedNonce(alice.address)).toBe(3);
    expect(await chain.app.committedNonce(fresh.address)).toBe(0);
  });
});
