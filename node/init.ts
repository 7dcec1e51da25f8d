// `kyochi init` and devnet homes: config, genesis, node key, validator key, data dir.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { addressFromPublicKey } from "../crypto/address.js";
import { toHex } from "../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../crypto/keys.js";
import { accountAddress, buildGenesis } from "../genesis/build.js";
import type { GenesisDoc } from "../genesis/schema.js";
import { KeyType } from "../proto/index.js";
import { defaultConfig, loadConfig, type NodeConfig, parseHostPort, renderConfigToml } from "./config.js";
import { createDevnetAttestation } from "./devnet-attestation.js";
import { NodeError } from "./errors.js";
import { homePaths } from "./home.js";
import { readKeyFile, writeFileAtomic, writeKeyFile } from "./key-file.js";
import { Keyring } from "./keyring.js";
import { peerIdOfNodeKeyFile } from "./p2p/peer-id.js";

export interface InitResult {
  home: string;
  validatorAddress: string;
  genesis: GenesisDoc;
}

/** Writes config, node key and validator key; the genesis is given, or a one-validator genesis is made. */
export function initHome(opts: {
  home: string;
  moniker: string;
  chainId: string;
  config?: Partial<NodeConfig>;
  genesis?: GenesisDoc;
  /** Funded accounts for a fresh one-validator genesis. */
  accounts?: { address: string; balance: bigint }[];
  genesisTime?: Date;
}): InitResult {
  const paths = homePaths(opts.home);
  if (existsSync(paths.configToml) || existsSync(paths.privValidatorKey)) {
    throw new NodeError("HOME_EXISTS", `${paths.home} is already initialized`);
  }
  mkdirSync(paths.config, { recursive: true, mode: 0o700 });
  mkdirSync(paths.data, { recursive: true, mode: 0o700 });
  const validatorKey = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  writeKeyFile(paths.privValidatorKey, validatorKey);
  writeKeyFile(paths.nodeKey, generateSigningKey(KeyType.KEY_TYPE_ED25519));
  const config = { ...defaultConfig(opts.moniker), ...opts.config };
  writeFileAtomic(paths.configToml, renderConfigToml(config), 0o644);

  let genesis = opts.genesis;
  if (!genesis) {
    // A one-validator chain: the validator's operator is a keyring key that also gets funds.
    const operator = new Keyring(paths.keyring).add("validator", KeyType.KEY_TYPE_ED25519);
    genesis = buildGenesis({
      chainId: opts.chainId,
      genesisTime: opts.genesisTime ?? new Date(),
      validators: [
        { consensusKey: validatorKey, operator: operator.address, stake: 10n ** 12n, moniker: opts.moniker },
      ],
      accounts: [{ address: operator.address, balance: 10n ** 18n }, ...(opts.accounts ?? [])],
    });
  }
  writeFileSync(paths.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
  return { home: paths.home, validatorAddress: accountAddress(validatorKey), genesis };
}

export interface DevnetAccount {
  name: string;
  address: string;
  keyFile: string;
  balance: bigint;
}

export const DEVNET_CHAIN_ID = "kyochi-devnet";
export const DEVNET_ACCOUNT_NAMES = ["alice", "bob", "carol", "dave"];
export const DEVNET_BALANCE = 10n ** 15n;
/** Worker keys every devnet funds (`kyochi devnet --workers N` runs daemons for the first N). */
export const DEVNET_WORKER_NAMES = ["worker0", "worker1", "worker2"];
/** Every devnet validator bonds the same stake, so all have the same voting power. */
export const DEVNET_VALIDATOR_STAKE = 10n ** 12n;
export const DEVNET_OPERATOR_BALANCE = 10n ** 18n;
/** More would not fit the loopback machine a devnet runs on; the chain itself takes more. */
export const DEVNET_MAX_VALIDATORS = 32;

/** Loopback ports of one devnet node. */
export interface DevnetNodePorts {
  p2p: number;
  rpc: number;
  /** gRPC port; absent: one the system picks at each start (port 0). */
  grpc?: number;
  /** Prometheus metrics port; absent: one the system picks at each start (port 0). */
  metrics?: number;
}

/** One node of a devnet as written in its home. */
export interface DevnetNode {
  /** "node0", "node1", ... */
  name: string;
  home: string;
  /** host:port of its JSON-RPC (config rpc.laddr). */
  rpcLaddr: string;
  /** host:port of its libp2p listener (config p2p.laddr). */
  p2pLaddr: string;
  /** host:port of its gRPC server (config grpc.laddr). */
  grpcLaddr: string;
  /** host:port of its metrics endpoint (config metrics.laddr). */
  metricsLaddr: string;
  /** libp2p peer id from its node_key.json. */
  peerId: string;
  /** Consensus address of its validator key, 0x-hex. */
  validatorAddress: string;
}

/** Checks a validator count: an integer from 1 to DEVNET_MAX_VALIDATORS (NodeError DEVNET_INVALID). */
export function checkValidatorCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > DEVNET_MAX_VALIDATORS) {
    throw new NodeError(
      "DEVNET_INVALID",
      `--validators must be an integer from 1 to ${DEVNET_MAX_VALIDATORS}, got ${String(count)}`,
    );
  }
  return count;
}

