import { describe, expect, it } from "vitest";
import type { CheckTxMode, CheckTxResult } from "../../consensus/application.js";
import { addressFromPublicKey } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey, verifySignature } from "../../crypto/keys.js";
import { decodeCanonical, encode } from "../../proto/canonical.js";
import { KeyType, Msg, MsgSend, Tx, TxBody } from "../../proto/index.js";
import { MempoolError } from "./errors.js";
import { Mempool } from "./mempool.js";
import type { MempoolOptions } from "./types.js";

const CHAIN_ID = "kyochi-test";
const MAX_NONCE_GAP = 16;

/**
 * A small application for the mempool to talk to: it decodes real signed txs, verifies their
 * signatures, checks chain id, nonce window and fee, and reports fee per gas as priority. The
 * test plays the chain by moving account nonces and balances as blocks "commit".
 */
class TestApp {
  readonly accounts = new Map<string, { nonce: number; balance: bigint }>();
  /** `given`: the hash the mempool passed along (it must be sha256 of the bytes). */
  readonly calls: { mode: CheckTxMode; hash: string; given: string }[] = [];
  /** When set, checkTx waits for it (lets a test hold a check open). */
  gate: Promise<void> | undefined;

  account(sender: string): { nonce: number; balance: bigint } {
    let acc = this.accounts.get(sender);
    if (acc === undefined) {
      acc = { nonce: 0, balance: 1_000_000_000n };
      this.accounts.set(sender, acc);
    }
    return acc;
  }

  readonly checkTx = async (
    bytes: Uint8Array,
    mode: CheckTxMode,
    given: Uint8Array,
  ): Promise<CheckTxResult> => {
    const hash = sha256(bytes);
    this.calls.push({ mode, hash: toHex(hash), given: toHex(given) });
    if (this.gate !== undefined) await this.gate;
    const reject = (codename: string, log: string): CheckTxResult => ({
      code: 1,
      codename,
      log,
      sender: "",
      nonce: 0,
      priority: 0n,
      gasWanted: 0,
      hash,
    });
    let decoded: ReturnType<typeof decodeTx>;
    try {
      decoded = decodeTx(bytes);
    } catch (err) {
      return reject("TX_MALFORMED", (err as Error).message);
    }
    const { tx, body } = decoded;
    if (!verifySignature(tx.keyType, tx.publicKey, tx.body, tx.signature)) {
      return reject("TX_BAD_SIGNATURE", "signature does not verify");
    }
    if (body.chainId !== CHAIN_ID) return reject("TX_WRONG_CHAIN", "wrong chain id");
    const sender = toHex(addressFromPublicKey(tx.keyType, tx.publicKey));
    const acc = this.account(sender);
    const { nonce, gasLimit } = body;
    if (nonce < acc.nonce) return reject("TX_NONCE_USED", `nonce ${nonce} < ${acc.nonce}`);
    if (nonce >= acc.nonce + MAX_NONCE_GAP) return reject("TX_NONCE_GAP", "nonce too far ahead");
    const fee = BigInt(body.fee);
    if (fee > acc.balance) return reject("TX_INSUFFICIENT_FUNDS", "fee above balance");
    return {
      code: 0,
      codename: "",
      log: "",
      sender,
      nonce,
      priority: fee / BigInt(gasLimit),
      gasWanted: gasLimit,
      hash,
    };
  };

  /** Simulates executing `txs` in a block: each bumps its sender's nonce. */
  commit(txs: Uint8Array[]): void {
    for (const bytes of txs) {
      const tx = Tx.decode(bytes);
      const body = TxBody.decode(tx.body);
      const acc = this.account(toHex(addressFromPublicKey(tx.keyType, tx.publicKey)));
      acc.nonce = Math.max(acc.nonce, body.nonce + 1);
    }
  }
}

function decodeTx(bytes: Uint8Array) {
  const tx = decodeCanonical<Tx>(Tx, bytes, "tx");
  return { tx, body: decodeCanonical<TxBody>(TxBody, tx.body, "tx body") };
}

interface TxSpec {
  nonce: number;
  /** Fee per gas. */
  price: number;
  gas?: number;
  memo?: string;
}

