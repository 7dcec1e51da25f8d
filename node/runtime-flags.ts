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
