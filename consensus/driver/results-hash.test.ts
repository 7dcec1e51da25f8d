// last_results_hash is part of every header: however a result reaches it (made by an application,
// decoded from the block store, or a plain object), the hash must be the documented one.
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../crypto/hash.js";
import { hashListRoot } from "../../crypto/ssz.js";
import { Event, TxResult } from "../../proto/index.js";
import { resultsHash } from "./block.js";

const plain = [
  {
    code: 0,
    gasWanted: 30_000,
    gasUsed: 21_345,
    events: [
      Event.create({
        type: "transfer",
        attributes: [
          { key: "recipient", value: "kyo1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn4k3f9x" },
          { key: "amount", value: "5" },
        ],
      }),
    ],
  },
  { code: 11, codespace: "bank", log: "INSUFFICIENT_FUNDS: balance 3 is below the amount 5", gasWanted: 200 },
  {},
];

/** The documented form: the SSZ list root of sha256 of each result's protobuf bytes. */
function documented(results: object[]): string {
  return toHex(hashListRoot(results.map((r) => sha256(TxResult.encode(r).finish()))));
}

describe("resultsHash", () => {
  it("is the list root of each result's protobuf sha256, for TxResult instances and plain objects alike", () => {
    const instances = plain.map((r) => TxResult.create(r));
    const decoded = instances.map((r) => TxResult.decode(TxResult.encode(r).finish()));
    expect(toHex(resultsHash(instances))).toBe(documented(plain));
    expect(toHex(resultsHash(decoded))).toBe(documented(plain));
    expect(toHex(resultsHash(plain))).toBe(documented(plain));
  });

  it("changes when any result's events change", () => {
    const before = toHex(resultsHash(plain.map((r) => TxResult.create(r))));
    const changed = plain.map((r) => TxResult.create(r));
    changed[0] = TxResult.create({ ...plain[0], events: [Event.create({ type: "transfer" })] });
    expect(toHex(resultsHash(changed))).not.toBe(before);
  });
});
