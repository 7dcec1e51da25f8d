import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { encodeAddress } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { ModelFormat, type Msg } from "../../proto/index.js";
import { hashWeightsFile } from "./model.js";
import { registerModelTxCommands } from "./tx-model.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(name: string, bytes: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-cli-model-"));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Runs `kyochi tx model <args>` and returns what would be signed and broadcast. */
async function run(args: string[]): Promise<{ from: string; messages: Msg[] }> {
  const sent: { from: string; messages: Msg[] }[] = [];
  const program = new Command()
    .exitOverride()
    .version("0.1.0")
    .configureOutput({ writeErr: () => {} });
  const tx = program.command("tx").option("--fee <amount>", "tx fee");
  registerModelTxCommands(tx, async (from, messages) => {
    sent.push({ from, messages });
  });
  await program.parseAsync(["tx", "model", ...args], { from: "user" });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

const CARD = "ab".repeat(32);

describe("kyochi model hash", () => {
  it("streams a file through sha256 (several chunks) and guesses the format from the extension", async () => {
    const bytes = new Uint8Array(3 * (1 << 20) + 17).map((_, i) => (i * 31) & 0xff);
    const file = tempFile("weights.GGUF", bytes);
    expect(await hashWeightsFile(file)).toEqual({
      weights_hash: `0x${createHash("sha256").update(bytes).digest("hex")}`,
      size_bytes: bytes.length,
      format: "gguf",
    });
    expect((await hashWeightsFile(tempFile("w.bin", Uint8Array.of(1)))).format).toBeNull();
    await expect(hashWeightsFile("/nonexistent/w.onnx")).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});

describe("kyochi tx model", () => {
  it("register --file takes hash, size and format from the file; the other flags fill the message", async () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5]);
    const file = tempFile("m.safetensors", bytes);
    const { from, messages } = await run([
      "register",
      "alice",
      "--name",
      "llama",
      "--model-version",
      "2.1",
      "--file",
      file,
      "--uri",
      "ipfs://w",
      "--card-hash",
      CARD,
      "--inference-fee",
      "1000003",
      "--parent",
      "4",
      "--license",
      "7",
      "--license",
      "9",
      "--allow-derivatives",
      "--derivative-royalty-bps",
      "2000",
      "--fee",
      "5000",
    ]);
    expect(from).toBe("alice");
    const m = messages[0]!.modelsRegister!;
    expect(toHex(m.weightsHash!)).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(m).toMatchObject({
      name: "llama",
      version: "2.1",
      sizeBytes: 5,
      format: ModelFormat.MODEL_FORMAT_SAFETENSORS,
      locationUri: "ipfs://w",
      inferenceFee: "1000003",
      parentId: 4,
      licenseIds: [7, 9],
      allowDerivatives: true,
      derivativeRoyaltyBps: 2000,
    });
    expect(toHex(m.cardHash!)).toBe(CARD);
  });

  it("register refuses what the chain would refuse, before signing", async () => {
    const base = ["register", "a", "--name", "n", "--model-version", "1", "--uri", "u", "--card-hash", CARD];
    const hash = ["--weights-hash", "cd".repeat(32)];
    const ok = await run([...base, ...hash, "--size", "10", "--format", "onnx"]);
    expect(ok.messages[0]!.modelsRegister).toMatchObject({
      inferenceFee: "0",
      format: ModelFormat.MODEL_FORMAT_ONNX,
    });
    for (const extra of [
      [...hash, "--size", "10"], // no format
      [...hash, "--size", "10", "--format", "pickle"],
      [...hash, "--format", "onnx"], // no size
      ["--size", "10", "--format", "onnx"], // no hash
      [...hash, "--size", "10", "--format", "onnx", "--derivative-royalty-bps", "10001"],
      [...hash, "--size", "10", "--format", "onnx", "--license", "3", "--license", "3"],
      [...hash, "--size", "10", "--format", "onnx", "--parent", "0"],
      [...hash, "--size", "10", "--format", "onnx", "--inference-fee", "-1"],
    ]) {
      await expect(run([...base, ...extra])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    }
    await expect(
      run([...base.slice(0, 3), "a@b", ...base.slice(4), ...hash, "--size", "1", "--format", "gguf"]),
    ).rejects.toThrow(/INVALID_MODEL/);
  });

  it("deprecate, transfer, set-fee and pay build their messages; pay needs --max-fee", async () => {
    expect((await run(["deprecate", "a", "3"])).messages[0]!.modelsDeprecate).toMatchObject({ modelId: 3 });
    const to = new Uint8Array(20).fill(5);
    const transfer = (await run(["transfer", "a", "3", encodeAddress(to)])).messages[0]!.modelsTransfer!;
    expect(transfer.modelId).toBe(3);
    expect(toHex(transfer.newOwner!)).toBe(toHex(to));
    expect((await run(["set-fee", "a", "3", "0"])).messages[0]!.modelsSetFee).toMatchObject({
      modelId: 3,
      inferenceFee: "0",
    });
    expect((await run(["pay", "b", "3", "--max-fee", "1000003"])).messages[0]!.modelsPay).toMatchObject({
      modelId: 3,
      maxFee: "1000003",
    });
    await expect(run(["pay", "b", "3"])).rejects.toThrow(/max-fee/);
    await expect(run(["transfer", "a", "3", "kyo1bad"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(run(["set-fee", "a", "x", "1"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
