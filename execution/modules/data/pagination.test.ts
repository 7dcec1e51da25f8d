import { afterEach, describe, expect, it } from "vitest";
import type { Msg } from "../../../proto/index.js";
import type { TestAccount } from "../../test-helpers.js";
import {
  buyMsg,
  codeName,
  type DataFixture,
  offerMsg,
  registerMsg,
  startDataFixture,
  transferMsg,
} from "./data-fixture.js";

const open: DataFixture[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) await f.chain.close();
});

/** Reads one page of a list query; `head` is "datasets" or "licenses". */
async function page(
  f: DataFixture,
  head: "datasets" | "licenses",
  filter: string,
  cursor: number,
  limit: number,
): Promise<{ ids: number[]; next: number | null }> {
  const sep = filter === "" ? "" : "&";
  const answer = await f.query<Record<string, unknown>>(
    `${head}/${filter}${sep}cursor=${cursor}&limit=${limit}`,
  );
  const items = answer[head] as { id: number }[];
  return { ids: items.map((i) => i.id), next: answer.next_cursor as number | null };
}

/** Every id of a list, read `limit` at a time from `cursor`. */
async function readAll(
  f: DataFixture,
  head: "datasets" | "licenses",
  filter: string,
  limit: number,
  cursor = 0,
): Promise<number[]> {
  const ids: number[] = [];
  let next: number | null = cursor;
  let pages = 0;
  while (next !== null) {
    const p = await page(f, head, filter, next, limit);
    ids.push(...p.ids);
    next = p.next;
    if (++pages > 100) throw new Error("pagination does not end");
  }
  return ids;
}

async function registerAll(f: DataFixture, owners: TestAccount[]): Promise<void> {
  const results = await f.sendMany(owners.map((o, i) => [o, registerMsg(`set-${i}`)]));
  expect(results.map(codeName).every((c) => c === "OK")).toBe(true);
}

describe("data list queries: pages and stable cursors", () => {
  it("datasets: small pages cover every dataset once, in id order, with and without an owner filter", async () => {
    const f = await startDataFixture([1n, 1n]);
    open.push(f);
    const [alice, bob] = f.accounts as [TestAccount, TestAccount];
    // ids 1..10: alice owns 1,2,4,5,7,8,10; bob 3,6,9
    await registerAll(
      f,
      Array.from({ length: 10 }, (_, i) => ((i + 1) % 3 === 0 ? bob : alice)),
    );
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    for (const limit of [1, 3, 4, 10, 100])
      expect(await readAll(f, "datasets", "", limit)).toEqual(range(1, 10));
    expect(await readAll(f, "datasets", `owner=${alice.bech32}`, 3)).toEqual([1, 2, 4, 5, 7, 8, 10]);
    expect(await readAll(f, "datasets", `owner=${bob.bech32}`, 2)).toEqual([3, 6, 9]);
    const last = await page(f, "datasets", "", 7, 3);
    expect(last).toEqual({ ids: [8, 9, 10], next: null });
  });

  it("a cursor stays valid after appends and after a transfer removes an item", async () => {
    const f = await startDataFixture([1n, 1n]);
    open.push(f);
    const [alice, bob] = f.accounts as [TestAccount, TestAccount];
    await registerAll(
      f,
      Array.from({ length: 6 }, () => alice),
    ); // 1..6, all alice's
    const filter = `owner=${alice.bech32}`;
    const first = await page(f, "datasets", filter, 0, 2);
    expect(first.ids).toEqual([1, 2]);
    expect(first.next).not.toBeNull();

    // meanwhile: alice hands 4 (not read yet) and 1 (already read) to bob, and registers 7 and 8
    expect(codeName(await f.send(alice, transferMsg(4, bob.address), transferMsg(1, bob.address)))).toBe(
      "OK",
    );
    await registerAll(f, [alice, bob, alice]); // 7 alice, 8 bob, 9 alice

    const rest = await readAll(f, "datasets", filter, 2, first.next!);
    expect(rest).toEqual([3, 5, 6, 7, 9]);
    // bob's list: what he registered and what he received, in the order they arrived
    expect(await readAll(f, "datasets", `owner=${bob.bech32}`, 1)).toEqual([4, 1, 8]);
    // the list of all datasets is not affected by transfers
    expect(await readAll(f, "datasets", "", 4)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // a run of removed items (holes) is skipped, a page at a time
    const many = await f.sendMany([[alice, ...[3, 5, 6, 7].map((id) => transferMsg(id, bob.address))]]);
    expect(codeName(many[0]!)).toBe("OK");
    expect(await readAll(f, "datasets", filter, 1)).toEqual([2, 9]);
  });

  it("licenses by licensee and by dataset: pages in purchase order, cursors survive new purchases", async () => {
    const f = await startDataFixture([1_000_000n, 1_000_000n, 1_000_000n]);
    open.push(f);
    const [alice, bob, carol] = f.accounts as [TestAccount, TestAccount, TestAccount];
    await f.send(alice, registerMsg("a"), registerMsg("b"), offerMsg(1), offerMsg(2));
    // license ids 1..8: bob 1,3,5,7 (datasets 1,2,1,2); carol 2,4,6,8 (datasets 1,2,1,2)
    const buys = await f.sendMany(
      Array.from({ length: 8 }, (_, i): [TestAccount, Msg] => [
        i % 2 === 0 ? bob : carol,
        buyMsg(Math.floor(i / 2) % 2 === 0 ? 1 : 2, 1),
      ]),
    );
    expect(buys.map(codeName).every((c) => c === "OK")).toBe(true);
    expect(await readAll(f, "licenses", `licensee=${bob.bech32}`, 3)).toEqual([1, 3, 5, 7]);
    expect(await readAll(f, "licenses", `licensee=${carol.bech32}`, 1)).toEqual([2, 4, 6, 8]);
    expect(await readAll(f, "licenses", "dataset=1", 1)).toEqual([1, 2, 5, 6]);
    expect(await readAll(f, "licenses", "dataset=2", 3)).toEqual([3, 4, 7, 8]);
    expect(await readAll(f, "licenses", "dataset=3", 3)).toEqual([]);

    const first = await page(f, "licenses", `licensee=${bob.bech32}`, 0, 3);
    expect(first.ids).toEqual([1, 3, 5]);
    await f.sendMany([
      [bob, buyMsg(2, 1)],
      [carol, buyMsg(1, 1)],
      [bob, buyMsg(1, 1)],
    ]); // 9 bob, 10 carol, 11 bob
    expect(await readAll(f, "licenses", `licensee=${bob.bech32}`, 3, first.next!)).toEqual([7, 9, 11]);
    // transferring the dataset changes no license list
    expect(codeName(await f.send(alice, transferMsg(1, carol.address)))).toBe("OK");
    expect(await readAll(f, "licenses", "dataset=1", 2)).toEqual([1, 2, 5, 6, 10, 11]);
  });
});
