// What `kyochi devnet --validators N` writes before it starts anything: N homes sharing one
// genesis of N equal validators, each with its own keys and loopback ports, every other node in
// its persistent peers; a second run reuses them; bad counts and mismatches are refused.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import type { GenesisDoc } from "../../genesis/schema.js";
import { loadConfig } from "../../node/config.js";
import { homePaths } from "../../node/home.js";
import {
  checkValidatorCount,
  DEVNET_MAX_VALIDATORS,
  findFreePorts,
  initDevnet,
  parseValidatorCount,
  readDevnet,
} from "../../node/init.js";
import { readKeyFile } from "../../node/key-file.js";
import { Keyring } from "../../node/keyring.js";
import { peerIdOfNodeKeyFile } from "../../node/p2p/peer-id.js";
import { removeDir, runCli, tempDir } from "../helpers/process-node.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

function newRoot(prefix: string): string {
  const dir = tempDir(prefix);
  dirs.push(dir);
  return join(dir, "devnet");
}

describe("initDevnet with 4 validators", () => {
  it("writes 4 homes sharing one genesis with 4 equal validators, each with its own keys", async () => {
    const root = newRoot("homes");
    const [a, b, c, d, e, f] = await findFreePorts(6);
    const ports = [
      { p2p: 36656, rpc: 36657 },
      { p2p: a!, rpc: b! },
      { p2p: c!, rpc: d! },
      { p2p: e!, rpc: f! },
    ];
    const { nodeHomes, accounts, nodes } = initDevnet(root, {}, { validators: 4, ports });
    expect(nodeHomes).toEqual([0, 1, 2, 3].map((i) => join(root, `node${i}`)));
    expect(nodes.map((n) => n.name)).toEqual(["node0", "node1", "node2", "node3"]);

    const genesisText = readFileSync(homePaths(nodeHomes[0]!).genesis, "utf8");
    for (const home of nodeHomes) expect(readFileSync(homePaths(home).genesis, "utf8")).toBe(genesisText);
    const genesis = JSON.parse(genesisText) as GenesisDoc;
    expect(genesis.chain_id).toBe("kyochi-devnet");
    expect(genesis.app_state.validators).toHaveLength(4);
    expect(new Set(genesis.app_state.validators.map((v) => v.stake)).size).toBe(1);

    const pubKeys = nodeHomes.map((home) => {
      const paths = homePaths(home);
      expect(statSync(paths.privValidatorKey).mode & 0o077).toBe(0);
      return `0x${toHex(readKeyFile(paths.privValidatorKey).publicKey)}`;
    });
    expect(new Set(pubKeys).size).toBe(4);
    expect(genesis.app_state.validators.map((v) => v.consensus_pubkey).sort()).toEqual([...pubKeys].sort());
    const peerIds = nodeHomes.map((home) => peerIdOfNodeKeyFile(homePaths(home).nodeKey));
    expect(new Set(peerIds).size).toBe(4);
    expect(peerIds.every((id) => id.startsWith("12D3Koo"))).toBe(true);

    // The dev accounts and each validator's operator are funded in that one genesis.
    const funded = new Set(genesis.app_state.accounts.map((acc) => acc.address));
    for (const account of accounts) expect(funded.has(account.address)).toBe(true);
    for (const home of nodeHomes) {
      const operator = new Keyring(homePaths(home).keyring).show("validator").address;
      expect(funded.has(operator)).toBe(true);
      expect(genesis.app_state.validators.some((v) => v.operator === operator)).toBe(true);
    }

    // Loopback ports as given; peers are every other node by peer id and p2p port.
    nodeHomes.forEach((home, i) => {
      const config = loadConfig(homePaths(home).configToml);
      expect(config.moniker).toBe(`node${i}`);
      expect(config.rpc.laddr).toBe(`127.0.0.1:${ports[i]!.rpc}`);
      expect(config.p2p.laddr).toBe(`127.0.0.1:${ports[i]!.p2p}`);
      const expectedPeers = ports.map((p, j) => `${peerIds[j]}@127.0.0.1:${p.p2p}`).filter((_, j) => j !== i);
      expect(config.p2p.persistent_peers.split(",")).toEqual(expectedPeers);
      const key = readKeyFile(homePaths(home).privValidatorKey);
      expect(nodes[i]!.validatorAddress).toBe(`0x${toHex(addressFromPublicKey(key.type, key.publicKey))}`);
      expect(nodes[i]!.peerId).toBe(peerIds[i]);
    });

    // Read back as a devnet, unchanged; writing it again is refused.
    expect(readDevnet(root)).toEqual({ validators: 4, nodes });
    expect(() => initDevnet(root, {}, { validators: 4, ports })).toThrow(/already initialized/);
  });

  it("keeps the one-validator devnet as before: node0 on the configured ports, no peers", () => {
    const root = newRoot("single");
    const { nodeHomes, nodes } = initDevnet(root);
    expect(nodeHomes).toEqual([join(root, "node0")]);
    const config = loadConfig(homePaths(nodeHomes[0]!).configToml);
    expect(config.rpc.laddr).toBe("127.0.0.1:26657");
    expect(config.p2p.persistent_peers).toBe("");
    expect(nodes).toHaveLength(1);
  });

  it("refuses validator counts outside 1..32 and ports shared by two nodes", async () => {
    for (const bad of [0, -1, 1.5, DEVNET_MAX_VALIDATORS + 1, Number.NaN]) {
      expect(() => checkValidatorCount(bad)).toThrow(expect.objectContaining({ code: "DEVNET_INVALID" }));
    }
    for (const bad of ["", "abc", "4x", "-2", "0", "33", "1e1"]) {
      expect(() => parseValidatorCount(bad)).toThrow(expect.objectContaining({ code: "DEVNET_INVALID" }));
    }
    expect(parseValidatorCount("32")).toBe(32);
    const [p] = await findFreePorts(1);
    expect(() =>
      initDevnet(
        newRoot("sameport"),
        {},
        {
          validators: 2,
          ports: [
            { p2p: 36656, rpc: 36657 },
            { p2p: p!, rpc: 36657 },
          ],
        },
      ),
    ).toThrow(expect.objectContaining({ code: "DEVNET_INVALID" }));
  });

  it("findFreePorts hands out distinct ports, never the avoided ones", async () => {
    const ports = await findFreePorts(20, [26656, 26657]);
    expect(new Set(ports).size).toBe(20);
    expect(ports).not.toContain(26656);
    expect(ports.every((port) => port > 0 && port < 65536)).toBe(true);
  });
});

describe("kyochi devnet refuses before starting anything", () => {
  it("a bad --validators with DEVNET_INVALID", () => {
    const home = newRoot("badn");
    for (const n of ["0", "33", "four"]) {
      const res = runCli(["devnet", "--validators", n, "--home", home]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(/DEVNET_INVALID.*--validators must be an integer from 1 to 32/);
    }
  });

  it("another validator count than the existing devnet's with DEVNET_MISMATCH, naming the way out", async () => {
    const root = newRoot("mismatch");
    const [a, b, c, d] = await findFreePorts(4);
    initDevnet(
      root,
      {},
      {
        validators: 2,
        ports: [
          { p2p: a!, rpc: b! },
          { p2p: c!, rpc: d! },
        ],
      },
    );
    const res = runCli(["devnet", "--validators", "3", "--home", root]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain("DEVNET_MISMATCH");
    expect(res.stderr).toMatch(/2 validator\(s\), not 3; remove the directory or pass --reset/);
    // Nothing was rewritten.
    expect(readDevnet(root)?.validators).toBe(2);
  });
});
