// What a node pays to admit a transfer into its mempool and to recheck it after a block, without
// the network: mempool.add (the app's checkTx: decode, signature check on the VerifyPool's
// workers, the whole tx run on a scratch layer over the committed state; then the pool's limits
// and insertion), then a block that moves half the senders and the mempool's update (the
// committed txs dropped, every other tx rechecked: run again where the block wrote what its last
// check read, reused where it did not).
//
// Every validator of a devnet does this for every tx, besides executing it in a block, so it is
// the part of a node's per-tx cost that the `transfers` benchmark leaves out.
//
//   node dist/scripts/bench/admission.js
// Env: KYOCHI_BENCH_QUICK=1 (fewer senders).
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { fromHex } from "../../crypto/hash.js";
import { VerifyPool } from "../../crypto/verify-pool.js";
import { startTestChain } from "../../execution/test-chain.js";
import { newAccount, signedTransfer, type TestAccount, testGenesis } from "../../execution/test-helpers.js";
import { Mempool } from "../../node/mempool/mempool.js";
import { fmt } from "./format.js";
import { mainThreadCpuMicros, processCpuMicros } from "./thread-cpu.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const SENDERS = QUICK ? 400 : 2_000;
const TXS_PER_SENDER = 5;
/** Txs admitted together, as a gossip message of a loaded devnet carries them. */
const ARRIVAL_BATCH = 50;

interface Cost {
  wallMs: number;
  mainCpu: number;
  cpu: number;
}

async function measure(work: () => Promise<void>): Promise<Cost> {
  const main0 = mainThreadCpuMicros() ?? 0;
  const cpu0 = processCpuMicros();
  const t0 = performance.now();
  await work();
  return {
    wallMs: performance.now() - t0,
    mainCpu: (mainThreadCpuMicros() ?? 0) - main0,
    cpu: processCpuMicros() - cpu0,
  };
}

export async function run(): Promise<void> {
  const senders: TestAccount[] = Array.from({ length: SENDERS }, () => newAccount());
  // Recipients are never senders, so a block changes only its senders' accounts and the checks
  // of the untouched half stay reusable.
  const recipients: TestAccount[] = Array.from({ length: 64 }, () => newAccount());
  const { genesis } = testGenesis(senders.map((account) => ({ account, balance: 10n ** 15n })));
  const pool = VerifyPool.create();
  const chain = await startTestChain(genesis, { verifyPool: pool });
  try {
    const byNonce: Uint8Array[][] = Array.from({ length: TXS_PER_SENDER }, (_, nonce) =>
      senders.map((from, i) =>
        signedTransfer(from, { to: recipients[i % recipients.length]!.address, amount: 1n, nonce }),
      ),
    );
    const mempool = new Mempool({
      checkTx: (tx, mode, hash) => chain.app.checkTx(tx, mode, hash),
      nextNonce: (sender) => chain.app.committedNonce(fromHex(sender)),
      maxTxs: 1_000_000,
      maxBytes: 1 << 30,
      maxTxBytes: 1 << 20,
      maxPerSender: 64,
      maxPendingChecks: 1_000_000,
    });
    // In nonce order, so every tx is admitted (a gap would hold it back).
    const arrivals = byNonce.flat();
    const admission = await measure(async () => {
      for (let i = 0; i < arrivals.length; i += ARRIVAL_BATCH) {
        await Promise.all(arrivals.slice(i, i + ARRIVAL_BATCH).map((tx) => mempool.add(tx)));
      }
    });
    if (mempool.size() !== arrivals.length) {
      throw new Error(`bench: ${mempool.size()} of ${arrivals.length} txs admitted`);
    }

    // A block of the first half of the senders' nonce-0 txs, then the mempool's update.
    const block = byNonce[0]!.slice(0, SENDERS / 2);
    const result = await chain.block({ txs: block });
    const failed = result.txResults.filter((r) => r.code !== 0).length;
    if (failed > 0) throw new Error(`bench: ${failed} txs of the block failed`);
    const rechecked = mempool.size() - block.length;
    const executedAgain = (SENDERS / 2) * (TXS_PER_SENDER - 1);
    const update = await measure(() => mempool.update(chain.height, block));
    if (mempool.size() !== rechecked) throw new Error(`bench: ${mempool.size()} txs left, not ${rechecked}`);

    console.log(
      `admission: ${fmt(SENDERS)} senders x ${TXS_PER_SENDER} transfers, arriving ${ARRIVAL_BATCH} at a time; ` +
        `then a block of ${fmt(block.length)} and the update (${fmt(executedAgain)} rechecks run again, ` +
        `${fmt(rechecked - executedAgain)} reused); node ${process.version}`,
    );
    console.table([
      {
        step: "admit (mempool.add)",
        txs: fmt(arrivals.length),
        "wall ms": fmt(admission.wallMs, 1),
        "txs/s": fmt((arrivals.length * 1000) / admission.wallMs),
        "main thread µs/tx": fmt(admission.mainCpu / arrivals.length, 1),
        "all threads µs/tx": fmt(admission.cpu / arrivals.length, 1),
      },
      {
        step: "update after a block (recheck)",
        txs: fmt(rechecked),
        "wall ms": fmt(update.wallMs, 1),
        "txs/s": fmt((rechecked * 1000) / update.wallMs),
        "main thread µs/tx": fmt(update.mainCpu / rechecked, 1),
        "all threads µs/tx": fmt(update.cpu / rechecked, 1),
      },
    ]);
  } finally {
    await pool.close();
    await chain.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