/** A validator count as typed on the command line ("4"). */
export function parseValidatorCount(text: string): number {
  if (!/^[0-9]{1,3}$/.test(text.trim())) {
    throw new NodeError(
      "DEVNET_INVALID",
      `--validators must be an integer from 1 to ${DEVNET_MAX_VALIDATORS}, got ${JSON.stringify(text)}`,
    );
  }
  return checkValidatorCount(Number(text.trim()));
}

/**
 * A devnet root: `<root>/keyring` holds the funded dev accounts (shared by client commands with
 * `--home <root>`), `<root>/node0` ... `<root>/node{N-1}` are the validators' homes. They share one
 * genesis: N validators of equal stake (operator: the "validator" key in each node's own keyring,
 * funded), plus the dev accounts. Each node gets its own validator key and node key; node i
 * listens on `ports[i]` (loopback) and lists every other node in p2p.persistent_peers. Node 0
 * may leave its ports out: it then keeps the config's (the defaults, 26656, 26657, 9090 and 26660).
 * A node given ports without a gRPC or metrics one gets that server on a port the system picks
 * (port 0).
 */
export function initDevnet(
  root: string,
  config: Partial<NodeConfig> = {},
  opts: { validators?: number; ports?: readonly (DevnetNodePorts | undefined)[]; genesisTime?: Date } = {},
): { nodeHomes: string[]; accounts: DevnetAccount[]; nodes: DevnetNode[] } {
  const count = checkValidatorCount(opts.validators ?? 1);
  const dir = resolve(root);
  const names = Array.from({ length: count }, (_, i) => `node${i}`);
  const homes = names.map((name) => homePaths(join(dir, name)));
  for (const paths of homes) {
    if (existsSync(paths.configToml) || existsSync(paths.privValidatorKey)) {
      throw new NodeError("HOME_EXISTS", `${paths.home} is already initialized`);
    }
  }
  const base: NodeConfig = { ...defaultConfig(), ...config };
  const laddrs = names.map((name, i) => {
    const ports = opts.ports?.[i];
    if (ports === undefined) {
      if (i === 0) {
        return {
          rpc: base.rpc.laddr,
          p2p: base.p2p.laddr,
          grpc: base.grpc.laddr,
          metrics: base.metrics.laddr,
        };
      }
      throw new NodeError("DEVNET_INVALID", `no ports given for ${name}`);
    }
    return {
      rpc: `127.0.0.1:${ports.rpc}`,
      p2p: `127.0.0.1:${ports.p2p}`,
      grpc: `127.0.0.1:${ports.grpc ?? 0}`,
      metrics: `127.0.0.1:${ports.metrics ?? 0}`,
    };
  });
  const used = laddrs.flatMap((l) => [
    parseHostPort(l.rpc).port,
    parseHostPort(l.p2p).port,
    parseHostPort(l.grpc).port,
    parseHostPort(l.metrics).port,
  ]);
  if (new Set(used.filter((port) => port !== 0)).size !== used.filter((port) => port !== 0).length) {
    throw new NodeError("DEVNET_INVALID", `devnet nodes must not share ports: ${used.join(", ")}`);
  }

  const keyring = new Keyring(join(dir, "keyring"));
  const accounts: DevnetAccount[] = [...DEVNET_ACCOUNT_NAMES, ...DEVNET_WORKER_NAMES].map((name) => {
    const info = keyring.add(name, KeyType.KEY_TYPE_ED25519);
    return {
      name,
      address: info.address,
      keyFile: join(keyring.dir, `${name}.json`),
      balance: DEVNET_BALANCE,
    };
  });

  // Keys first: the genesis needs every validator key, each config every other node's peer id.
  const validatorKeys: SigningKey[] = [];
  const operators: string[] = [];
  for (const paths of homes) {
    mkdirSync(paths.config, { recursive: true, mode: 0o700 });
    mkdirSync(paths.data, { recursive: true, mode: 0o700 });
    const validatorKey = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    writeKeyFile(paths.privValidatorKey, validatorKey);
    writeKeyFile(paths.nodeKey, generateSigningKey(KeyType.KEY_TYPE_ED25519));
    validatorKeys.push(validatorKey);
    operators.push(new Keyring(paths.keyring).add("validator", KeyType.KEY_TYPE_ED25519).address);
  }
  const genesisTime = opts.genesisTime ?? new Date();
  const genesis = buildGenesis({
    chainId: DEVNET_CHAIN_ID,
    genesisTime,
    attestation: createDevnetAttestation(dir, genesisTime.getTime()),
    validators: validatorKeys.map((key, i) => ({
      consensusKey: key,
      operator: operators[i]!,
      stake: DEVNET_VALIDATOR_STAKE,
      moniker: names[i]!,
    })),
    accounts: [
      ...operators.map((address) => ({ address, balance: DEVNET_OPERATOR_BALANCE })),
      ...accounts.map((a) => ({ address: a.address, balance: a.balance })),
    ],
  });
  const genesisJson = `${JSON.stringify(genesis, null, 2)}\n`;
  const peerIds = homes.map((paths) => peerIdOfNodeKeyFile(paths.nodeKey));
  const peerAddress = (i: number) => {
    const { host, port } = parseHostPort(laddrs[i]!.p2p);
    return `${peerIds[i]}@${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  };
  homes.forEach((paths, i) => {
    const nodeConfig: NodeConfig = {
      ...base,
      moniker: names[i]!,
      rpc: { ...base.rpc, laddr: laddrs[i]!.rpc },
      grpc: { ...base.grpc, laddr: laddrs[i]!.grpc },
      metrics: { ...base.metrics, laddr: laddrs[i]!.metrics },
      p2p: {
        ...base.p2p,
        laddr: laddrs[i]!.p2p,
        persistent_peers: names
          .map((_, j) => j)
          .filter((j) => j !== i)
          .map(peerAddress)
          .join(","),
      },
      signer: { ...base.signer, audit_log: true },
    };
    writeFileAtomic(paths.configToml, renderConfigToml(nodeConfig), 0o644);
    writeFileSync(paths.genesis, genesisJson);
  });
  const nodes = readDevnetNodes(dir, count);
  return { nodeHomes: homes.map((p) => p.home), accounts, nodes };
}

/**
 * The devnet already written in `root`, or undefined when there is none. A devnet whose homes
 * do not agree with each other (missing homes, different genesis files) is an error.
 */
export function readDevnet(root: string): { validators: number; nodes: DevnetNode[] } | undefined {
  const dir = resolve(root);
  const genesisOf = (i: number) => homePaths(join(dir, `node${i}`)).genesis;
  if (!existsSync(genesisOf(0))) return undefined;
  const genesisText = readFileSync(genesisOf(0), "utf8");
  const genesis = JSON.parse(genesisText) as GenesisDoc;
  const validators = genesis.app_state.validators.length;
  const homeCount = readdirSync(dir).filter((name) => /^node[0-9]+$/.test(name)).length;
  const broken = (why: string) =>
    new NodeError("DEVNET_MISMATCH", `${dir} is not a complete devnet (${why}); remove it or pass --reset`);
  if (homeCount !== validators) {
    throw broken(`its genesis has ${validators} validators but there are ${homeCount} node homes`);
  }
  for (let i = 1; i < validators; i++) {
    if (!existsSync(genesisOf(i)) || readFileSync(genesisOf(i), "utf8") !== genesisText) {
      throw broken(`node${i} does not share node0's genesis`);
    }
  }
  return { validators, nodes: readDevnetNodes(dir, validators) };
}

