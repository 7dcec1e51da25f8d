import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { generateSigningKey } from "../../crypto/keys.js";
import { KeyType, type Msg } from "../../proto/index.js";
import { homePaths } from "../home.js";
import { writeKeyFile } from "../key-file.js";
import { registerStakingTxCommands } from "./tx-staking.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs `kyochi tx staking <args>` and returns what would be signed and broadcast. */
async function run(args: string[], home = "/nonexistent"): Promise<{ from: string; messages: Msg[] }> {
  const sent: { from: string; messages: Msg[] }[] = [];
  const program = new Command().exitOverride();
  const tx = program.command("tx").option("--home <dir>", "home", home);
  registerStakingTxCommands(tx, async (from, messages) => {
    sent.push({ from, messages });
  });
  await program.parseAsync(["tx", "staking", ...args], { from: "user" });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

describe("kyochi tx staking", () => {
  it("create-validator takes the consensus key from the home's validator key by default", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-cli-staking-"));
    dirs.push(home);
    fs.mkdirSync(homePaths(home).config, { recursive: true });
    const key = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    writeKeyFile(homePaths(home).privValidatorKey, key);
    const { from, messages } = await run(
      ["create-validator", "alice", "5000000", "--moniker", "val-a"],
      home,
    );
    expect(from).toBe("alice");
    const msg = messages[0]!.stakingCreateValidator!;
    expect(toHex(msg.consensusPubkey!)).toBe(toHex(key.publicKey));
    expect(msg.selfStake).toBe("5000000");
    expect(msg.moniker).toBe("val-a");

    const other = `0x${"ab".repeat(32)}`;
    const explicit = await run(["create-validator", "bob", "7", "--consensus-pubkey", other]);
    expect(toHex(explicit.messages[0]!.stakingCreateValidator!.consensusPubkey!)).toBe("ab".repeat(32));
  });

  it("add-stake, unbond and unjail build their messages; bad amounts are refused", async () => {
    expect((await run(["add-stake", "alice", "12"])).messages[0]!.stakingAddStake!.amount).toBe("12");
    expect((await run(["unbond", "alice", "34"])).messages[0]!.stakingUnbond!.amount).toBe("34");
    expect((await run(["unjail", "alice"])).messages[0]!.sum).toBe("stakingUnjail");
    await expect(run(["unbond", "alice", "0"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(run(["add-stake", "alice", "-5"])).rejects.toThrow();
    await expect(run(["create-validator", "a", "1", "--consensus-pubkey", "0x12"])).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});
