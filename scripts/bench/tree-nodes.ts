// What rewriting one internal node of the state tree costs on the main thread: encodeNode on a
// full 16-child node with one child changed (the common case at 1M keys: every updated key
// rewrites the nodes on its path, and most keep their shape). A 10k-transfer block rewrites about
// 40k such nodes, so 0.1 µs here is about 0.4 µs per transfer.
//
//   node dist/scripts/bench/tree-nodes.js
// Env: KYOCHI_BENCH_QUICK=1 (fewer iterations).
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { ByteArena, RADIX } from "../../state/tree/hashing.js";
import { type Child, encodeNode } from "../../state/tree/node.js";
import { fmt } from "./format.js";

const QUICK = process.env.KYOCHI_BENCH_QUICK === "1";
const ITERATIONS = QUICK ? 50_000 : 400_000;

function hashOf(i: number): Uint8Array {
  const out = new Uint8Array(32);
  for (let k = 0; k < 32; k++) out[k] = (i * 31 + k * 7) & 0xff;
  return out;
}

function baseNode(leafEvery: number): Uint8Array {
  const children: Child[] = Array.from({ length: RADIX }, (_, n) =>
    n % leafEvery === leafEvery - 1
      ? { kind: "leaf", hash: hashOf(n + 50), valueVersion: 3, keyHash: hashOf(n + 99) }
      : { kind: "internal", hash: hashOf(n), version: 5 },
  );
  return Uint8Array.from(encodeNode(null, children, new ByteArena()).bytes);
}

/** µs per encodeNode of `base` with one internal child replaced (best of 3 passes). */
function patchCost(base: Uint8Array): number {
  const replacements: Child[] = Array.from({ length: 256 }, (_, i) => ({
    kind: "internal",
    hash: hashOf(i),
    version: 7,
  }));
  const arena = new ByteArena();
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const changes = new Array<Child | undefined>(RADIX);
      // Slots 0, 2, 4, ... hold internal children in both node kinds below.
      changes[(i & 7) * 2] = replacements[i & 255];
      encodeNode(base, changes, arena);
    }
    best = Math.min(best, ((performance.now() - start) * 1000) / ITERATIONS);
  }
  return best;
}

export async function run(): Promise<void> {
  console.log(`tree-nodes: ${fmt(ITERATIONS)} rewrites per pass, node ${process.version}`);
  console.table([
    { node: "16 internal children", "µs per rewrite": fmt(patchCost(baseNode(RADIX + 1)), 2) },
    { node: "8 internal + 8 leaf children", "µs per rewrite": fmt(patchCost(baseNode(2)), 2) },
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
