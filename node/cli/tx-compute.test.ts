// `kyochi tx compute ...`: each command builds the message the chain expects from its flags (the
// worker key from the keyring, the input hashed from its file), and refuses bad values before
// anything is signed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { encodeAddress } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { KeyType, type Msg } from "../../proto/index.js";
import { NodeError } from "../errors.js";
import { registerComputeTxCommands } from "./tx-compute.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(name: string, bytes: Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-cli-compute-"));
  dirs.push(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** The test keyring: "gpu0" (ed25519) and "gpu1" (secp256k1); any other name is missing. */
const KEYS: Record<string, SigningKey> = {
  gpu0: generateSigningKey(KeyType.KEY_TYPE_ED25519),
  gpu1: generateSigningKey(KeyType.KEY_TYPE_SECP256K1),
};

function keyOf(name: string): SigningKey {
  const key = KEYS[name];
  if (!key) throw new NodeError("KEY_NOT_FOUND", `no key named "${name}"`);
  return key;
}

/** Runs `kyochi tx compute <args>` and returns what would be signed and broadcast. */
async function run(args: string[]): Promise<{ from: string; messages: Msg[] }> {
  const sent: { from: string; messages: Msg[] }[] = [];
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  const tx = program.command("tx").option("--fee <amount>", "tx fee");
  registerComputeTxCommands(
    tx,
    async (from, messages) => {
      sent.push({ from, messages });
    },
    keyOf,
  );
  await program.parseAsync(["tx", "compute", ...args], { from: "user" });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

/** Runs a command that must be refused; returns the error (nothing was broadcast). */
async function refused(args: string[]): Promise<unknown> {
  let broadcast = false;
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  const tx = program.command("tx");
  registerComputeTxCommands(
    tx,
    async () => {
      broadcast = true;
    },
    keyOf,
  );
  const error = await program.parseAsync(["tx", "compute", ...args], { from: "user" }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, args.join(" ")).toBeDefined();
  expect(broadcast).toBe(false);
  return error;
}

const WORKER = encodeAddress(new Uint8Array(20).fill(7));
const HASH = "ab".repeat(32);

describe("kyochi tx compute register-worker / update-worker", () => {
  it("register-worker takes the worker's public key from the keyring and its capabilities from flags", async () => {
    const { from, messages } = await run([
      "register-worker",
      "operator",
      "--worker-key",
      "gpu1",
      "--stake",
      "2000000",
      "--price",
      "250",
      "--gpu-model",
      "NVIDIA H100 80GB HBM3",
      "--gpu-memory-mib",
      "81559",
      "--runtime",
      "onnx",
      "--runtime",
      "cuda",
      "--runtime",
      "onnx",
      "--max-concurrent-jobs",
      "4",
    ]);
    expect(from).toBe("operator");
    const m = messages[0]!.computeRegisterWorker!;
    expect(m.keyType).toBe(KeyType.KEY_TYPE_SECP256K1);
    expect(toHex(m.publicKey!)).toBe(toHex(KEYS.gpu1!.publicKey));
    expect(m).toMatchObject({
      stake: "2000000",
      price: "250",
      capabilities: {
        gpuModel: "NVIDIA H100 80GB HBM3",
        gpuMemoryMib: 81559,
        // sorted and de-duplicated, as the chain requires
        runtimes: ["cuda", "onnx"],
        maxConcurrentJobs: 4,
      },
    });
  });

  it("register-worker defaults: runtime onnx, one job at a time, a CPU worker; price 0 is allowed", async () => {
    const m = (await run(["register-worker", "op", "--worker-key", "gpu0", "--stake", "1", "--price", "0"]))
      .messages[0]!.computeRegisterWorker!;
    expect(m.keyType).toBe(KeyType.KEY_TYPE_ED25519);
    expect(m).toMatchObject({
      price: "0",
      capabilities: { gpuModel: "cpu", gpuMemoryMib: 0, runtimes: ["onnx"], maxConcurrentJobs: 1 },
    });
  });

  it("register-worker refuses bad flags and unknown keys before signing", async () => {
    const base = ["register-worker", "op", "--worker-key", "gpu0"];
    const cases: [string[], string][] = [
      [[...base, "--stake", "0", "--price", "1"], "--stake"],
      [[...base, "--stake", "-5", "--price", "1"], "--stake"],
      [[...base, "--stake", "1.5", "--price", "1"], "--stake"],
      [[...base, "--stake", (1n << 128n).toString(), "--price", "1"], "--stake"],
      [[...base, "--stake", "1", "--price", "-1"], "--price"],
      [[...base, "--stake", "1", "--price", (1n << 128n).toString()], "--price"],
      [[...base, "--stake", "1", "--price", "1", "--max-concurrent-jobs", "0"], "--max-concurrent-jobs"],
      [[...base, "--stake", "1", "--price", "1", "--max-concurrent-jobs", "65"], "--max-concurrent-jobs"],
      [[...base, "--stake", "1", "--price", "1", "--gpu-memory-mib", "80GB"], "--gpu-memory-mib"],
    ];
    for (const [args, flag] of cases) {
      const err = await refused(args);
      expect(err, args.join(" ")).toMatchObject({ code: "CONFIG_INVALID" });
      expect((err as Error).message).toContain(flag);
    }
    expect(
      await refused(["register-worker", "op", "--worker-key", "nobody", "--stake", "1", "--price", "1"]),
    ).toMatchObject({ code: "KEY_NOT_FOUND" });
    // Required flags: commander refuses before the action runs.
    for (const args of [
      [...base, "--price", "1"],
      [...base, "--stake", "1"],
      ["register-worker", "op", "--stake", "1", "--price", "1"],
    ]) {
      expect(await refused(args)).toMatchObject({ code: "commander.missingMandatoryOptionValue" });
    }
  });

  it("update-worker names the worker by address and adds stake only when asked", async () => {
    const plain = (await run(["update-worker", "op", WORKER, "--price", "300"])).messages[0]!
      .computeUpdateWorker!;
    expect(encodeAddress(plain.worker!)).toBe(WORKER);
    expect(plain).toMatchObject({ price: "300", addStake: "0", capabilities: { runtimes: ["onnx"] } });
    const more = (
      await run([
        "update-worker",
        "op",
        WORKER,
        "--price",
        "1",
        "--add-stake",
        "500",
        "--runtime",
        "tensorrt",
      ])
    ).messages[0]!.computeUpdateWorker!;
    expect(more).toMatchObject({ addStake: "500", capabilities: { runtimes: ["tensorrt"] } });
    for (const args of [
      ["update-worker", "op", "kyo1bad", "--price", "1"],
      ["update-worker", "op", WORKER, "--price", "1", "--add-stake", "-1"],
      ["update-worker", "op", WORKER, "--price", "x"],
    ]) {
      expect(await refused(args)).toMatchObject({ code: "CONFIG_INVALID" });
    }
  });

  it("unbond-worker and unjail-worker carry the worker address; bad addresses are refused", async () => {
    const unbond = (await run(["unbond-worker", "op", WORKER])).messages[0]!.computeUnbondWorker!;
    expect(encodeAddress(unbond.worker!)).toBe(WORKER);
    const unjail = (await run(["unjail-worker", "op", WORKER])).messages[0]!.computeUnjailWorker!;
    expect(encodeAddress(unjail.worker!)).toBe(WORKER);
    expect(await refused(["unbond-worker", "op", "0x0707"])).toMatchObject({ code: "CONFIG_INVALID" });
    expect(await refused(["unjail-worker", "op", `${WORKER}x`])).toMatchObject({ code: "CONFIG_INVALID" });
  });
});

describe("kyochi tx compute submit-job / cancel-job", () => {
  const prices = ["--max-price", "100", "--escrow", "1303"];

  it("submit-job --input hashes the file and points workers at its file:// URL", async () => {
    const input = Uint8Array.from([0x4b, 0x59, 0x54, 0x4e, 1, 2, 3]);
    const file = tempFile("input.bin", input);
    const { from, messages } = await run([
      "submit-job",
      "alice",
      "--model",
      "3",
      "--input",
      file,
      "--replication",
      "3",
      ...prices,
      "--params",
      '{"temperature":0}',
      "--deadline-blocks",
      "50",
      "--min-gpu-memory-mib",
      "16384",
    ]);
    expect(from).toBe("alice");
    const m = messages[0]!.computeSubmitJob!;
    expect(toHex(m.inputHash!)).toBe(toHex(sha256(input)));
    expect(m).toMatchObject({
      modelId: 3,
      inputUri: pathToFileURL(file).href,
      params: '{"temperature":0}',
      replication: 3,
      maxPrice: "100",
      escrow: "1303",
      deadlineBlocks: 50,
      minGpuMemoryMib: 16384,
    });
    // --input-uri overrides the file URL (the file is still what is hashed).
    const hosted = (
      await run([
        "submit-job",
        "a",
        "--model",
        "3",
        "--input",
        file,
        "--input-uri",
        "https://x/in.bin",
        ...prices,
      ])
    ).messages[0]!.computeSubmitJob!;
    expect(hosted.inputUri).toBe("https://x/in.bin");
    expect(toHex(hosted.inputHash!)).toBe(toHex(sha256(input)));
  });

  it("submit-job --input-hash with --input-uri; defaults: r = 1, 100 blocks, no params, any GPU", async () => {
    const m = (
      await run([
        "submit-job",
        "a",
        "--model",
        "1",
        "--input-hash",
        `0x${HASH}`,
        "--input-uri",
        "data:,hi",
        ...prices,
      ])
    ).messages[0]!.computeSubmitJob!;
    expect(toHex(m.inputHash!)).toBe(HASH);
    expect(m).toMatchObject({
      inputUri: "data:,hi",
      params: "",
      replication: 1,
      deadlineBlocks: 100,
      minGpuMemoryMib: 0,
    });
  });

  it("submit-job refuses bad or conflicting input flags and bad numbers before signing", async () => {
    const file = tempFile("in.bin", Uint8Array.of(1));
    const withHash = ["--input-hash", HASH, "--input-uri", "data:,x"];
    const base = ["submit-job", "a", "--model", "1"];
    const cases: [string[], string][] = [
      [[...base, ...prices], "--input"],
      [[...base, "--input-hash", HASH, ...prices], "--input-uri"],
      [[...base, "--input", file, "--input-hash", HASH, ...prices], "not both"],
      [[...base, "--input-hash", HASH.slice(2), "--input-uri", "data:,x", ...prices], "--input-hash"],
      [[...base, "--input-hash", `${HASH}00`, "--input-uri", "data:,x", ...prices], "--input-hash"],
      [["submit-job", "a", "--model", "0", ...withHash, ...prices], "--model"],
      [["submit-job", "a", "--model", "x", ...withHash, ...prices], "--model"],
      [[...base, ...withHash, ...prices, "--replication", "0"], "--replication"],
      [[...base, ...withHash, ...prices, "--replication", "256"], "--replication"],
      [[...base, ...withHash, "--max-price", "-1", "--escrow", "1"], "--max-price"],
      [[...base, ...withHash, "--max-price", "1", "--escrow", "0"], "--escrow"],
      [[...base, ...withHash, ...prices, "--deadline-blocks", "0"], "--deadline-blocks"],
      [[...base, ...withHash, ...prices, "--min-gpu-memory-mib", String(2 ** 32)], "--min-gpu-memory-mib"],
    ];
    for (const [args, flag] of cases) {
      const err = await refused(args);
      expect(err, args.join(" ")).toMatchObject({ code: "CONFIG_INVALID" });
      expect((err as Error).message, args.join(" ")).toContain(flag);
    }
    // A missing input file is refused too, naming the flag, before anything is signed.
    const missing = await refused([
      ...base,
      "--input",
      path.join(path.dirname(file), "missing.bin"),
      ...prices,
    ]);
    expect(missing).toMatchObject({ code: "CONFIG_INVALID" });
    expect((missing as Error).message).toMatch(/cannot read --input .*missing\.bin/);
    for (const args of [
      [...base, ...withHash, "--escrow", "1"],
      [...base, ...withHash, "--max-price", "1"],
      ["submit-job", "a", ...withHash, ...prices],
    ]) {
      expect(await refused(args)).toMatchObject({ code: "commander.missingMandatoryOptionValue" });
    }
  });

  it("cancel-job carries the job id; ids must be positive integers", async () => {
    expect((await run(["cancel-job", "alice", "42"])).messages[0]!.computeCancelJob).toMatchObject({
      jobId: 42,
    });
    for (const id of ["0", "-1", "1.5", "abc", "99999999999999999999"]) {
      expect(await refused(["cancel-job", "alice", id]), id).toMatchObject({ code: "CONFIG_INVALID" });
    }
  });
});