function signedTx(key: SigningKey, spec: TxSpec): Uint8Array {
  const gasLimit = spec.gas ?? 1000;
  const body = encode(
    TxBody,
    TxBody.create({
      chainId: CHAIN_ID,
      nonce: spec.nonce,
      fee: String(BigInt(spec.price) * BigInt(gasLimit)),
      gasLimit,
      messages: [Msg.create({ bankSend: MsgSend.create({ to: new Uint8Array(20).fill(7), amount: "1" }) })],
      memo: spec.memo ?? "",
    }),
  );
  return encode(
    Tx,
    Tx.create({ body, publicKey: key.publicKey, keyType: key.type, signature: key.sign(body) }),
  );
}

function senderOf(key: SigningKey): string {
  return toHex(addressFromPublicKey(key.type, key.publicKey));
}

function newKeys(n: number): SigningKey[] {
  return Array.from({ length: n }, () => generateSigningKey(KeyType.KEY_TYPE_ED25519));
}

function makeMempool(app: TestApp, overrides: Partial<MempoolOptions> = {}): Mempool {
  return new Mempool({
    checkTx: app.checkTx,
    maxTxs: 100,
    maxBytes: 1_000_000,
    maxTxBytes: 10_000,
    maxPerSender: 20,
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<MempoolError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof MempoolError) return err;
    throw err;
  }
  throw new Error("expected a MempoolError, the promise resolved");
}

const hashOf = (tx: Uint8Array) => toHex(sha256(tx));

describe("Mempool ordering", () => {
  it("proposes by fee per gas across senders, arrival order on ties, nonce order within a sender", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [a, b, c] = newKeys(3) as [SigningKey, SigningKey, SigningKey];
    const a1 = signedTx(a, { nonce: 1, price: 20 });
    const a0 = signedTx(a, { nonce: 0, price: 5 });
    const b0 = signedTx(b, { nonce: 0, price: 10 });
    const c0 = signedTx(c, { nonce: 0, price: 10 });
    // a's nonce 1 arrives before nonce 0; b arrives before c at the same price.
    for (const tx of [a1, b0, c0, a0]) await pool.add(tx);

    expect(pool.reap(-1, -1).map(hashOf)).toEqual([b0, c0, a0, a1].map(hashOf));
  });

  it("gives the same order on two mempools fed the same txs", async () => {
    const keys = newKeys(5);
    const txs = keys.flatMap((key, i) =>
      [0, 1, 2].map((nonce) => signedTx(key, { nonce, price: ((i * 7 + nonce * 3) % 5) + 1 })),
    );
    const reaps: string[][] = [];
    for (let run = 0; run < 2; run++) {
      const pool = makeMempool(new TestApp());
      for (const tx of txs) await pool.add(tx);
      reaps.push(pool.reap(-1, -1).map(hashOf));
    }
    expect(reaps[0]).toHaveLength(15);
    expect(reaps[1]).toEqual(reaps[0]);
  });

  it("respects the byte and gas limits of reap, skipping a sender whose next tx does not fit", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [big, small] = newKeys(2) as [SigningKey, SigningKey];
    const big0 = signedTx(big, { nonce: 0, price: 50, memo: "x".repeat(400) });
    const big1 = signedTx(big, { nonce: 1, price: 50 });
    const small0 = signedTx(small, { nonce: 0, price: 1 });
    for (const tx of [big0, big1, small0]) await pool.add(tx);

    // Room for small0 but not big0: big1 must not jump ahead of big0.
    expect(pool.reap(small0.length + 10, -1).map(hashOf)).toEqual([hashOf(small0)]);
    expect(pool.reap(big0.length + big1.length, -1).map(hashOf)).toEqual([big0, big1].map(hashOf));

    const gasPool = makeMempool(new TestApp());
    const g0 = signedTx(big, { nonce: 0, price: 9, gas: 5000 });
    const g1 = signedTx(big, { nonce: 1, price: 9, gas: 1000 });
    const h0 = signedTx(small, { nonce: 0, price: 3, gas: 2000 });
    for (const tx of [g0, g1, h0]) await gasPool.add(tx);
    expect(gasPool.reap(-1, 6000).map(hashOf)).toEqual([g0, g1].map(hashOf));
    expect(gasPool.reap(-1, 4000).map(hashOf)).toEqual([hashOf(h0)]);
    expect(gasPool.reap(-1, 0)).toEqual([]);
  });
});

