import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../crypto/hash.js";
import { TxRecord } from "../proto/index.js";
import { KyochiDb, WriteBatch } from "./db.js";
import { TxIndex } from "./tx-index.js";

let dir: string;
let db: KyochiDb;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-txindex-"));
  db = await KyochiDb.open(dir);
});
afterEach(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("TxIndex", () => {
  it("finds committed txs by hash, before and after the batch is written and after a reopen", async () => {
    const index = new TxIndex(db);
    const tx = Uint8Array.of(10, 20, 30);
    const hash = sha256(tx);
    const batch = new WriteBatch();
    index.put(
      batch,
      TxRecord.create({
        hash,
        height: 12,
        index: 3,
        tx,
        result: { code: 5, log: "insufficient funds", gasUsed: 40 },
      }),
    );
    expect((await index.get(hash))?.height).toBe(12);
    expect(await new TxIndex(db).get(hash)).toBeUndefined(); // only in the unwritten batch
    await db.write(batch);

    await db.close();
    db = await KyochiDb.open(dir);
    const got = await new TxIndex(db).get(hash);
    expect(got?.height).toBe(12);
    expect(got?.index).toBe(3);
    expect(Buffer.from(got!.tx)).toEqual(Buffer.from(tx));
    expect(got?.result?.code).toBe(5);
    expect(got?.result?.log).toBe("insufficient funds");
    expect(await new TxIndex(db).get(sha256(Uint8Array.of(1)))).toBeUndefined();
  });
});
