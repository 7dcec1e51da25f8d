// `kyochi data hash <path>`: the content root of a file or directory, as `tx data register` wants
// it. The JSON result goes to stdout; a progress bar goes to stderr, and only when stderr is a
// terminal and the input is large, so scripts piping stdout (or stderr) never see it.
import type { Command } from "commander";
import {
  type ContentProgress,
  type ContentRootResult,
  contentRootOfPath,
} from "../../crypto/content-root.js";
import { toHex } from "../../crypto/hash.js";
import { NodeError } from "../errors.js";
import { printJson } from "./output.js";

/** Inputs above this size get a progress bar (when stderr is a terminal). */
export const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
const BAR_WIDTH = 30;

export interface ContentRootJson {
  content_root: string;
  size_bytes: number;
  chunk_size: number;
  chunks: number;
  files: number;
}

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): boolean;
}

/** A progress callback drawing a bar on `sink`, redrawn at each whole percent; silent otherwise. */
export function progressBar(sink: ProgressSink): ContentProgress {
  let shown = -1;
  return (done, total) => {
    if (sink.isTTY !== true || total <= PROGRESS_MIN_BYTES) return;
    const percent = Math.floor((done * 100) / total);
    if (percent === shown) return;
    shown = percent;
    const filled = Math.round((percent * BAR_WIDTH) / 100);
    const mib = (n: number) => (n / (1024 * 1024)).toFixed(0);
    sink.write(
      `\rhashing [${"#".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${percent}% ${mib(done)}/${mib(total)} MiB`,
    );
    if (done >= total) sink.write("\n");
  };
}

/** Hashes `target`; a missing or unreadable path is a CONFIG_INVALID NodeError naming it. */
export async function hashPath(target: string, onProgress?: ContentProgress): Promise<ContentRootResult> {
  try {
    return await contentRootOfPath(target, onProgress);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === "string" && e.code.startsWith("E")) {
      throw new NodeError("CONFIG_INVALID", `cannot hash ${target}: ${e.message}`, { cause: err });
    }
    throw err;
  }
}

export function contentRootJson(r: ContentRootResult): ContentRootJson {
  return {
    content_root: `0x${toHex(r.root)}`,
    size_bytes: r.sizeBytes,
    chunk_size: r.chunkSize,
    chunks: r.chunks,
    files: r.files,
  };
}

export function registerDataCommands(program: Command): void {
  const data = program.command("data").description("dataset files on disk");
  data
    .command("hash <path>")
    .description(
      "content root of a file or directory: Merkle root over 1 MiB chunks (a directory: its files by sorted path)",
    )
    .action(async (target: string) => {
      printJson(contentRootJson(await hashPath(target, progressBar(process.stderr))));
    });
}
