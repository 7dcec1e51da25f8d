// `kyochi model hash <file>`: the weights hash a model registration names, computed the way the
// chain expects it (sha256 of the file's bytes), streaming so a file of any size fits in memory.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { ModelFormatName } from "../../execution/modules/models/views.js";
import { NodeError } from "../errors.js";
import { printJson } from "./output.js";

export interface WeightsFileHash {
  /** sha256 of the file, 0x + 64 hex. */
  weights_hash: string;
  size_bytes: number;
  /** Guessed from the extension (.onnx, .safetensors, .gguf); null when it says nothing. */
  format: ModelFormatName | null;
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, ModelFormatName>> = {
  ".onnx": "onnx",
  ".safetensors": "safetensors",
  ".gguf": "gguf",
};

export function guessModelFormat(file: string): ModelFormatName | null {
  return FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()] ?? null;
}

/** Streams `file` through sha256. */
export async function hashWeightsFile(file: string): Promise<WeightsFileHash> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (err) {
    throw new NodeError("CONFIG_INVALID", `cannot read ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) throw new NodeError("CONFIG_INVALID", `${file} is not a regular file`);
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    throw new NodeError("CONFIG_INVALID", `cannot read ${file}: ${(err as Error).message}`);
  }
  return { weights_hash: `0x${hash.digest("hex")}`, size_bytes: size, format: guessModelFormat(file) };
}

/** Adds `model` (offline helpers for model owners) to the program. */
export function registerModelCommands(program: Command): void {
  const model = program.command("model").description("model helpers (offline)");
  model
    .command("hash <file>")
    .description("sha256 of a weights file, its size and its format guessed from the extension (JSON)")
    .action(async (file: string) => {
      printJson(await hashWeightsFile(file));
    });
}
