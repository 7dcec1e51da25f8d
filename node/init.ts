// `kyochi init` and devnet homes: config, genesis, node key, validator key, data dir.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateSigningKey } from "../crypto/keys.js";
import { accountAddress, buildGenesis } from "../genesis/build.js";
import type { GenesisDoc } from "../genesis/schema.js";
import { KeyType } from "../proto/index.js";
import { defaultConfig, type NodeConfig, renderConfigToml } from "./config.js";
import { NodeError } from "./errors.js";
import { homePaths } from "./home.js";
import { writeFileAtomic, writeKeyFile } from "./key-file.js";
import { Keyring } from "./keyring.js";

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

/**
 * A devnet root: `<root>/keyring` holds the funded dev accounts (shared by client commands with
 * `--home <root>`), `<root>/node0` is the validator's home.
 */
export function initDevnet(
  root: string,
  config: Partial<NodeConfig> = {},
): { nodeHomes: string[]; accounts: DevnetAccount[] } {
  const dir = resolve(root);
  const keyring = new Keyring(join(dir, "keyring"));
  const accounts: DevnetAccount[] = DEVNET_ACCOUNT_NAMES.map((name) => {
    const info = keyring.add(name, KeyType.KEY_TYPE_ED25519);
    return {
      name,
      address: info.address,
      keyFile: join(keyring.dir, `${name}.json`),
      balance: DEVNET_BALANCE,
    };
  });
  const nodeHome = join(dir, "node0");
  initHome({
    home: nodeHome,
    moniker: "node0",
    chainId: DEVNET_CHAIN_ID,
    config: { ...config, signer: { audit_log: true } },
    accounts: accounts.map((a) => ({ address: a.address, balance: a.balance })),
  });
  return { nodeHomes: [nodeHome], accounts };
}

export function devnetAccounts(root: string): DevnetAccount[] {
  const keyring = new Keyring(join(resolve(root), "keyring"));
  return DEVNET_ACCOUNT_NAMES.map((name) => ({
    name,
    address: keyring.show(name).address,
    keyFile: join(keyring.dir, `${name}.json`),
    balance: DEVNET_BALANCE,
  }));
}
