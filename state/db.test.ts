import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KyochiDb, WriteBatch } from "./db.js";
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

describe("write batches", () => {
  const k = (n: number) => Uint8Array.of(0x30, n);
  const v = (n: number) => Uint8Array.of(n, n);

  it("applies puts and deletes in the order they were added, appended batches after the batch's own", async () => {
    const db = await KyochiDb.open(join(dir(), "db"));
    try {
      const seed = new WriteBatch();
      seed.put(k(1), v(1));
      seed.put(k(2), v(2));
      await db.write(seed);

      const inner = new WriteBatch();
      inner.del(k(3)); // deletes what the outer batch put just before
      inner.put(k(4), v(40));
      const outer = new WriteBatch();
      outer.del(k(1));
      outer.put(k(3), v(3));
      outer.put(k(4), v(4)); // replaced by the appended put
      outer.append(inner);
      expect(outer.size).toBe(5);
      await db.write(outer);

      const read = async (n: number) => {
        const value = await db.get(k(n));
        return value === undefined ? undefined : [...value];
      };
      expect(await read(1)).toBeUndefined();
      expect(await read(2)).toEqual([2, 2]);
      expect(await read(3)).toBeUndefined();
      expect(await read(4)).toEqual([40, 40]);
    } finally {
      await db.close();
    }
  });
});
