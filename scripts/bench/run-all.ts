// `npm run bench`: every benchmark in turn, each printing its own table. Not a test: nothing here
// passes or fails; the figures go into the README with this command. KYOCHI_BENCH_QUICK=1 runs
// reduced sizes; KYOCHI_BENCH_ONLY=name[,name] picks benchmarks.
import { run as admission } from "./admission.js";
import { run as api } from "./api.js";
import { run as attestation } from "./attestation.js";
import { run as computeJobs } from "./compute-jobs.js";
import { run as cryptoCeiling } from "./crypto-ceiling.js";
import { run as devnetLoad } from "./devnet-load.js";
import { run as inference } from "./inference.js";
import { run as jobLatency } from "./job-latency.js";
import { run as royalties } from "./royalties.js";
import { run as seenTxs } from "./seen-txs.js";
import { run as stateGrowth } from "./state-growth.js";
import { run as transfers } from "./transfers.js";
import { run as treeNodes } from "./tree-nodes.js";
import { run as txLookup } from "./tx-lookup.js";

const benches: Record<string, () => Promise<void>> = {
  "crypto-ceiling": cryptoCeiling,
  "state-growth": stateGrowth,
  "tree-nodes": treeNodes,
  transfers,
  "tx-lookup": txLookup,
  royalties,
  attestation,
  "compute-jobs": computeJobs,
  inference,
  "job-latency": jobLatency,
  admission,
  "seen-txs": seenTxs,
  "devnet-load": devnetLoad,
  api,
};

const only = process.env.KYOCHI_BENCH_ONLY?.split(",").map((s) => s.trim());
for (const [name, run] of Object.entries(benches)) {
  if (only && !only.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  await run();
}
