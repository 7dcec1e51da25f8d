// `kyochi tx compute register-worker|update-worker|unbond-worker|unjail-worker|submit-job|cancel-job`:
// GPU operators' and job owners' txs. Commits and reveals are the worker daemon's (`kyochi worker`),
// never typed by hand. Signing, nonce, fee and broadcast are the `tx` command's (`broadcast`).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { sha256 } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import {
  type CapabilitiesFields,
  computeCancelJobMsg,
  computeRegisterWorkerMsg,
  computeSubmitJobMsg,
  computeUnbondWorkerMsg,
  computeUnjailWorkerMsg,
  computeUpdateWorkerMsg,
} from "../../rpc/client/msgs-compute.js";
import {
  address,
  amount,
  collect,
  hash32,
  invalid,
  positiveAmount,
  positiveInt,
  uint,
} from "./flag-values.js";
import type { Broadcast } from "./tx-staking.js";

const MAX_U32 = 0xffff_ffff;

interface CapabilityFlags {
  gpuModel: string;
  gpuMemoryMib: string;
  runtime: string[];
  maxConcurrentJobs: string;
  price: string;
}

function capabilitiesOf(flags: CapabilityFlags): CapabilitiesFields {
  return {
    gpuModel: flags.gpuModel,
    gpuMemoryMib: uint(flags.gpuMemoryMib, "--gpu-memory-mib"),
    // The chain wants lower-case names; "ONNX" is the same runtime as "onnx".
    runtimes: flags.runtime.length > 0 ? flags.runtime.map((r) => r.toLowerCase()) : ["onnx"],
    maxConcurrentJobs: uint(flags.maxConcurrentJobs, "--max-concurrent-jobs", 64, 1),
  };
}

function withCapabilityFlags(cmd: Command): Command {
  return cmd
    .option("--gpu-model <name>", "GPU model, e.g. 'NVIDIA H100 80GB HBM3'", "cpu")
    .option("--gpu-memory-mib <mib>", "GPU memory in MiB", "0")
    .option("--runtime <name>", "a runtime the worker runs (repeat; default onnx)", collect, [])
    .option("--max-concurrent-jobs <n>", "most jobs assigned at once (1..64)", "1")
    .requiredOption("--price <amount>", "price of one replica of one job, base units");
}

interface SubmitFlags {
  model: string;
  input?: string;
  inputHash?: string;
  inputUri?: string;
  params: string;
  replication: string;
  maxPrice: string;
  escrow: string;
  deadlineBlocks: string;
  minGpuMemoryMib: string;
}

/** The input's hash and URI: from --input (a file, hashed here) or from --input-hash with --input-uri. */
function inputOf(flags: SubmitFlags): { inputHash: Uint8Array; inputUri: string } {
  if (flags.input !== undefined) {
    if (flags.inputHash !== undefined) throw invalid("give --input or --input-hash, not both");
    const path = resolve(flags.input);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw invalid(`cannot read --input ${path}: ${(err as Error).message}`);
    }
    return { inputHash: sha256(bytes), inputUri: flags.inputUri ?? pathToFileURL(path).href };
  }
  if (flags.inputHash === undefined || flags.inputUri === undefined) {
    throw invalid("give --input <file>, or --input-hash with --input-uri");
  }
  return { inputHash: hash32(flags.inputHash, "--input-hash"), inputUri: flags.inputUri };
}

/** Adds `compute` under the `tx` command; `keyOf` reads a keyring key (the worker key to register). */
export function registerComputeTxCommands(
  tx: Command,
  broadcast: Broadcast,
  keyOf: (name: string) => SigningKey,
): void {
  const compute = tx.command("compute").description("GPU workers and inference jobs");

  withCapabilityFlags(
    compute
      .command("register-worker <from>")
      .description("register a worker operated by <from>, bonding --stake from <from>'s balance")
      .requiredOption("--worker-key <name>", "keyring key the worker daemon signs with (may be <from>)")
      .requiredOption("--stake <amount>", "stake to bond, base units (at least compute.min_worker_stake)"),
  ).action(async (from: string, flags: CapabilityFlags & { workerKey: string; stake: string }) => {
    const worker = keyOf(flags.workerKey);
    await broadcast(from, [
      computeRegisterWorkerMsg({
        keyType: worker.type,
        publicKey: worker.publicKey,
        stake: positiveAmount(flags.stake, "--stake"),
        capabilities: capabilitiesOf(flags),
        price: amount(flags.price, "--price"),
      }),
    ]);
  });

  withCapabilityFlags(
    compute
      .command("update-worker <from> <worker>")
      .description("change the capabilities and price of <from>'s worker <worker> (kyo1...)")
      .option("--add-stake <amount>", "stake to add, base units", "0"),
  ).action(async (from: string, worker: string, flags: CapabilityFlags & { addStake: string }) => {
    await broadcast(from, [
      computeUpdateWorkerMsg(address(worker, "<worker>"), {
        capabilities: capabilitiesOf(flags),
        price: amount(flags.price, "--price"),
        addStake: amount(flags.addStake, "--add-stake"),
      }),
    ]);
  });

  compute
    .command("unbond-worker <from> <worker>")
    .description("retire <from>'s worker: no new jobs; its stake returns after the unbonding period")
    .action(async (from: string, worker: string) => {
      await broadcast(from, [computeUnbondWorkerMsg(address(worker, "<worker>"))]);
    });

  compute
    .command("unjail-worker <from> <worker>")
    .description("return <from>'s jailed worker to service once its jail time is over")
    .action(async (from: string, worker: string) => {
      await broadcast(from, [computeUnjailWorkerMsg(address(worker, "<worker>"))]);
    });

  compute
    .command("submit-job <from>")
    .description("submit an inference job paid from <from>'s balance (escrow; the rest is refunded)")
    .requiredOption("--model <id>", "model version id")
    .option("--input <file>", "input file (canonical tensors, see `kyochi compute encode`)")
    .option("--input-hash <hex>", "sha256 of the input (without --input)")
    .option("--input-uri <uri>", "where workers fetch the input (default with --input: its file:// URL)")
    .option("--params <json>", "runtime parameters, canonical JSON", "")
    .option("--replication <r>", "workers that run it; a majority must agree", "1")
    .requiredOption("--max-price <amount>", "most paid to one worker, base units")
    .requiredOption("--escrow <amount>", "at least replication x max-price + the model's fee")
    .option("--deadline-blocks <n>", "blocks during which it may be assigned", "100")
    .option("--min-gpu-memory-mib <mib>", "least GPU memory a worker must offer", "0")
    .action(async (from: string, flags: SubmitFlags) => {
      await broadcast(from, [
        computeSubmitJobMsg({
          modelId: positiveInt(flags.model, "--model"),
          ...inputOf(flags),
          params: flags.params,
          replication: uint(flags.replication, "--replication", 255, 1),
          maxPrice: amount(flags.maxPrice, "--max-price"),
          escrow: positiveAmount(flags.escrow, "--escrow"),
          deadlineBlocks: positiveInt(flags.deadlineBlocks, "--deadline-blocks"),
          minGpuMemoryMib: uint(flags.minGpuMemoryMib, "--min-gpu-memory-mib", MAX_U32),
        }),
      ]);
    });

  compute
    .command("cancel-job <from> <id>")
    .description("cancel <from>'s job before it is assigned; the escrow is refunded in full")
    .action(async (from: string, id: string) => {
      await broadcast(from, [computeCancelJobMsg(positiveInt(id, "job id"))]);
    });
}
