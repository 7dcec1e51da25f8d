import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KyochiDb } from "./db.js";
import { StateError } from "./errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "kyochi-db-"));
  dirs.push(d);
  return d;
}

describe("opening the database", () => {
  it("refuses a database another handle holds, saying so, and opens it once released", async () => {
    const path = join(dir(), "db");
    const first = await KyochiDb.open(path);
    const second = KyochiDb.open(path);
    await expect(second).rejects.toBeInstanceOf(StateError);
    await expect(second).rejects.toMatchObject({ code: "DB_LOCKED" });
    await first.close();
    const again = await KyochiDb.open(path);
    await again.close();
  });

  it("reports any other failure as DB_OPEN_FAILED with the reason", async () => {
    const file = join(dir(), "not-a-dir");
    writeFileSync(file, "x");
    await expect(KyochiDb.open(join(file, "db"))).rejects.toMatchObject({ code: "DB_OPEN_FAILED" });
  });
});
