import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig, loadConfig, parseIndexedEvents, renderConfigToml } from "./config.js";
import { NodeError } from "./errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(contents: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kyochi-config-"));
  dirs.push(dir);
  const path = join(dir, "config.toml");
  writeFileSync(path, contents);
  return path;
}

describe("node config", () => {
  it("round-trips the rendered defaults", () => {
    expect(loadConfig(file(renderConfigToml(defaultConfig("n0"))))).toEqual(defaultConfig("n0"));
  });

  it("applies file < environment < flags", () => {
    const path = file('[rpc]\nladdr = "127.0.0.1:1111"\n[consensus]\ntimeout_commit_ms = 250\n');
    const fromFile = loadConfig(path);
    expect(fromFile.rpc.laddr).toBe("127.0.0.1:1111");
    expect(fromFile.consensus.timeout_commit_ms).toBe(250);
    const fromEnv = loadConfig(path, {
      KYOCHI_RPC_LADDR: "127.0.0.1:2222",
      KYOCHI_CONSENSUS_CREATE_EMPTY_BLOCKS: "false",
    });
    expect(fromEnv.rpc.laddr).toBe("127.0.0.1:2222");
    expect(fromEnv.consensus.create_empty_blocks).toBe(false);
    const fromFlags = loadConfig(
      path,
      { KYOCHI_RPC_LADDR: "127.0.0.1:2222" },
      { "rpc.laddr": "127.0.0.1:3333" },
    );
    expect(fromFlags.rpc.laddr).toBe("127.0.0.1:3333");
  });

  it("refuses unknown keys and wrong types, naming them", () => {
    expect(() => loadConfig(file("[rpc]\nlistn = 1\n"))).toThrow(/rpc/);
    expect(() => loadConfig(file('[mempool]\nmax_txs = "many"\n'))).toThrow(/mempool\.max_txs/);
    expect(() => loadConfig(undefined, {}, { "rpc.nope": "1" })).toThrow(NodeError);
    expect(() => loadConfig(file("this is = = not toml"))).toThrow(/CONFIG|config/);
  });

  it("reads the signature-check threads: 0 for one per core, a count, nothing negative", () => {
    expect(loadConfig(undefined).crypto.verify_threads).toBe(0);
    expect(loadConfig(undefined, { KYOCHI_CRYPTO_VERIFY_THREADS: "1" }).crypto.verify_threads).toBe(1);
    expect(() => loadConfig(undefined, {}, { "crypto.verify_threads": "-1" })).toThrow(
      /crypto\.verify_threads/,
    );
  });

  it("reads the explorer index settings: off, every attribute, or a list of type.key", () => {
    expect(parseIndexedEvents(loadConfig(undefined).state.search_index_events)).toBeUndefined();
    const off = loadConfig(undefined, { KYOCHI_STATE_SEARCH_INDEX: "false" });
    expect(off.state.search_index).toBe(false);
    const some = loadConfig(
      undefined,
      {},
      { "state.search_index_events": "transfer.recipient, compute.job_id" },
    );
    expect(parseIndexedEvents(some.state.search_index_events)).toEqual(
      new Set(["transfer.recipient", "compute.job_id"]),
    );
    expect(() => loadConfig(undefined, {}, { "state.search_index_events": "transfer" })).toThrow(
      /state\.search_index_events: "transfer" is not an event attribute as type\.key/,
    );
  });
});