function readDevnetNodes(dir: string, count: number): DevnetNode[] {
  return Array.from({ length: count }, (_, i) => {
    const paths = homePaths(join(dir, `node${i}`));
    const config = loadConfig(paths.configToml);
    const validatorKey = readKeyFile(paths.privValidatorKey);
    return {
      name: `node${i}`,
      home: paths.home,
      rpcLaddr: config.rpc.laddr,
      p2pLaddr: config.p2p.laddr,
      grpcLaddr: config.grpc.laddr,
      metricsLaddr: config.metrics.laddr,
      peerId: peerIdOfNodeKeyFile(paths.nodeKey),
      validatorAddress: `0x${toHex(addressFromPublicKey(validatorKey.type, validatorKey.publicKey))}`,
    };
  });
}

/**
 * `count` distinct loopback ports that are free now: every socket stays open until all are
 * found, so no port is handed out twice; `avoid` (e.g. node 0's fixed ports) is skipped.
 */
export async function findFreePorts(count: number, avoid: readonly number[] = []): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = createServer();
      servers.push(server);
      const port = await new Promise<number>((resolvePort, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const address = server.address();
          resolvePort(typeof address === "object" && address !== null ? address.port : 0);
        });
      });
      if (port !== 0 && !avoid.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

export function devnetAccounts(root: string): DevnetAccount[] {
  const keyring = new Keyring(join(resolve(root), "keyring"));
  return [...DEVNET_ACCOUNT_NAMES, ...DEVNET_WORKER_NAMES].map((name) => ({
    name,
    address: keyring.show(name).address,
    keyFile: join(keyring.dir, `${name}.json`),
    balance: DEVNET_BALANCE,
  }));
}