describe("Mempool admission", () => {
  it("refuses a duplicate, also while the first copy is still being checked", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [key] = newKeys(1) as [SigningKey];
    const tx = signedTx(key, { nonce: 0, price: 1 });
    const [first, second] = await Promise.allSettled([pool.add(tx), pool.add(tx)]);
    expect(first.status).toBe("fulfilled");
    expect(second.status === "rejected" && (second.reason as MempoolError).code).toBe("MEMPOOL_DUPLICATE");
    expect((await rejection(pool.add(tx))).code).toBe("MEMPOOL_DUPLICATE");
    expect(pool.size()).toBe(1);
    expect(pool.has(sha256(tx))).toBe(true);
    expect(pool.has(`0x${hashOf(tx).toUpperCase()}`)).toBe(true);
  });

  it("refuses a tx with MEMPOOL_BUSY, asking nothing, while maxPendingChecks txs are being checked", async () => {
    const app = new TestApp();
    const pool = makeMempool(app, { maxPendingChecks: 2 });
    const [a, b, c] = newKeys(3) as [SigningKey, SigningKey, SigningKey];
    let open!: () => void;
    app.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const held = [
      pool.add(signedTx(a, { nonce: 0, price: 1 })),
      pool.add(signedTx(b, { nonce: 0, price: 1 })),
    ];
    const busy = await rejection(pool.add(signedTx(c, { nonce: 0, price: 1 })));
    expect(busy.code).toBe("MEMPOOL_BUSY");
    expect(app.calls).toHaveLength(2);
    open();
    app.gate = undefined;
    await Promise.all(held);
    // Checks done: the refused tx is admitted when offered again.
    await pool.add(signedTx(c, { nonce: 0, price: 1 }));
    expect(pool.size()).toBe(3);
  });

  it("refuses a tx above maxTxBytes without asking the application", async () => {
    const app = new TestApp();
    const pool = makeMempool(app, { maxTxBytes: 300 });
    const [key] = newKeys(1) as [SigningKey];
    const err = await rejection(pool.add(signedTx(key, { nonce: 0, price: 1, memo: "m".repeat(300) })));
    expect(err.code).toBe("MEMPOOL_TX_TOO_LARGE");
    expect(app.calls).toHaveLength(0);
    expect(pool.size()).toBe(0);
  });

  it("passes the application's codename through and changes nothing", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [key] = newKeys(1) as [SigningKey];
    const tx = signedTx(key, { nonce: 0, price: 1 });
    const forged = Tx.decode(tx);
    forged.signature = Uint8Array.from(forged.signature);
    forged.signature[0]! ^= 1;
    const err = await rejection(pool.add(encode(Tx, forged)));
    expect(err.code).toBe("TX_BAD_SIGNATURE");
    expect(err.rejectedByApp).toBe(true);
    expect(err.checkTx?.code).toBe(1);
    expect(pool.size()).toBe(0);
    expect(pool.sizeBytes()).toBe(0);
  });

  it("limits the txs of one sender", async () => {
    const app = new TestApp();
    const pool = makeMempool(app, { maxPerSender: 3 });
    const [key, other] = newKeys(2) as [SigningKey, SigningKey];
    for (let nonce = 0; nonce < 3; nonce++) await pool.add(signedTx(key, { nonce, price: 1 }));
    expect((await rejection(pool.add(signedTx(key, { nonce: 3, price: 100 })))).code).toBe(
      "MEMPOOL_SENDER_LIMIT",
    );
    await pool.add(signedTx(other, { nonce: 0, price: 1 }));
    expect(pool.size()).toBe(4);
  });

  it("replaces a tx of the same sender and nonce only for a strictly higher fee per gas", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [key] = newKeys(1) as [SigningKey];
    const original = signedTx(key, { nonce: 0, price: 5 });
    await pool.add(original);
    const same = signedTx(key, { nonce: 0, price: 5, memo: "same price" });
    expect((await rejection(pool.add(same))).code).toBe("MEMPOOL_REPLACEMENT_UNDERPRICED");

    const better = signedTx(key, { nonce: 0, price: 6 });
    const result = await pool.add(better);
    expect(result.replaced).toBe(hashOf(original));
    expect(pool.has(sha256(original))).toBe(false);
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([hashOf(better)]);
    expect(pool.sizeBytes()).toBe(better.length);
  });
});

