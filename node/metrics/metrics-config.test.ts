// The [metrics] config section: defaults (on, loopback 26660), written by `kyochi init`, overridden
// by KYOCHI_METRICS_* and --metrics.* like every section, and refused when malformed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig, loadConfig } from "../config.js";
import { homePaths } from "../home.js";
import { initDevnet, initHome } from "../init.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kyochi-metrics-config-"));
  dirs.push(dir);
  return dir;
}

function file(contents: string): string {
  const path = join(tempDir(), "config.toml");
  writeFileSync(path, contents);
  return path;
}

describe("metrics config", () => {
  it("defaults to enabled on 127.0.0.1:26660, also for a file without the section", () => {
    expect(defaultConfig().metrics).toEqual({ enabled: true, laddr: "127.0.0.1:26660" });
    expect(loadConfig(file('moniker = "old"\n')).metrics).toEqual({
      enabled: true,
      laddr: "127.0.0.1:26660",
    });
  });

  it("is written into config.toml by init, and read back", () => {
    const home = join(tempDir(), "home");
    initHome({ home, chainId: "kyochi-metrics", moniker: "m" });
    const text = readFileSync(homePaths(home).configToml, "utf8");
    expect(text).toMatch(/\[metrics\]\nenabled = true\nladdr = "127\.0\.0\.1:26660"/);
    expect(loadConfig(homePaths(home).configToml).metrics.laddr).toBe("127.0.0.1:26660");
  });

  it("applies file < environment < flags", () => {
    const path = file('[metrics]\nladdr = "127.0.0.1:1111"\n');
    expect(loadConfig(path).metrics.laddr).toBe("127.0.0.1:1111");
    const env = { KYOCHI_METRICS_LADDR: "0.0.0.0:2222", KYOCHI_METRICS_ENABLED: "false" };
    expect(loadConfig(path, env).metrics).toEqual({ enabled: false, laddr: "0.0.0.0:2222" });
    const flagged = loadConfig(path, env, { "metrics.laddr": "127.0.0.1:0", "metrics.enabled": "true" });
    expect(flagged.metrics).toEqual({ enabled: true, laddr: "127.0.0.1:0" });
  });

  it("refuses unknown keys and bad values, naming them", () => {
    const invalid = (run: () => unknown, key: RegExp) => {
      expect(run).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(key) }),
      );
    };
    invalid(() => loadConfig(file("[metrics]\nport = 9\n")), /metrics/);
    invalid(() => loadConfig(file('[metrics]\nladdr = "26660"\n')), /metrics\.laddr/);
    invalid(() => loadConfig(undefined, { KYOCHI_METRICS_ENABLED: "yes" }), /metrics\.enabled/);
    invalid(() => loadConfig(undefined, {}, { "metrics.laddr": "no port" }), /metrics\.laddr/);
    invalid(() => loadConfig(undefined, {}, { "metrics.path": "/m" }), /metrics\.path/);
  });

  it("gives devnet node 0 the configured port and the others their own or the system's", () => {
    const root = tempDir();
    const ports = [
      { p2p: 40001, rpc: 40002, grpc: 40003, metrics: 40004 },
      { p2p: 40011, rpc: 40012, grpc: 40013, metrics: 40014 },
      { p2p: 40021, rpc: 40022 },
    ];
    const { nodes } = initDevnet(root, {}, { validators: 3, ports });
    expect(nodes.map((n) => n.metricsLaddr)).toEqual(["127.0.0.1:40004", "127.0.0.1:40014", "127.0.0.1:0"]);
    const single = initDevnet(join(tempDir(), "one"));
    expect(single.nodes[0]!.metricsLaddr).toBe("127.0.0.1:26660");
    expect(() =>
      initDevnet(
        join(tempDir(), "clash"),
        {},
        {
          validators: 2,
          ports: [
            { p2p: 40031, rpc: 40032, metrics: 40099 },
            { p2p: 40041, rpc: 40042, metrics: 40099 },
          ],
        },
      ),
    ).toThrow(expect.objectContaining({ code: "DEVNET_INVALID" }));
  });
});
