import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { contentRootOf } from "../../crypto/content-root.js";
import { toHex } from "../../crypto/hash.js";
import { PROGRESS_MIN_BYTES, progressBar, registerDataCommands } from "./data.js";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("kyochi data hash", () => {
  it("prints the content root JSON on stdout and nothing on stderr for a small input", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-cli-hash-"));
    dirs.push(dir);
    const file = path.join(dir, "data.csv");
    fs.writeFileSync(file, "a,b\n1,2\n");
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => out.push(String(s)) > 0);
    vi.spyOn(process.stderr, "write").mockImplementation((s) => err.push(String(s)) > 0);
    const program = new Command().exitOverride();
    registerDataCommands(program);
    await program.parseAsync(["data", "hash", file], { from: "user" });
    vi.restoreAllMocks();
    expect(JSON.parse(out.join(""))).toEqual({
      content_root: `0x${toHex(contentRootOf(new TextEncoder().encode("a,b\n1,2\n")).root)}`,
      size_bytes: 8,
      chunk_size: 1024 * 1024,
      chunks: 1,
      files: 1,
    });
    expect(err).toEqual([]);
  });

  it("draws a bar only on a terminal and only for inputs above 64 MiB", () => {
    const written: string[] = [];
    const sink = (isTTY: boolean) => ({ isTTY, write: (s: string) => written.push(s) > 0 });
    const big = PROGRESS_MIN_BYTES + 1;
    progressBar(sink(false))(big / 2, big);
    progressBar(sink(true))(10, PROGRESS_MIN_BYTES);
    expect(written).toEqual([]);

    const bar = progressBar(sink(true));
    bar(0, big);
    bar(1, big); // same percent: not redrawn
    bar(Math.ceil(big / 2), big);
    bar(big, big);
    expect(written).toHaveLength(4); // 0%, 50%, 100% and the final newline
    expect(written[1]).toContain("50%");
    expect(written[2]).toContain("100%");
    expect(written[3]).toBe("\n");
  });
});