describe("Mempool limits and eviction", () => {
  it("when full, refuses a tx that does not outbid, and evicts the lowest priority for one that does", async () => {
    const app = new TestApp();
    const pool = makeMempool(app, { maxTxs: 3 });
    const [low, mid, high, newcomer] = newKeys(4) as [SigningKey, SigningKey, SigningKey, SigningKey];
    const low0 = signedTx(low, { nonce: 0, price: 2 });
    const low1 = signedTx(low, { nonce: 1, price: 50 });
    const mid0 = signedTx(mid, { nonce: 0, price: 10 });
    for (const tx of [low0, low1, mid0]) await pool.add(tx);

    const cheap = await rejection(pool.add(signedTx(high, { nonce: 0, price: 2 })));
    expect(cheap.code).toBe("MEMPOOL_FULL");
    expect(pool.size()).toBe(3);

    // Evicting low0 strands low1 behind a gap, so both go, though low1 pays more.
    const rich = signedTx(newcomer, { nonce: 0, price: 20 });
    const result = await pool.add(rich);
    expect(result.evicted).toEqual([hashOf(low0), hashOf(low1)]);
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([rich, mid0].map(hashOf));
    expect(pool.size()).toBe(2);
  });

  it("evicts by bytes, as many txs as needed, and nothing if that would not be enough", async () => {
    const app = new TestApp();
    const keys = newKeys(4) as [SigningKey, SigningKey, SigningKey, SigningKey];
    const small = keys.slice(0, 3).map((key, i) => signedTx(key, { nonce: 0, price: i + 1 }));
    const maxBytes = small.reduce((n, tx) => n + tx.length, 0);
    const pool = makeMempool(app, { maxBytes });
    for (const tx of small) await pool.add(tx);

    // Needs the room of the two cheapest txs.
    const large = signedTx(keys[3], { nonce: 0, price: 3, memo: "y".repeat(small[0]!.length - 20) });
    expect(large.length).toBeGreaterThan(small[0]!.length);
    expect(large.length).toBeLessThanOrEqual(small[0]!.length + small[1]!.length);
    // Price 3 only outbids the first two; they free enough room.
    const result = await pool.add(large);
    expect(result.evicted).toEqual([hashOf(small[0]!), hashOf(small[1]!)]);
    expect(pool.sizeBytes()).toBeLessThanOrEqual(maxBytes);

    const huge = signedTx(keys[0], { nonce: 0, price: 1000, memo: "z".repeat(maxBytes) });
    const pool2 = makeMempool(new TestApp(), { maxBytes, maxTxBytes: 10 * maxBytes });
    for (const tx of small) await pool2.add(tx);
    expect((await rejection(pool2.add(huge))).code).toBe("MEMPOOL_FULL");
    expect(pool2.size()).toBe(3);
  });
});

