// `kyochi worker`: the GPU provider's daemon. It signs with a keyring key (the worker key),
// registers the worker when asked to (with the operator's key, which may be the same), attests
// (dev evidence on a devnet, or nvidia-cc evidence from a configured command on real hardware),
// then follows its assignments: fetch the model and input by URI and check their hashes, run the
// model with onnxruntime, commit, reveal. SIGINT/SIGTERM stop it after the step in progress.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import type { RegisterWorkerFields } from "../../rpc/client/msgs-compute.js";
import { defaultHome } from "../home.js";
import { createLogger } from "../logger.js";
import { Attester } from "../worker/attester.js";
import { WorkerDaemon } from "../worker/daemon.js";
import {
  CommandEvidenceSource,
  DevEvidenceSource,
  type EvidenceSource,
  loadOrCreateDeviceKey,
  readDevCa,
} from "../worker/evidence-source.js";
import { OnnxJobExecutor } from "../worker/job-executor.js";
import { WorkerJournal } from "../worker/journal.js";
import { TxSender } from "../worker/tx-sender.js";
import { amount, collect, invalid, positiveAmount, uint } from "./flag-values.js";
import { keyringFrom } from "./keys.js";
import { watchParent } from "./parent-watchdog.js";

interface WorkerFlags {
  home: string;
  keyringDir?: string;
  node: string;
  key: string;
  operatorKey?: string;
  register?: boolean;
  stake: string;
  price: string;
  gpuModel: string;
  gpuMemoryMib: string;
  runtime: string[];
  maxConcurrentJobs: string;
  evidence: string;
  devCa?: string;
  evidenceCommand?: string;
  evidenceArg: string[];
  gpuIndex: string;
  reattestMarginBlocks: string;
  provider: string;
  dataDir?: string;
  pollMs: string;
  logLevel: string;
  logFormat: string;
}

function evidenceSource(flags: WorkerFlags, dataDir: string): EvidenceSource {
  if (flags.evidence === "dev") {
    if (flags.devCa === undefined)
      throw invalid("--evidence dev needs --dev-ca <file> (a devnet writes dev-ca.json)");
    return new DevEvidenceSource(
      readDevCa(resolve(flags.devCa)),
      loadOrCreateDeviceKey(join(dataDir, "dev-device-key.pem")),
    );
  }
  if (flags.evidence === "command") {
    if (flags.evidenceCommand === undefined)
      throw invalid("--evidence command needs --evidence-command <program>");
    return new CommandEvidenceSource(flags.evidenceCommand, flags.evidenceArg);
  }
  throw invalid(`--evidence must be dev or command, got "${flags.evidence}"`);
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("run a GPU worker: register, attest, compute assigned jobs, commit and reveal")
    .option("--home <dir>", "home directory holding the keyring", defaultHome())
    .option("--keyring-dir <dir>", "keyring directory (default <home>/keyring)")
    .option("--node <url>", "JSON-RPC endpoint of a node", "http://127.0.0.1:26657")
    .requiredOption("--key <name>", "keyring key the worker signs with (its address is the worker's)")
    .option("--operator-key <name>", "keyring key of the operator that registers it (default --key)")
    .option("--register", "register the worker if it is not registered yet")
    .option("--stake <amount>", "stake to bond when registering, base units", "1000000")
    .option("--price <amount>", "price of one replica of one job when registering, base units", "1000")
    .option("--gpu-model <name>", "GPU model announced when registering", "cpu")
    .option("--gpu-memory-mib <mib>", "GPU memory announced when registering", "0")
    .option("--runtime <name>", "runtime announced when registering (repeat; default onnx)", collect, [])
    .option("--max-concurrent-jobs <n>", "most jobs at once, announced when registering", "1")
    .option("--evidence <source>", "dev (development CA) or command (real GPU evidence)", "dev")
    .option("--dev-ca <file>", "with --evidence dev: the devnet's dev-ca.json")
    .option("--evidence-command <program>", "with --evidence command: prints NVIDIA evidence JSON")
    .option(
      "--evidence-arg <arg>",
      "an argument of the evidence command; {nonce} is replaced (repeat)",
      collect,
      [],
    )
    .option("--gpu-index <n>", "which GPU of the evidence this worker is", "0")
    .option("--reattest-margin-blocks <n>", "re-attest when the attestation has this few blocks left", "20")
    .option("--provider <name>", "onnxruntime execution provider: cpu or cuda", "cpu")
    .option("--data-dir <dir>", "journal, model cache and dev device key (default <home>/worker/<key>)")
    .option("--poll-ms <ms>", "how often to read the chain", "500")
    .option("--log-level <level>", "log level", "info")
    .option("--log-format <format>", "json or pretty", "pretty")
    .action(async (flags: WorkerFlags) => {
      const home = resolve(flags.home);
      const dataDir = resolve(flags.dataDir ?? join(home, "worker", flags.key));
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      if (flags.provider !== "cpu" && flags.provider !== "cuda")
        throw invalid(`--provider must be cpu or cuda, got "${flags.provider}"`);
      if (flags.logFormat !== "json" && flags.logFormat !== "pretty")
        throw invalid(`--log-format must be json or pretty, got "${flags.logFormat}"`);
      const keyring = keyringFrom({ home, ...(flags.keyringDir ? { keyringDir: flags.keyringDir } : {}) });
      const workerKey = keyring.get(flags.key);
      const operatorKey = keyring.get(flags.operatorKey ?? flags.key);
      const client = new KyochiRpcClient(flags.node);
      const worker = new TxSender(client, workerKey);
      const registration: RegisterWorkerFields = {
        keyType: workerKey.type,
        publicKey: workerKey.publicKey,
        stake: positiveAmount(flags.stake, "--stake"),
        price: amount(flags.price, "--price"),
        capabilities: {
          gpuModel: flags.gpuModel,
          gpuMemoryMib: uint(flags.gpuMemoryMib, "--gpu-memory-mib"),
          runtimes: flags.runtime.length > 0 ? flags.runtime : ["onnx"],
          maxConcurrentJobs: uint(flags.maxConcurrentJobs, "--max-concurrent-jobs", 64, 1),
        },
      };
      const log = createLogger({ level: flags.logLevel, format: flags.logFormat, name: "worker" });
      const daemon = new WorkerDaemon({
        client,
        worker,
        ...(flags.register ? { operator: new TxSender(client, operatorKey), registration } : {}),
        attester: new Attester(client, worker, evidenceSource(flags, dataDir), {
          gpuIndex: uint(flags.gpuIndex, "--gpu-index", 0xffff_ffff),
          marginBlocks: uint(flags.reattestMarginBlocks, "--reattest-margin-blocks"),
        }),
        executor: new OnnxJobExecutor(client, { cacheDir: join(dataDir, "cache"), provider: flags.provider }),
        journal: new WorkerJournal(join(dataDir, "journal")),
        log,
        pollMs: uint(flags.pollMs, "--poll-ms", 60_000, 50),
        // Test hook: die like a power cut right after a commit, before its reveal; a restarted
        // daemon must reveal it from its journal. Never set in production.
        ...(process.env.KYOCHI_WORKER_FAULT === "crash-after-commit"
          ? { afterCommit: () => process.kill(process.pid, "SIGKILL") }
          : {}),
      });
      const stop = () => daemon.stop();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      // Started by a devnet: stop with it, even when it was killed without stopping us.
      const unwatch = watchParent(stop);
      await daemon.run();
      unwatch();
    });
}
