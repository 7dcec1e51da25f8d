import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { voteSignBytes } from "../../crypto/ssz.js";
import { encode } from "../../proto/canonical.js";
import { Vote, VoteType } from "../../proto/index.js";
import {
  CHAIN_ID,
  MemoryHub,
  openNode,
  type TestNode,
  validatorKeys,
  waitForHeight,
} from "../testing/harness.js";

let root: string;
const open: TestNode[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kyochi-peer-junk-"));
});
afterEach(async () => {
  for (const n of open.splice(0)) await n.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe("consensus under junk from a peer", () => {
  it("ignores signed votes for far-away heights and floods of duplicates, and keeps committing", async () => {
    const { keys, validators } = validatorKeys(4);
    const hub = new MemoryHub();
    const nodes: TestNode[] = [];
    for (let i = 0; i < 3; i++) {
      const n = await openNode({
        dir: join(root, `v${i}`),
        key: keys[i]!,
        validators,
        transport: hub.transport(`v${i}`),
      });
      open.push(n);
      nodes.push(n);
    }
    await Promise.all(nodes.map((n) => n.consensus.start()));
    await Promise.all(nodes.map((n) => waitForHeight(n, 2)));
    // Validator 3's key in the hands of a peer that sends what no honest node would.
    const signed = (height: number, round: number) => {
      const unsigned = Vote.create({
        type: VoteType.VOTE_TYPE_PREVOTE,
        height,
        round,
        blockHash: new Uint8Array(0),
        timestampMs: 1,
        validatorAddress: validators[3]!.address,
        validatorIndex: 3,
        signature: new Uint8Array(0),
      });
      return encode(
        Vote,
        Vote.create({ ...unsigned, signature: keys[3]!.sign(voteSignBytes(CHAIN_ID, unsigned)) }),
      );
    };
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
