// The host's record of recently seen txs (node/p2p/seen-txs.ts) at and past its byte budget: every
// tx a validator receives or broadcasts is added, so a loaded node fills the default 32 MB within
// minutes and then evicts for good. Prints the cost per add over three budgets' worth of
// transfer-sized (180-byte) txs, a sixth at a time; it must stay flat once the budget is full.
//
//   node dist/scripts/bench/seen-txs.js
// Env: KYOCHI_BENCH_QUICK=1 (a 4 MB budget).
import { createHash, randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { DEFAULT_LIMITS } from "../../node/p2p/options.js";
import { SeenTxs } from "../../node/p2p/seen-txs.js";
import { fmt } from "./format.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const TX_BYTES = 180;

export async function run(): Promise<void> {
  const budget = QUICK ? 4 * 1024 * 1024 : DEFAULT_LIMITS.seenTxsBytes;
  const seen = new SeenTxs(budget);
  const tx = randomBytes(TX_BYTES);
  const total = Math.ceil(budget / TX_BYTES) * 3;
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < total; i++) hashes.push(createHash("sha256").update(`tx ${i}`).digest());
  const sixth = Math.floor(total / 6);
  const rows: Record<string, string>[] = [];
  let from = performance.now();
  for (let i = 0; i < total; i++) {
    seen.add(tx, hashes[i]);
    if ((i + 1) % sixth === 0) {
      const now = performance.now();
      rows.push({
        "txs added": fmt(i + 1),
        "txs kept": fmt(seen.size),
        "µs per add (this sixth)": fmt(((now - from) * 1000) / sixth, 2),
      });
      from = now;
    }
  }
  console.log(`seen-txs: ${fmt(budget / 1024 / 1024)} MB budget, ${TX_BYTES}-byte txs`);
  console.table(rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
