import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { encodeAddress } from "../../crypto/address.js";
import { contentRootOf } from "../../crypto/content-root.js";
import { toHex } from "../../crypto/hash.js";
import type { Msg } from "../../proto/index.js";
import { registerDataTxCommands } from "./tx-data.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs `kyochi tx data <args>` and returns what would be signed and broadcast. */
async function run(args: string[]): Promise<{ from: string; messages: Msg[] }> {
  const sent: { from: string; messages: Msg[] }[] = [];
  const program = new Command().exitOverride();
  const tx = program.command("tx").option("--home <dir>", "home", "/nonexistent");
  registerDataTxCommands(tx, async (from, messages) => {
    sent.push({ from, messages });
  });
  await program.parseAsync(["tx", "data", ...args], { from: "user" });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

const ROOT = `0x${"ab".repeat(32)}`;
const REGISTER = ["register", "alice", "--name", "corpus", "--uri", "ipfs://x", "--format", "jsonl"];

describe("kyochi tx data", () => {
  it("register takes the root and size from flags, or computes them from --path", async () => {
    const { from, messages } = await run([...REGISTER, "--content-root", ROOT, "--size", "4096"]);
    expect(from).toBe("alice");
    const msg = messages[0]!.dataRegister!;
    expect(msg).toMatchObject({ name: "corpus", sizeBytes: 4096, locationUri: "ipfs://x", format: "jsonl" });
    expect(toHex(msg.contentRoot!)).toBe("ab".repeat(32));
    expect(msg.descriptionHash).toHaveLength(0);

    const withDescription = await run([
      ...REGISTER,
      "--content-root",
      ROOT,
      "--size",
      "1",
      "--description-hash",
      "cd".repeat(32),
    ]);
    expect(toHex(withDescription.messages[0]!.dataRegister!.descriptionHash!)).toBe("cd".repeat(32));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-cli-data-"));
    dirs.push(dir);
    const file = path.join(dir, "train.jsonl");
    fs.writeFileSync(file, "hello\n");
    const hashed = (await run([...REGISTER, "--path", file])).messages[0]!.dataRegister!;
    expect(hashed.sizeBytes).toBe(6);
    expect(toHex(hashed.contentRoot!)).toBe(toHex(contentRootOf(new TextEncoder().encode("hello\n")).root));
  });

  it("register refuses missing or malformed flags with CONFIG_INVALID", async () => {
    const bad = [
      [...REGISTER],
      [...REGISTER, "--content-root", ROOT],
      [...REGISTER, "--content-root", "0x1234", "--size", "5"],
      [...REGISTER, "--content-root", ROOT, "--size", "0"],
      [...REGISTER, "--content-root", ROOT, "--size", "5", "--path", "."],
      [...REGISTER, "--content-root", ROOT, "--size", "5", "--description-hash", "zz"],
      ["register", "alice", "--uri", "u", "--format", "f", "--content-root", ROOT, "--size", "5"],
      [...REGISTER, "--path", "/nonexistent/kyochi-data"],
    ];
    for (const args of bad) {
      await expect(run(args), args.join(" ")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    }
  });

  it("add-offer builds the terms; defaults are a free, perpetual, restrictive offer", async () => {
    const full = await run([
      "add-offer",
      "alice",
      "7",
      "--price",
      "2500",
      "--duration-blocks",
      "100",
      "--commercial",
      "yes",
      "--training",
      "true",
      "--royalty-bps",
      "1000",
      "--max-licenses",
      "3",
    ]);
    expect(full.messages[0]!.dataAddOffer).toMatchObject({
      datasetId: 7,
      price: "2500",
      durationBlocks: 100,
      commercialUse: true,
      trainingAllowed: true,
      royaltyBps: 1000,
      maxLicenses: 3,
    });
    expect((await run(["add-offer", "alice", "7"])).messages[0]!.dataAddOffer).toMatchObject({
      price: "0",
      durationBlocks: 0,
      commercialUse: false,
      trainingAllowed: false,
      royaltyBps: 0,
      maxLicenses: 0,
    });
    for (const args of [
      ["add-offer", "alice", "0"],
      ["add-offer", "alice", "x"],
      ["add-offer", "alice", "1", "--royalty-bps", "10001"],
      ["add-offer", "alice", "1", "--price", "-1"],
      ["add-offer", "alice", "1", "--commercial", "maybe"],
      ["add-offer", "alice", "1", "--max-licenses", "4294967296"],
    ]) {
      await expect(run(args), args.join(" ")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    }
  });

  it("retire-offer, transfer and buy-license", async () => {
    expect((await run(["retire-offer", "alice", "3", "2"])).messages[0]!.dataRetireOffer).toMatchObject({
      datasetId: 3,
      offerId: 2,
    });
    const to = new Uint8Array(20).fill(9);
    const transfer = (await run(["transfer", "alice", "3", encodeAddress(to)])).messages[0]!.dataTransfer!;
    expect(transfer.datasetId).toBe(3);
    expect(toHex(transfer.newOwner!)).toBe(toHex(to));
    expect((await run(["buy-license", "bob", "3", "1"])).messages[0]!.dataBuyLicense).toMatchObject({
      datasetId: 3,
      offerId: 1,
    });
    await expect(run(["transfer", "alice", "3", "kyo1notanaddress"])).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    await expect(run(["buy-license", "bob", "3", "0"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
