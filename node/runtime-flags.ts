// How node processes run: the V8 flags they start with, and their share of the machine's cores.
import { availableParallelism } from "node:os";

// V8 flags a node process runs with (the devnet, the Docker image and the benchmarks pass them;
// for `kyochi start` run by hand, set NODE_OPTIONS=--max-semi-space-size=64, see README).
//
// A block's objects (decoded txs, results, events, state writes) live until it commits. With V8's
// default 16 MB semi-spaces they outlive two scavenges and are copied into the old generation,
// which then needs mark-compacts: under load a scavenge took 8 to 29 ms and freed a few MB.
// Measured with the transfers benchmark, pipelined, 16 MB against 64 MB: at 200k accounts (two
// rounds) 10k-tx blocks went from 184-192 to 172-176 µs of CPU per transfer (main thread 54 to
// 46-47) and 1k-tx blocks from 267-275 to 256-261; at 1M accounts (one round) 1k-tx blocks went
// from 378 to 320 µs, 10k-tx blocks stayed within noise (187 against 196). A devnet's blocks are
// the small kind. The cost is up to 128 MB more young-generation memory.
export const NODE_V8_FLAGS: readonly string[] = ["--max-semi-space-size=64"];

/**
 * Signature-check threads for each of `nodes` nodes run on this machine: its cores split between
 * them (at least one each). Every node sizing its pool to the whole machine oversubscribed it:
 * four validators on two cores ran eight check threads besides their main threads. In five
 * interleaved pairs of devnet-load runs at 1,000 tx/s (warmed phase), one thread per node cost
 * 1,666-1,744 µs of the four nodes' CPU per finalized tx against 1,688-1,920 with two, lower in
 * four pairs of five: a few percent, at the edge of what that benchmark separates.
 */
export function verifyThreadsPerNode(nodes: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, nodes)));
}
