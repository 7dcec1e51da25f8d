import { describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { decodeCanonical } from "../../proto/canonical.js";
import { Vote } from "../../proto/index.js";
import { ManualClock, MemoryHub, validatorKeys } from "../testing/harness.js";
import { useTempNodes } from "../testing/temp-nodes.js";

const temp = useTempNodes("rebroadcast");

describe("re-sending own messages", () => {
  it("a peer that connects after a vote was sent still receives it while the height is undecided", async () => {
    // Two validators of equal power: neither decides alone, so height 1 stays open.
    const { keys, validators } = validatorKeys(2);
    const hub = new MemoryHub();
    const clock = new ManualClock();
    const n = await temp.open("v0", { key: keys[0]!, validators, transport: hub.transport("v0"), clock });
    await n.consensus.start();
    await clock.advance(0, [n.consensus]);
    // It has voted at round 0 by now (prevote after its proposal, or nil after the timeout).
    await clock.advance(3_500, [n.consensus]);

    const late: Vote[] = [];
    hub.transport("late").onMessage((m) => {
      if (m.kind === "vote") late.push(decodeCanonical<Vote>(Vote, m.bytes, "vote"));
    });
    await clock.advance(1_000, [n.consensus]);
    const own = late.filter((v) => toHex(v.validatorAddress) === toHex(validators[0]!.address));
    expect(own.length).toBeGreaterThan(0);
    expect(own.some((v) => Number(v.round) === 0 && Number(v.height) === 1)).toBe(true);
    // Only its own votes: it does not speak for others.
    expect(late.every((v) => toHex(v.validatorAddress) === toHex(validators[0]!.address))).toBe(true);
  });
});
