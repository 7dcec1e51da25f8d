import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules", "dist", ".devnet"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Process-level tests (crash safety, CLI) start real node processes on fixed port ranges;
    // files run in parallel forks, each test file picks its own ports.
    pool: "forks",
    // Each fork runs many files in one module graph instead of re-importing the whole node per file:
    // importing it cost about 2 s per file, most of the suite's time on 2 cores (580 s -> ~360 s).
    // Test files must therefore leave no global state behind (spies restored, servers closed).
    isolate: false,
    // Every node process a test starts (and its children) binds gRPC and metrics on ports the
    // system picks, never the fixed defaults 9090 and 26660 that parallel files would fight over;
    // flags still win.
    env: { KYOCHI_GRPC_LADDR: "127.0.0.1:0", KYOCHI_METRICS_LADDR: "127.0.0.1:0" },
  },
});
