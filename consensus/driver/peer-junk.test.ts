import { describe, expect, it } from "vitest";
import { MemoryHub, validatorKeys, waitForHeight } from "../testing/harness.js";
import { encodeVote, signedVote, useTempNodes } from "../testing/temp-nodes.js";

const temp = useTempNodes("peer-junk");

describe("consensus under junk from a peer", () => {
  it("ignores signed votes for far-away heights and floods of duplicates, and keeps committing", async () => {
    const { keys, validators } = validatorKeys(4);
    const hub = new MemoryHub();
    const nodes = await temp.startValidators(hub, keys, validators, [0, 1, 2]);
    await Promise.all(nodes.map((n) => waitForHeight(n, 2)));
    // Validator 3's key in the hands of a peer that sends what no honest node would.
    const signed = (height: number, round: number) =>
      encodeVote(signedVote(keys[3]!, validators, 3, { height, round, blockHash: new Uint8Array(0) }));
    const junk = hub.transport("junk");
    for (let h = 0; h < 200; h++) junk.broadcastVote(signed(1_000_000 + h, 0));
    const now = nodes[0]!.consensus.status().height;
    const dup = signed(now, 0);
    for (let i = 0; i < 2_000; i++) junk.broadcastVote(dup);
    const from = nodes[0]!.consensus.status().lastHeight;
    await Promise.all(nodes.map((n) => waitForHeight(n, from + 3)));
    expect(nodes.every((n) => n.errors.length === 0)).toBe(true);
    // Far heights are out of range and duplicates are the same vote again: neither is an offence
    // a lagging or relaying honest peer could not commit too, so nobody is reported.
    expect(hub.invalidReports).toEqual([]);
  });
});
