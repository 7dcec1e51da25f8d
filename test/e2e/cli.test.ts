// The CLI as a user meets it: `npm start`'s devnet script, `kyochi init`, and the keyring.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  freePort,
  ROOT,
  removeDir,
  runCli,
  startNode,
  stopNode,
  tempDir,
  waitFor,
  waitForHeight,
} from "../helpers/process-node.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe("npm start", () => {
  it("creates a devnet, prints the funded accounts and their key files, and produces blocks", {
    timeout: 60_000,
  }, async () => {
    const home = join(tempDir("start"), "devnet");
    dirs.push(join(home, ".."));
    const port = await freePort();
    // What `npm start` runs, with a temp home and a free port (later flags win).
    const child = spawn(
      process.execPath,
      [join(ROOT, "scripts", "start-devnet.mjs"), "--home", home, "--rpc.laddr", `127.0.0.1:${port}`],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      await waitFor(
        () => out.includes("node started"),
        30_000,
        () => out,
      );
      for (const name of ["alice", "bob", "carol", "dave"]) {
        const line = out.split("\n").find((l) => l.trim().startsWith(name));
        expect(line, out).toMatch(/kyo1[0-9a-z]{38}/);
        const keyFile = join(home, "keyring", `${name}.json`);
        expect(line).toContain(keyFile);
        expect(statSync(keyFile).mode & 0o077).toBe(0);
      }
      await waitForHeight(`http://127.0.0.1:${port}`, 2, 10_000);
    } finally {
      child.kill("SIGINT");
    }
    expect(await exited).toBe(0);
    expect(out).toContain("node stopped");
  });
});

describe("kyochi init", () => {
  it("writes the home layout of DESIGN.md and refuses to overwrite it", () => {
    const home = tempDir("init");
    dirs.push(home);
    const res = runCli(["init", "--home", home, "--chain-id", "test-chain", "--moniker", "n1"]);
    expect(res.code, res.stderr).toBe(0);
    for (const f of [
      "config/config.toml",
      "config/genesis.json",
      "config/node_key.json",
      "config/priv_validator_key.json",
    ]) {
      expect(existsSync(join(home, f)), f).toBe(true);
    }
    expect(statSync(join(home, "config/priv_validator_key.json")).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(join(home, "config/genesis.json"), "utf8")).chain_id).toBe("test-chain");
    const again = runCli(["init", "--home", home]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("HOME_EXISTS");
  });

  it("start refuses a broken config with an error naming the key", () => {
    const home = tempDir("badcfg");
    dirs.push(home);
    expect(runCli(["init", "--home", home]).code).toBe(0);
    const res = runCli(["start", "--home", home, "--rpc.max_body_bytes", "lots"]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/CONFIG_INVALID.*rpc\.max_body_bytes/);
  });
});

describe("kyochi start next to a running node", () => {
  it("refuses a home already in use and a taken RPC port, with codes that say so", {
    timeout: 60_000,
  }, async () => {
    const home = tempDir("busy");
    const other = tempDir("busy2");
    dirs.push(home, other);
    expect(runCli(["init", "--home", home]).code).toBe(0);
    expect(runCli(["init", "--home", other]).code).toBe(0);
    const port = await freePort();
    const node = await startNode(home, ["--log.level", "warn"], port);
    try {
      const sameHome = runCli(["start", "--home", home, "--rpc.laddr", `127.0.0.1:${await freePort()}`]);
      expect(sameHome.code).not.toBe(0);
      expect(sameHome.stderr).toContain("DB_LOCKED");
      const samePort = runCli(["start", "--home", other, "--rpc.laddr", `127.0.0.1:${port}`]);
      expect(samePort.code).not.toBe(0);
      expect(samePort.stderr).toContain("RPC_ADDRESS_IN_USE");
      // The running node is unharmed.
      await waitForHeight(node.rpcUrl, 2, 10_000);
    } finally {
      await stopNode(node);
    }
  });
});

describe("kyochi keys", () => {
  it("adds, lists and shows keys of both types, and refuses duplicates", () => {
    const home = tempDir("keys");
    dirs.push(home);
    const a = runCli(["keys", "add", "k1", "--home", home]);
    const b = runCli(["keys", "add", "k2", "--type", "secp256k1", "--home", home]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const k2 = JSON.parse(b.stdout) as { type: string; address: string; pubKey: string };
    expect(k2.type).toBe("secp256k1");
    expect(k2.pubKey).toMatch(/^0x0[23][0-9a-f]{64}$/);
    const list = JSON.parse(runCli(["keys", "list", "--home", home]).stdout) as { name: string }[];
    expect(list.map((k) => k.name)).toEqual(["k1", "k2"]);
    expect(JSON.parse(runCli(["keys", "show", "k2", "--home", home]).stdout).address).toBe(k2.address);
    const dup = runCli(["keys", "add", "k1", "--home", home]);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain("KEY_EXISTS");
    expect(runCli(["keys", "show", "nope", "--home", home]).stderr).toContain("KEY_NOT_FOUND");
  });
});
