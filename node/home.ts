// The home directory layout (DESIGN.md, "Interfaces others rely on").
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export interface HomePaths {
  home: string;
  config: string;
  configToml: string;
  genesis: string;
  nodeKey: string;
  privValidatorKey: string;
  data: string;
  db: string;
  keyring: string;
}

export function defaultHome(): string {
  return process.env.KYOCHI_HOME ?? join(homedir(), ".kyochi");
}

export function homePaths(home: string): HomePaths {
  const root = resolve(home);
  const config = join(root, "config");
  const data = join(root, "data");
  return {
    home: root,
    config,
    configToml: join(config, "config.toml"),
    genesis: join(config, "genesis.json"),
    nodeKey: join(config, "node_key.json"),
    privValidatorKey: join(config, "priv_validator_key.json"),
    data,
    db: join(data, "kyochi.db"),
    keyring: join(root, "keyring"),
  };
}
