import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../crypto/hash.js";
import { encode } from "../proto/canonical.js";
import { BlockResults, Event, TxResult, ValidatorUpdate } from "../proto/index.js";
import { encodeTxResult, PackedTxResult } from "../proto/tx-result-encoding.js";
import { encodeBlockResults } from "./result-encoding.js";

const event = Event.create({
  type: "transfer",
  attributes: [
    { key: "amount", value: "1000" },
    { key: "recipient", value: "kyo1xyz" },
  ],
});
const results = [
  TxResult.create({ code: 0, codespace: "", log: "", gasWanted: 30_000, gasUsed: 21_345, events: [event] }),
  TxResult.create({ code: 7, codespace: "sdk", log: "TX_NONCE_TOO_LOW: x".repeat(20), gasWanted: 200 }),
  TxResult.create({}),
];

describe("result encoding", () => {
  it("writes the same TxResult bytes as the generated encoder", () => {
    const cases = [
      ...results,
      TxResult.create({
        code: 300,
        codespace: "bank",
        log: "INSUFFICIENT_FUNDS: balance é 日本 🙂 ".repeat(5),
        gasWanted: Number.MAX_SAFE_INTEGER,
        gasUsed: 2 ** 33,
        events: [
          Event.create({ type: "", attributes: [] }),
          Event.create({
            type: "x".repeat(200),
            attributes: [
              { key: "", value: "v" },
              { key: "k", value: "" },
            ],
          }),
          Event.create({ type: "memo", attributes: [{ key: "text", value: "lone \ud800 surrogate" }] }),
        ],
      }),
      TxResult.create({ log: "\udc00" }),
      // Lone surrogates around protobufjs's short/long string boundary (40) and above 128 units.
      TxResult.create({ codespace: `a\ud800${"b".repeat(37)}`, log: `\udc00${"y".repeat(39)}` }),
      TxResult.create({
        log: `${"z".repeat(150)}\ud83d`,
        events: [Event.create({ type: "\ud83d\ude42".repeat(30) })],
      }),
    ];
    for (const result of cases) {
      expect(toHex(encodeTxResult(result))).toBe(toHex(encode(TxResult, result)));
    }
  });

  it("writes the same BlockResults bytes as the generated encoder", async () => {
    const appHash = sha256(Uint8Array.of(1));
    const updates = [
      ValidatorUpdate.create({ pubKey: sha256(Uint8Array.of(2)), power: 300 }),
      ValidatorUpdate.create({ pubKey: sha256(Uint8Array.of(3)), power: 0 }),
    ];
    const cases: [number, TxResult[], Event[], ValidatorUpdate[]][] = [
      [1, results, [event], []],
      [300, [], [], updates],
      [2 ** 35, results.slice(0, 1), [event, event], updates.slice(1)],
      // More results than one yield's worth, with multi-byte and long strings among them.
      [
        7,
        Array.from({ length: 600 }, (_, i) =>
          i % 7 === 3
            ? TxResult.create({
                log: `é 日本 🙂 ${"x".repeat(i % 50)}`,
                events: [
                  Event.create({
                    type: "t".repeat(i % 45),
                    attributes: [{ key: "k", value: "v".repeat(i) }],
                  }),
                ],
              })
            : (results[i % results.length] as TxResult),
        ),
        [event],
        updates,
      ],
    ];
    for (const [height, txResults, events, validatorUpdates] of cases) {
      const want = encode(
        BlockResults,
        BlockResults.create({ height, txResults, finalizeEvents: events, validatorUpdates, appHash }),
      );
      const got = await encodeBlockResults(height, txResults, events, appHash, validatorUpdates);
      expect(toHex(got)).toBe(toHex(want));
      expect(BlockResults.decode(got).txResults).toHaveLength(txResults.length);
    }
  });

  it("keeps a PackedTxResult's events as bytes that encode like the objects, and decodes them when read", async () => {
    const events = [
      Event.create({
        type: "tx",
        attributes: [
          { key: "fee", value: "30000" },
          { key: "nonce", value: "7" },
        ],
      }),
      Event.create({
        type: "transfer",
        attributes: [
          { key: "memo", value: "é 日本 🙂" },
          { key: "k", value: "" },
        ],
      }),
      Event.create({ type: "" }),
    ];
    const plain = TxResult.create({ code: 0, gasWanted: 30_000, gasUsed: 21_345, events });
    const expected = toHex(encode(TxResult, plain));
    const packed = () => new PackedTxResult(0, "", "", 30_000, 21_345, events);

    const untouched = packed();
    expect(untouched.packedEvents).not.toBeNull();
    expect(toHex(encodeTxResult(untouched))).toBe(expected);
    expect(toHex(TxResult.encode(packed()).finish())).toBe(expected);
    const block = await encodeBlockResults(
      3,
      [packed(), results[1]!, packed()],
      [],
      sha256(Uint8Array.of(3)),
    );
    const generated = encode(
      BlockResults,
      BlockResults.create({
        height: 3,
        txResults: [plain, results[1]!, plain],
        appHash: sha256(Uint8Array.of(3)),
      }),
    );
    expect(toHex(block)).toBe(toHex(generated));

    const read = packed();
    const eventHex = (list: Parameters<typeof Event.encode>[0][]) =>
      list.map((e) => toHex(Event.encode(e).finish()));
    expect(read.events.every((e) => e instanceof Event)).toBe(true);
    expect(eventHex(read.events)).toEqual(eventHex(events));
    expect(read.packedEvents).toBeNull();
    (read.events[0] as Event).attributes[0]!.value = "1";
    const changed = TxResult.create({ ...plain, events: read.events });
    expect(toHex(encodeTxResult(read))).toBe(toHex(encode(TxResult, changed)));

    const set = packed();
    set.events = [Event.create({ type: "other" })];
    expect(toHex(encodeTxResult(set))).toBe(
      toHex(encode(TxResult, TxResult.create({ ...plain, events: set.events }))),
    );
    expect(new PackedTxResult(5, "bank", "x", 1, 0, []).events).toEqual([]);
  });
});