describe("Mempool nonce gaps", () => {
  it("holds back txs after a gap until the missing nonce arrives", async () => {
    const app = new TestApp();
    const pool = makeMempool(app, { nextNonce: async (sender) => app.account(sender).nonce });
    const [key] = newKeys(1) as [SigningKey];
    const txs = [0, 1, 2].map((nonce) => signedTx(key, { nonce, price: 1 }));
    await pool.add(txs[2]!);
    await pool.add(txs[1]!);
    expect(pool.size()).toBe(2);
    expect(pool.reap(-1, -1)).toEqual([]);
    expect(pool.list().map((s) => s.nonce)).toEqual([1, 2]);

    await pool.add(txs[0]!);
    expect(pool.reap(-1, -1).map(hashOf)).toEqual(txs.map(hashOf));
  });

  it("starts each sender's run at the account's next nonce after a block", async () => {
    const app = new TestApp();
    const pool = makeMempool(app, { nextNonce: async (sender) => app.account(sender).nonce });
    const [key] = newKeys(1) as [SigningKey];
    const txs = [0, 1, 2, 3].map((nonce) => signedTx(key, { nonce, price: 1 }));
    for (const tx of [txs[0]!, txs[2]!, txs[3]!]) await pool.add(tx);
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([hashOf(txs[0]!)]);

    // Another node's block used nonce 0 and 1 with txs this pool never saw.
    const elsewhere = [0, 1].map((nonce) => signedTx(key, { nonce, price: 2 }));
    app.commit(elsewhere);
    await pool.update(1, elsewhere);
    expect(pool.has(sha256(txs[0]!))).toBe(false);
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([txs[2]!, txs[3]!].map(hashOf));
  });

  it("after a block of txs it held, reads only the senders whose run does not start at their next nonce", async () => {
    const app = new TestApp();
    const read: string[] = [];
    const pool = makeMempool(app, {
      nextNonce: async (sender) => {
        read.push(sender);
        return app.account(sender).nonce;
      },
    });
    const [a, b, c] = newKeys(3) as [SigningKey, SigningKey, SigningKey];
    const aTxs = [0, 1].map((nonce) => signedTx(a, { nonce, price: 1 }));
    const bTx = signedTx(b, { nonce: 0, price: 1 });
    const cTx = signedTx(c, { nonce: 1, price: 1 }); // nonce 0 still on its way
    for (const tx of [...aTxs, bTx, cTx]) await pool.add(tx);
    read.length = 0;

    const block = [aTxs[0]!];
    app.commit(block);
    await pool.update(1, block);
    // a's run now starts at nonce 1 and b's at 0, as the pool knows: only c, with its gap, is read.
    expect(read).toEqual([senderOf(c)]);
    expect(pool.reap(-1, -1).map(hashOf).sort()).toEqual([aTxs[1]!, bTx].map(hashOf).sort());
  });
});

describe("Mempool admission with a hash the caller computed", () => {
  it("checks and announces the tx under that hash, without hashing it again", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [key] = newKeys(1) as [SigningKey];
    const tx = signedTx(key, { nonce: 0, price: 1 });
    const announced: string[] = [];
    pool.onAdded((_tx, _origin, hash) => announced.push(toHex(hash)));
    await pool.add(tx, "peerA", sha256(tx));
    expect(app.calls.map((c) => c.given)).toEqual([hashOf(tx)]);
    expect(announced).toEqual([hashOf(tx)]);
    expect(pool.has(sha256(tx))).toBe(true);
  });
});

