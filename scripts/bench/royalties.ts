// Royalties: what a model fee costs the chain as its lineage deepens. For each depth D a lineage of
// D+1 model versions is registered (every version cites two dataset licenses of 5% each, and each
// parent takes 20% of its children's fees), then blocks of `model pay` txs for the youngest version
// are executed and committed on LevelDB (signatures checked, as a block from the network would be).
// A pay at depth D makes 3(D+1) payments: two dataset owners and one model owner per level.
//
//   node dist/scripts/bench/royalties.js
// Env: KYOCHI_BENCH_QUICK=1 (small sizes), KYOCHI_BENCH_ROYALTY_DEPTHS=0,1,4,8,
//      KYOCHI_BENCH_ROYALTY_TXS=1000 (pays per block), KYOCHI_BENCH_ROYALTY_BLOCKS=3.
import { pathToFileURL } from "node:url";
import { startTestChain } from "../../execution/test-chain.js";
import { newAccount, signedMsgs, type TestAccount, testGenesis } from "../../execution/test-helpers.js";
import { ModelFormat, type Msg } from "../../proto/index.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../../rpc/client/msgs-data.js";
import { modelsPayMsg, modelsRegisterMsg } from "../../rpc/client/msgs-models.js";

const quick = process.env.KYOCHI_BENCH_QUICK === "1";
const GAS = 2_000_000;
const FEE = BigInt(GAS);

function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  return raw.split(",").map((s) => {
    const n = Number(s.trim());
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}: not a non-negative integer: ${s}`);
    return n;
  });
}

interface Row {
  depth: number;
  payments_per_pay: number;
  pays_per_block: number;
  "block_ms (median)": number;
  "pays/s": number;
  "payments/s": number;
  "gas per pay": number;
}

async function measureDepth(depth: number, paysPerBlock: number, blocks: number): Promise<Row> {
  const dataOwner = newAccount();
  const modelOwners = Array.from({ length: depth + 1 }, () => newAccount());
  const payers = Array.from({ length: paysPerBlock * blocks }, () => newAccount());
  const funded = [dataOwner, ...modelOwners, ...payers].map((account) => ({
    account,
    balance: 10n ** 15n,
  }));
  const { genesis } = testGenesis(funded, [1], {
    block: { max_bytes: 64 * 1024 * 1024, max_gas: GAS * (paysPerBlock + 10) },
  });
  const chain = await startTestChain(genesis);
  try {
    const nonces = new Map<string, number>();
    const tx = (from: TestAccount, ...messages: Msg[]) => {
      const nonce = nonces.get(from.bech32) ?? 0;
      nonces.set(from.bech32, nonce + 1);
      return signedMsgs(from, messages, { nonce, gasLimit: GAS, fee: FEE });
    };
    const run = async (...txs: Uint8Array[]) => {
      const { txResults } = await chain.block({ txs });
      const failed = txResults.find((r) => (r.code ?? 0) !== 0);
      if (failed) throw new Error(`setup tx failed: ${failed.log}`);
      return txResults;
    };
    // Two datasets with one training/commercial offer each (5% royalty).
    const register = (name: string) =>
      dataRegisterMsg({
        name,
        contentRoot: new Uint8Array(32).fill(name.length),
        sizeBytes: 1 << 20,
        locationUri: `s3://bench/${name}`,
        format: "jsonl",
      });
    await run(tx(dataOwner, register("d1"), register("d2")));
    const terms = {
      price: 1n,
      durationBlocks: 0,
      commercialUse: true,
      trainingAllowed: true,
      royaltyBps: 500,
      maxLicenses: 0,
    };
    await run(tx(dataOwner, dataAddOfferMsg(1, terms), dataAddOfferMsg(2, terms)));
    // Every model owner buys one license of each dataset (license ids 2i+1, 2i+2).
    await run(...modelOwners.map((o) => tx(o, dataBuyLicenseMsg(1, 1), dataBuyLicenseMsg(2, 1))));
    for (const [i, owner] of modelOwners.entries()) {
      await run(
        tx(
          owner,
          modelsRegisterMsg({
            name: "bench-llm",
            version: `v${i}`,
            weightsHash: new Uint8Array(32).fill(i + 1),
            sizeBytes: 1_000_000,
            format: ModelFormat.MODEL_FORMAT_ONNX,
            locationUri: `ipfs://bench-${i}`,
            cardHash: new Uint8Array(32).fill(0xcc),
            inferenceFee: 1_000_003n,
            parentId: i,
            licenseIds: [2 * i + 1, 2 * i + 2],
            allowDerivatives: true,
            derivativeRoyaltyBps: 2000,
          }),
        ),
      );
    }
    const youngest = depth + 1;
    const times: number[] = [];
    let gasUsed = 0;
    let payments = 0;
    for (let b = 0; b < blocks; b++) {
      const txs = payers
        .slice(b * paysPerBlock, (b + 1) * paysPerBlock)
        .map((p) => tx(p, modelsPayMsg(youngest, 1_000_003n)));
      const start = performance.now();
      const { txResults } = await chain.block({ txs });
      times.push(performance.now() - start);
      for (const r of txResults) {
        if ((r.code ?? 0) !== 0) throw new Error(`pay failed: ${r.log}`);
        gasUsed += Number(r.gasUsed);
        payments += (r.events ?? []).filter((e) => e.type === "royalty_payment").length;
      }
    }
    const sorted = [...times].sort((x, y) => x - y);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    const pays = paysPerBlock * blocks;
    return {
      depth,
      payments_per_pay: payments / pays,
      pays_per_block: paysPerBlock,
      "block_ms (median)": Number(median.toFixed(1)),
      "pays/s": Math.round((paysPerBlock * 1000) / median),
      "payments/s": Math.round(((payments / pays) * paysPerBlock * 1000) / median),
      "gas per pay": Math.round(gasUsed / pays),
    };
  } finally {
    await chain.close();
  }
}

export async function run(): Promise<void> {
  const depths = envList("KYOCHI_BENCH_ROYALTY_DEPTHS", quick ? [0, 2] : [0, 1, 4, 8]);
  const [paysPerBlock] = envList("KYOCHI_BENCH_ROYALTY_TXS", [quick ? 200 : 1000]);
  const [blocks] = envList("KYOCHI_BENCH_ROYALTY_BLOCKS", [quick ? 2 : 3]);
  const rows: Row[] = [];
  for (const depth of depths) rows.push(await measureDepth(depth, paysPerBlock as number, blocks as number));
  console.log("model pay: a fee settled up a lineage of depth D (finalize + commit, LevelDB, fsync)");
  console.table(rows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
