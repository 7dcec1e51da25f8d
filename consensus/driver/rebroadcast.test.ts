import { describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { decodeCanonical } from "../../proto/canonical.js";
import { ValidatorInfo, Vote } from "../../proto/index.js";
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

  it("re-sends its proposal at every tick but its block only at ticks 2, 4, 8, ... of an undecided round", async () => {
    // v0 has more power, so it proposes round 0, but 20 of 31 is not above 2/3: it never decides
    // alone and stays in round 0, re-sending what it proposed.
    const { keys, validators } = validatorKeys(2);
    const weighted = validators.map((v, i) => ValidatorInfo.create({ ...v, power: i === 0 ? 20 : 11 }));
    const hub = new MemoryHub();
    const clock = new ManualClock();
    const n = await temp.open("v0", {
      key: keys[0]!,
      validators: weighted,
      transport: hub.transport("v0"),
      clock,
    });
    await n.consensus.start();
    await clock.advance(0, [n.consensus]);

    const seen = { proposal: 0, block: 0 };
    hub.transport("late").onMessage((m) => {
      if (m.kind === "proposal" || m.kind === "block") seen[m.kind]++;
    });
    const blocksAfterTick: number[] = [];
    // The test config's prevote timeout (500 ms) is the re-send period.
    for (let tick = 1; tick <= 9; tick++) {
      await clock.advance(500, [n.consensus]);
      await new Promise((resolve) => setImmediate(resolve));
      blocksAfterTick.push(seen.block);
    }
    expect(n.consensus.status().round).toBe(0);
    expect(seen.proposal).toBe(9);
    // A block is megabytes at load: re-sent at ticks 2, 4 and 8 only.
    expect(blocksAfterTick).toEqual([0, 1, 1, 2, 2, 2, 2, 3, 3]);
  });
});