describe("Mempool update after a block", () => {
  it("removes committed txs and keeps the rest proposable", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [a, b] = newKeys(2) as [SigningKey, SigningKey];
    const txs = [
      signedTx(a, { nonce: 0, price: 3 }),
      signedTx(a, { nonce: 1, price: 3 }),
      signedTx(b, { nonce: 0, price: 1 }),
    ];
    for (const tx of txs) await pool.add(tx);
    const block = pool.reap(txs[0]!.length, -1);
    expect(block.map(hashOf)).toEqual([hashOf(txs[0]!)]);
    app.commit(block);
    await pool.update(1, block);

    expect(pool.size()).toBe(2);
    expect(pool.sizeBytes()).toBe(txs[1]!.length + txs[2]!.length);
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([txs[1]!, txs[2]!].map(hashOf));
    expect(
      app.calls
        .filter((c) => c.mode === "recheck")
        .map((c) => c.hash)
        .sort(),
    ).toEqual([hashOf(txs[1]!), hashOf(txs[2]!)].sort());
  });

  it("hands checkTx each tx's own hash, computed once on arrival, for the check and every recheck", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [a, b] = newKeys(2) as [SigningKey, SigningKey];
    const txs = [
      signedTx(a, { nonce: 0, price: 2 }),
      signedTx(a, { nonce: 1, price: 2 }),
      signedTx(b, { nonce: 0, price: 1 }),
    ];
    for (const tx of txs) await pool.add(tx);
    app.commit([txs[0]!]);
    await pool.update(1, [txs[0]!]);
    app.commit([txs[1]!]);
    await pool.update(2, [txs[1]!]);
    expect(app.calls.map((c) => c.mode)).toEqual(["new", "new", "new", "recheck", "recheck", "recheck"]);
    for (const call of app.calls) expect(call.given).toBe(call.hash);
  });

  it("never proposes a committed tx, even while its update still waits for an add in flight", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [a, b, c] = newKeys(3) as [SigningKey, SigningKey, SigningKey];
    const txs = [
      signedTx(a, { nonce: 0, price: 3 }),
      signedTx(a, { nonce: 1, price: 3 }),
      signedTx(b, { nonce: 0, price: 1 }),
    ];
    for (const tx of txs) await pool.add(tx);
    // An add whose checkTx is held open: the update waits for it before removing anything.
    let open!: () => void;
    app.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const adding = pool.add(signedTx(c, { nonce: 0, price: 2 }));
    app.commit([txs[0]!]);
    const updating = pool.update(1, [txs[0]!]);
    // The next height's proposal is made now, before the update has run.
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([txs[1]!, txs[2]!].map(hashOf));
    app.gate = undefined;
    open();
    await Promise.all([adding, updating]);
    expect(pool.size()).toBe(3);
  });

  it("drops a tx that fails the recheck together with its sender's later txs", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [poor, fine] = newKeys(2) as [SigningKey, SigningKey];
    const poorTxs = [0, 1, 2].map((nonce) => signedTx(poor, { nonce, price: 10 }));
    const fineTx = signedTx(fine, { nonce: 0, price: 1 });
    for (const tx of [...poorTxs, fineTx]) await pool.add(tx);

    // The block spends poor's balance: its next tx can no longer pay its fee.
    app.commit([poorTxs[0]!]);
    app.account(senderOf(poor)).balance = 5n;
    await pool.update(1, [poorTxs[0]!]);

    expect(pool.size()).toBe(1);
    expect(pool.has(sha256(fineTx))).toBe(true);
    expect(pool.has(sha256(poorTxs[2]!))).toBe(false);
    // poor's nonce 2 went with nonce 1 without a recheck of its own.
    expect(app.calls.filter((c) => c.mode === "recheck" && c.hash === hashOf(poorTxs[2]!))).toHaveLength(0);
  });

  it("makes adds wait for a running update, so nothing is admitted against a stale state", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [a, b] = newKeys(2) as [SigningKey, SigningKey];
    await pool.add(signedTx(a, { nonce: 0, price: 1 }));
    let open!: () => void;
    app.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const updating = pool.update(1, []);
    const late = signedTx(b, { nonce: 0, price: 1 });
    const adding = pool.add(late);
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Only the recheck has reached the app; the add has not started.
    expect(app.calls.map((c) => c.mode)).toEqual(["new", "recheck"]);
    app.gate = undefined;
    open();
    await Promise.all([updating, adding]);
    expect(app.calls.map((c) => c.mode)).toEqual(["new", "recheck", "new"]);
    expect(pool.size()).toBe(2);
  });

  it("takes the blocks that commit during a recheck into one update, with one recheck for them all", async () => {
    const app = new TestApp();
    const pool = makeMempool(app);
    const [a, b] = newKeys(2) as [SigningKey, SigningKey];
    const txs = [0, 1, 2, 3].map((nonce) => signedTx(a, { nonce, price: 2 }));
    const other = signedTx(b, { nonce: 0, price: 1 });
    for (const tx of [...txs, other]) await pool.add(tx);
    // Block 1's recheck is held open while blocks 2 and 3 commit.
    let open!: () => void;
    app.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    app.commit([txs[0]!]);
    const first = pool.update(1, [txs[0]!]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    app.commit([txs[1]!]);
    const second = pool.update(2, [txs[1]!]);
    app.commit([txs[2]!]);
    const third = pool.update(3, [txs[2]!]);
    app.gate = undefined;
    open();
    await Promise.all([first, second, third]);
    // Blocks 2 and 3 went out together: `other` was rechecked after block 1 and once for both.
    expect(app.calls.filter((c) => c.mode === "recheck" && c.hash === hashOf(other))).toHaveLength(2);
    // txs[1], committed while its recheck was held, failed that recheck only because its nonce
    // was used: it left with its block, and a's later tx stayed.
    expect(pool.reap(-1, -1).map(hashOf)).toEqual([txs[3]!, other].map(hashOf));
    expect(pool.size()).toBe(2);
  });
});
