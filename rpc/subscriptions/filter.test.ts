import { describe, expect, it } from "vitest";
import { Msg, MsgSend } from "../../proto/index.js";
import { MODULE_NAMES, moduleOfMsg, modulesOfEvent } from "./event-modules.js";
import { eventMatches, parseSubscribeParams, txMatches } from "./filter.js";

const transfer = {
  type: "transfer",
  attributes: [
    { key: "sender", value: "a" },
    { key: "recipient", value: "b" },
    { key: "amount", value: "7" },
  ],
};
const slash = { type: "slash", attributes: [{ key: "reason", value: "downtime" }] };

describe("subscription filters", () => {
  it("match an event on module, type and every attribute", () => {
    const f = (filter: unknown) => parseSubscribeParams({ kind: "events", filter }).filter;
    expect(eventMatches(transfer, f({}))).toBe(true);
    expect(eventMatches(transfer, f({ module: "bank" }))).toBe(true);
    expect(eventMatches(transfer, f({ module: "staking" }))).toBe(false);
    expect(eventMatches(slash, f({ module: "slashing" }))).toBe(true);
    expect(eventMatches(slash, f({ module: "staking" }))).toBe(true);
    expect(
      eventMatches(transfer, f({ eventType: "transfer", attribute: { key: "amount", value: "7" } })),
    ).toBe(true);
    expect(
      eventMatches(
        transfer,
        f({
          attribute: [
            { key: "amount", value: "7" },
            { key: "recipient", value: "c" },
          ],
        }),
      ),
    ).toBe(false);
    expect(eventMatches(transfer, f({ attribute: { key: "amount", value: "" } }))).toBe(false);
  });

  it("match a tx on its messages' module and on one event having all the attributes", () => {
    const f = (filter: unknown) => parseSubscribeParams({ kind: "txs", filter }).filter;
    const bank = () => ["bank"];
    expect(txMatches(bank, [transfer], f({ module: "bank" }))).toBe(true);
    expect(txMatches(bank, [transfer], f({ module: "compute" }))).toBe(false);
    expect(txMatches(bank, [], f({ module: "bank" }))).toBe(true);
    expect(txMatches(bank, [], f({ eventType: "transfer" }))).toBe(false);
    // The attributes must be on the same event, not spread over two.
    expect(
      txMatches(
        bank,
        [transfer, slash],
        f({
          attribute: [
            { key: "amount", value: "7" },
            { key: "reason", value: "downtime" },
          ],
        }),
      ),
    ).toBe(false);
  });

  it("name the module of messages and of every known event type after a real module", () => {
    expect(moduleOfMsg(Msg.create({ bankSend: MsgSend.create({ amount: "1" }) }))).toBe("bank");
    expect(moduleOfMsg(Msg.decode(Msg.encode(Msg.create({ bankSend: MsgSend.create({}) })).finish()))).toBe(
      "bank",
    );
    expect(modulesOfEvent("submit_job")).toEqual(["compute"]);
    expect(modulesOfEvent("bank.something")).toEqual(["bank"]);
    expect(modulesOfEvent("never_emitted")).toEqual([]);
    for (const type of ["transfer", "pay_model", "submit_proposal", "register_dataset", "attest_worker"]) {
      for (const module of modulesOfEvent(type)) expect(MODULE_NAMES).toContain(module);
    }
  });

  it("refuse oversized filters", () => {
    const many = Array.from({ length: 17 }, (_, i) => ({ key: `k${i}`, value: "v" }));
    expect(() => parseSubscribeParams({ kind: "events", filter: { attribute: many } })).toThrow(/1 to 16/);
    expect(() => parseSubscribeParams({ kind: "events", filter: { eventType: "x".repeat(257) } })).toThrow(
      /1 to 256/,
    );
  });
});
