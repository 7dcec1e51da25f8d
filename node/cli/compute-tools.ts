// `kyochi compute example-model|encode|decode`: offline tools for job owners. A job's input is the
// canonical tensor encoding (crypto/inference-output.ts) and its result is the same encoding of
// the model's outputs; these turn JSON into that encoding and back, and print the sha256 a job
// names as its input hash; example-model writes a small ONNX model to try the whole flow with.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { fromHex, sha256, toHex } from "../../crypto/hash.js";
import { decodeTensors, encodeTensors, TensorEncodingError } from "../../crypto/inference-output.js";
import { writeTinyMlp } from "../worker/runtime/tiny-mlp.js";
import { invalid, uint } from "./flag-values.js";
import { printJson } from "./output.js";
import { tensorsFromJson, tensorsToJson } from "./tensor-json.js";

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path === "-" ? 0 : path, "utf8")) as unknown;
  } catch (err) {
    throw invalid(`cannot read tensors JSON from ${path}: ${(err as Error).message}`);
  }
}

function encoded(value: unknown): Uint8Array {
  try {
    return encodeTensors(tensorsFromJson(value));
  } catch (err) {
    if (err instanceof TensorEncodingError) throw invalid(`${err.code}: ${err.message}`);
    throw err;
  }
}

export function registerComputeToolCommands(program: Command): void {
  const compute = program.command("compute").description("offline tools for inference inputs and outputs");
  compute
    .command("example-model")
    .description("write a small ONNX MLP (input [batch, 4] -> output [batch, 2]) to try jobs with")
    .requiredOption("--out <file>", "where to write the .onnx file")
    .option("--seed <n>", "weights seed: the same seed gives the same model", "1")
    .action(async (flags: { out: string; seed: string }) => {
      const spec = { seed: uint(flags.seed, "--seed", 0xffff_ffff), inputSize: 4, hidden: 16, outputSize: 2 };
      const { sizeBytes, sha256: hash } = await writeTinyMlp(flags.out, spec);
      printJson({
        out: flags.out,
        size_bytes: sizeBytes,
        weights_hash: `0x${toHex(hash)}`,
        input: "[batch, 4] float32",
      });
    });
  compute
    .command("encode <tensors.json>")
    .description('encode {"<name>": {"dtype", "dims", "data"}} ("-" = stdin) as a job input')
    .requiredOption("--out <file>", "where to write the canonical bytes")
    .action((path: string, flags: { out: string }) => {
      const bytes = encoded(readJson(path));
      writeFileSync(flags.out, bytes);
      printJson({ out: flags.out, size_bytes: bytes.length, input_hash: `0x${toHex(sha256(bytes))}` });
    });
  compute
    .command("decode <file-or-hex>")
    .description("print canonical tensor bytes (a file, or 0x-hex such as a job's resultOutput) as JSON")
    .action((source: string) => {
      const bytes = source.startsWith("0x") ? fromHex(source) : new Uint8Array(readFileSync(source));
      try {
        printJson({ sha256: `0x${toHex(sha256(bytes))}`, tensors: tensorsToJson(decodeTensors(bytes)) });
      } catch (err) {
        if (err instanceof TensorEncodingError) throw invalid(`${err.code}: ${err.message}`);
        throw err;
      }
    });
}
