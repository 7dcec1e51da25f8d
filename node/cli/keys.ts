import { join } from "node:path";
import type { Command } from "commander";
import { keyTypeFromName } from "../../crypto/keys.js";
import { defaultHome } from "../home.js";
import { Keyring } from "../keyring.js";
import { printJson } from "./output.js";

interface KeyringOpts {
  home: string;
  keyringDir?: string;
}

export function keyringFrom(opts: KeyringOpts): Keyring {
  return new Keyring(opts.keyringDir ?? join(opts.home, "keyring"));
}

export function registerKeysCommands(program: Command): void {
  const keys = program
    .command("keys")
    .description("manage the local keyring (<home>/keyring, one 0600 file per key)")
    .option("--home <dir>", "home directory holding the keyring", defaultHome())
    .option("--keyring-dir <dir>", "keyring directory (default <home>/keyring)");

  keys
    .command("add <name>")
    .description("create a new key")
    .option("--type <type>", "ed25519 or secp256k1", "ed25519")
    .action((name: string, opts: { type: string }) => {
      printJson(keyringFrom(keys.opts<KeyringOpts>()).add(name, keyTypeFromName(opts.type)));
    });

  keys
    .command("list")
    .description("list keys")
    .action(() => printJson(keyringFrom(keys.opts<KeyringOpts>()).list()));

  keys
    .command("show <name>")
    .description("show a key's address and public key")
    .action((name: string) => printJson(keyringFrom(keys.opts<KeyringOpts>()).show(name)));
}
